"""``tvt report PLAN.json [--out DIR]``: every review output for a saved plan.

Evaluates the plan exactly as ``tvt check`` does, then writes ``findings.json``, ``report.md``,
``report.html``, ``report.sarif`` and ``report.junit.xml`` beside it (or in ``--out``, with a copy
of the plan), replacing the directory as a whole. Exit 0 clean, 1 mandatory violation, 2 bad input.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from scripts.commands._evaluation import add_saved_plan_arguments, saved_plan_options
from scripts.commands.pipeline import run_report


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "report", help="write the HTML, Markdown, SARIF and JUnit reports for a saved plan"
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="output directory (default: the plan's own); new, empty or a previous plan output",
    )
    add_saved_plan_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return run_report(saved_plan_options(args), args.out)
