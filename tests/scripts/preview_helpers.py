"""Helpers for the offline preview's tests (a uniquely named module: several test trees have a conftest).

The fixture project (``fixtures/project``) is a tiny Pulumi program with valid stack files (the
real config loader checks them): ``clean`` passes, ``violate`` breaks the fixture pack's mandatory
rule, ``broken`` stops the program. The fixture pack (``fixtures/fixture_pack``) has resource and
stack rules, controls, config schemas and exemptions applied the way the contract says.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from scripts.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT = FIXTURES / "project"
PACK = FIXTURES / "fixture_pack"
REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def tvt(argv: Sequence[str], capsys: pytest.CaptureFixture[str]) -> Run:
    """Run the real CLI entry point in-process and capture what it printed."""
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def plan_args(stack: str, out: Path, *extra: str, analyzer: str = "inprocess") -> list[str]:
    return [
        "plan",
        "--stack",
        stack,
        "--out",
        str(out),
        "--root",
        str(PROJECT),
        "--pack",
        str(PACK),
        "--analyzer",
        analyzer,
        *extra,
    ]


def check_args(plan: Path, *extra: str, analyzer: str = "inprocess") -> list[str]:
    return ["check", str(plan), "--root", str(PROJECT), "--pack", str(PACK), "--analyzer", analyzer, *extra]


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def files_under(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` (a tvt output), by its relative path, with its bytes."""
    files = sorted(p for p in directory.rglob("*") if p.is_file())
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in files}
