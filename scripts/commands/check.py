"""``tvt check PLAN.json``: evaluate the policy pack against a saved plan.

Same evaluation as ``tvt plan`` step 4 (same code path, same findings), same exit codes. The
default policy config is ``policies/config/<stack>.json`` for the stack named by the plan's URNs,
and the pack gets that stack's config from ``stacks/Pulumi.<stack>.yaml`` under ``--root`` (none,
with a note on stderr, when the file is missing: the rules that need it then fail closed).
"""

from __future__ import annotations

import argparse
from typing import Any

from scripts.commands._evaluation import add_saved_plan_arguments, saved_plan_options
from scripts.commands.pipeline import run_check


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "check", help="evaluate the policy pack against a saved plan"
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="output format (default: text; json: the findings.json document)",
    )
    add_saved_plan_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return run_check(saved_plan_options(args, args.format))
