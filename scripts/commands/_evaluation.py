"""What ``tvt plan``, ``tvt check`` and ``tvt report`` share: how the policy pack is found and reached."""

from __future__ import annotations

import argparse
from pathlib import Path

from scripts.commands.pipeline import CheckOptions
from scripts.engine.analyzer import DEFAULT_TRANSPORT, TRANSPORTS
from scripts.engine.capture import ROOT

SAVED_PLAN_ROOT_HELP = "repository root: policies/config/ and stacks/ (default: this checkout)"


def add_evaluation_arguments(parser: argparse.ArgumentParser, *, root_help: str) -> None:
    """``--policy-config``, ``--analyzer``, ``--root`` and ``--pack``, with one wording for both commands."""
    parser.add_argument(
        "--policy-config", type=Path, help="policy pack config JSON (default: policies/config/<stack>.json)"
    )
    parser.add_argument(
        "--analyzer",
        choices=TRANSPORTS,
        default=DEFAULT_TRANSPORT,
        help=f"how to reach the pack (default: {DEFAULT_TRANSPORT}; grpc: its own process, as the engine)",
    )
    parser.add_argument("--root", type=Path, default=ROOT, help=root_help)
    parser.add_argument("--pack", type=Path, help="policy pack directory (default: <root>/policies)")


def add_saved_plan_arguments(parser: argparse.ArgumentParser) -> None:
    """The saved plan and how to evaluate it: ``tvt check`` and ``tvt report``."""
    parser.add_argument("plan", type=Path, help="a plan.json written by tvt plan (stack export v3)")
    add_evaluation_arguments(parser, root_help=SAVED_PLAN_ROOT_HELP)


def saved_plan_options(args: argparse.Namespace, output_format: str = "text") -> CheckOptions:
    return CheckOptions(
        plan=args.plan,
        root=args.root,
        pack=args.pack,
        policy_config=args.policy_config,
        format=output_format,
        analyzer=args.analyzer,
    )
