"""Fixtures for the offline preview's tests; helpers live in ``preview_helpers``."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from preview_helpers import PACK, PROJECT, TODAY

from scripts.commands.pipeline import PlanOptions, run_plan


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TVT_TODAY", TODAY)


@pytest.fixture(scope="session")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """One plan per fixture stack, made once for the session (running the program is the slow part)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("TVT_TODAY", TODAY)
    base = tmp_path_factory.mktemp("planned")
    outs = {}
    for stack, expected in (("clean", 0), ("violate", 1)):
        options = PlanOptions(stack=stack, out=base / stack, root=PROJECT, pack=PACK, analyzer="inprocess")
        code = run_plan(options, out=io.StringIO(), err=io.StringIO())
        assert code == expected, f"fixture stack {stack}: tvt plan exited {code}, expected {expected}"
        outs[stack] = base / stack
    yield outs
    mp.undo()
