"""``tvt check PLAN.json``: evaluate the policy pack against a saved plan.

Same evaluation as ``tvt plan`` step 4 (same code path, same findings), same exit codes. The
default policy config is ``policies/config/<stack>.json`` for the stack named by the plan's URNs,
and the pack gets that stack's config from ``stacks/Pulumi.<stack>.yaml`` under ``--root`` (none,
with a note on stderr, when the file is missing: the rules that need it then fail closed).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from scripts.commands._evaluation import add_evaluation_arguments
from scripts.commands.pipeline import CheckOptions, run_check


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "check", help="evaluate the policy pack against a saved plan"
    )
    parser.add_argument("plan", type=Path, help="a plan.json written by tvt plan (stack export v3)")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    add_evaluation_arguments(
        parser, root_help="repository root: policies/config/ and stacks/ (default: this checkout)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    options = CheckOptions(
        plan=args.plan,
        root=args.root,
        pack=args.pack,
        policy_config=args.policy_config,
        format=args.format,
        analyzer=args.analyzer,
    )
    return run_check(options)
