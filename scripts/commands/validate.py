"""`tvt validate` (being written)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser("validate")
    parser.set_defaults(run=lambda _args: 2)
