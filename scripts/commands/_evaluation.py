"""The options ``tvt plan`` and ``tvt check`` share: how the policy pack is found, configured and reached."""

from __future__ import annotations

import argparse
from pathlib import Path

from scripts.engine.analyzer import TRANSPORTS
from scripts.engine.capture import ROOT


def add_evaluation_arguments(parser: argparse.ArgumentParser, *, root_help: str) -> None:
    """``--policy-config``, ``--analyzer``, ``--root`` and ``--pack``, with one wording for both commands."""
    parser.add_argument(
        "--policy-config", type=Path, help="policy pack config JSON (default: policies/config/<stack>.json)"
    )
    parser.add_argument(
        "--analyzer",
        choices=TRANSPORTS,
        default="grpc",
        help="how to reach the pack (default: grpc, as the engine)",
    )
    parser.add_argument("--root", type=Path, default=ROOT, help=root_help)
    parser.add_argument("--pack", type=Path, help="policy pack directory (default: <root>/policies)")
