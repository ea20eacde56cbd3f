"""Helpers for the hardening tests: ``tvt`` in-process, and the properties every run must have."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings

from scripts.cli import main
from tests.scripts.preview_helpers import FIXTURES, PACK, PROJECT, REPO, Run, check_args, files_under, load

# The fixture project, its pack and the plain helpers are the preview tests' own (one home).
__all__ = ["FIXTURES", "PACK", "PROJECT", "REPO", "Run", "check_args", "files_under", "load"]

TODAY = "2026-06-01"
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"

# Derandomized and small by default, so make test is reproducible and fast; TVT_HYPOTHESIS=explore
# runs many random examples when hunting for new failures (keep what it finds as @example cases).
settings.register_profile(
    "tvt-ci",
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "tvt-explore",
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
PROPERTIES = settings.get_profile(
    "tvt-explore" if os.environ.get("TVT_HYPOTHESIS") == "explore" else "tvt-ci"
)


def tvt(*argv: str | Path) -> Run:
    """The real CLI entry point, in-process, with what it printed."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in argv])
        except SystemExit as stop:  # argparse's own usage errors
            code = int(stop.code or 0)
    return Run(code, out.getvalue(), err.getvalue())


def assert_bad_input(run: Run, *phrases: str) -> None:
    """Exit 2, no traceback, and every phrase (file names, key paths, what was expected) in stderr."""
    assert "Traceback" not in run.text, run.text
    assert run.code == 2, f"exit {run.code}, expected 2 (bad input): {run.text[-2000:]}"
    for phrase in phrases:
        assert phrase in run.err, f"{phrase!r} not in stderr: {run.err[-2000:]}"


def plan_args(stack: str, out: Path, root: Path = PROJECT, *extra: str) -> list[str]:
    return [
        "plan", "--stack", stack, "--out", str(out), "--root", str(root),
        "--pack", str(PACK), "--analyzer", "inprocess", *extra,
    ]  # fmt: skip


def copy_project(target: Path) -> Path:
    shutil.copytree(PROJECT, target)
    return target


def stack_text(stack: str = "clean") -> str:
    return (PROJECT / "stacks" / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8")


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def with_input(plan: Any, key: str, value: Any, index: int = -1) -> Any:
    """A copy of the plan document with one input set on one resource."""
    document = json.loads(json.dumps(plan))
    document["deployment"]["resources"][index]["inputs"][key] = value
    return document


def splice(plan: Any, key: str, raw: str, index: int = -1) -> str:
    """The plan's JSON text with ``raw`` (any text, valid JSON or not) as one resource input's value."""
    marker = "__tvt_hardening_marker__"
    return json.dumps(with_input(plan, key, marker, index)).replace(json.dumps(marker), raw, 1)


def secret(plaintext: str) -> dict[str, str]:
    """A plan secret in the decrypted form ``pulumi stack export --show-secrets`` writes."""
    return {SIG_KEY: SECRET_SIG, "plaintext": plaintext}


def nested(depth: int, leaf: str = "0") -> str:
    return "[" * depth + leaf + "]" * depth
