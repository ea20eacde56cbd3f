"""``tvt validate --stack S``: check ``stacks/Pulumi.<S>.yaml`` before anyone runs Pulumi.

Runs the same validation as the Pulumi program (``components.config.load``), without cloud
credentials or the Pulumi CLI, so a pull request from a fork gets the same messages as ``pulumi up``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from components.config.load import ROOT, ConfigError, load_stack
from components.config.model import StackConfig
from scripts.commands.exit_codes import EXIT_BAD_INPUT, EXIT_OK
from scripts.review.text import escape_controls


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "validate", help="validate a stack's config (schema, references, expiries, networks, names)"
    )
    parser.add_argument(
        "--stack", required=True, help="stack name, e.g. prod: reads stacks/Pulumi.<stack>.yaml"
    )
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root (default: this checkout)")
    parser.set_defaults(run=run)


def summary(cfg: StackConfig) -> str:
    """One line a reviewer can check against the file: who is configured and how many grants."""
    counts = ", ".join(
        (_count(cfg.partners, "partner"), _count(cfg.use_cases, "use case"), _count(cfg.grants, "grant"))
    )
    return f"{cfg.source}: valid: stack {cfg.stack} ({cfg.environment}, {cfg.location}): {counts}"


def _count(items: tuple[object, ...], noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


def run(args: argparse.Namespace) -> int:
    """Exit 0 with a summary, or 2 with every issue on stderr as ``FILE: PATH: MESSAGE``."""
    try:
        cfg = load_stack(args.stack, args.root)
    except ConfigError as err:
        for issue in err.issues:  # escaped: an issue may quote the file's keys and values
            print(escape_controls(str(issue)), file=sys.stderr)
        return EXIT_BAD_INPUT
    print(escape_controls(summary(cfg)))
    return EXIT_OK
