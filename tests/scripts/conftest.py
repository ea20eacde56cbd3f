"""Fixtures for the offline preview's tests; helpers live in ``preview_helpers``."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from preview_helpers import PACK, PROJECT

from scripts.commands.pipeline import PlanOptions, run_plan
from tests.conftest import TODAY


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


@pytest.fixture(scope="session")
def stack_plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """``tvt plan`` of every example stack of this repository (in-process pack), as parsed documents."""
    import json

    from preview_helpers import REPO

    mp = pytest.MonkeyPatch()
    mp.setenv("TVT_TODAY", TODAY)
    base = tmp_path_factory.mktemp("stack-plans")
    plans = {}
    for stack in ("dev", "test", "prod"):
        options = PlanOptions(stack=stack, out=base / stack, root=REPO, analyzer="inprocess")
        code = run_plan(options, out=io.StringIO(), err=io.StringIO())
        assert code == 0, f"tvt plan --stack {stack} exited {code}"
        plans[stack] = json.loads((base / stack / "plan.json").read_text())
    mp.undo()
    return plans
