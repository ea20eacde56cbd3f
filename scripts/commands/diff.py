"""``tvt diff BASE_PLAN.json NEW_PLAN.json``: what a change would delete or replace, and whether to shout.

Compares two plans written by ``tvt plan`` (e.g. main's and the pull request's). Exit 0 when no
data-bearing, key-material or protected resource would be deleted or replaced, 1 when one would
(an alarm), 2 on bad input (a malformed plan, or plans of two different stacks).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from scripts.commands.exit_codes import EXIT_OK, EXIT_VIOLATION, report_bad_input
from scripts.engine.errors import PreviewError
from scripts.engine.plan import load_plan, read_plan_document
from scripts.review.diff import (
    Diff,
    FindingRef,
    diff_json,
    diff_markdown,
    diff_plans,
    diff_text,
    read_findings,
)

FORMATS = {"text": diff_text, "md": diff_markdown, "json": diff_json}
FINDINGS_FILE = "findings.json"  # written by tvt plan beside plan.json


@dataclass(frozen=True)
class DiffOptions:
    base: Path
    new: Path
    format: str = "text"
    allow_replace: tuple[str, ...] = ()


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "diff", help="compare two plans: alarm when data or key material would be deleted or replaced"
    )
    parser.add_argument("base", type=Path, help="the plan before the change (e.g. main's plan.json)")
    parser.add_argument("new", type=Path, help="the plan after the change (e.g. the pull request's)")
    parser.add_argument(
        "--format",
        choices=tuple(FORMATS),
        default="text",
        help="output format (default: text; md: the pull-request comment)",
    )
    parser.add_argument(
        "--allow-replace",
        action="append",
        default=[],
        metavar="URN_GLOB",
        help="accept a delete/replace of the matching resources (fnmatch on the URN; repeatable)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return run_diff(DiffOptions(args.base, args.new, args.format, tuple(args.allow_replace)))


def compute(options: DiffOptions) -> Diff:
    """Load both plans with the loader ``tvt check`` uses, then diff; bad input is a PreviewError."""
    base, new = load_plan(options.base), load_plan(options.new)
    before, after = beside(options.base), beside(options.new)
    findings = (before, after) if before is not None and after is not None else None
    return diff_plans(base, new, allow_replace=options.allow_replace, findings=findings)


def beside(plan: Path) -> tuple[FindingRef, ...] | None:
    """The findings ``tvt plan`` wrote next to ``plan``, None when there is no such file."""
    path = plan.with_name(FINDINGS_FILE)
    return read_findings(read_plan_document(path), str(path)) if path.is_file() else None


def run_diff(options: DiffOptions, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr  # looked up per call, so redirection works
    try:
        diff = compute(options)
    except PreviewError as error:
        return report_bad_input(err, "tvt diff", error)
    out.write(FORMATS[options.format](diff))
    for glob in diff.unused_globs:
        # A stale allowance would silently accept a future, unrelated replacement: say so.
        err.write(f"note: --allow-replace {glob} matched no delete or replace that needed allowing\n")
    return EXIT_VIOLATION if diff.alarms else EXIT_OK
