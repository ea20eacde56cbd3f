"""``tvt plan --stack S --out DIR``: the offline preview (no Pulumi CLI, no cloud, no network).

Validates the stack config, runs the real program under the SDK's mocks, writes ``DIR/plan.json``
(Pulumi's stack-export format), evaluates the policy pack through the analyzer protocol, and writes
``DIR/findings.json`` and ``DIR/report.md``. Exit 0 clean, 1 mandatory violation, 2 bad input.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from scripts.commands._evaluation import add_evaluation_arguments
from scripts.commands.pipeline import PlanOptions, run_plan


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "plan", help="offline preview: plan.json, policy findings and a report for security reviewers"
    )
    parser.add_argument(
        "--stack", required=True, help="stack name, e.g. prod: reads stacks/Pulumi.<stack>.yaml"
    )
    parser.add_argument(
        "--out",
        required=True,
        type=Path,
        help="output directory: new, empty or a previous plan output (replaced as a whole)",
    )
    add_evaluation_arguments(parser, root_help="project root holding __main__.py (default: repo)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    options = PlanOptions(
        stack=args.stack,
        out=args.out,
        root=args.root,
        pack=args.pack,
        policy_config=args.policy_config,
        analyzer=args.analyzer,
    )
    return run_plan(options)
