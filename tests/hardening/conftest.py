"""Shared pieces of the hardening tests (issue 11): running ``tvt`` in-process, the fixture project,
a valid base config, and the hypothesis settings every property test here uses.

Helpers live in ``hardening_helpers`` (a uniquely named module, as several test trees have a conftest).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from hardening_helpers import PACK, PROJECT, TODAY, copy_project

from scripts.commands.pipeline import PlanOptions, run_plan


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TVT_TODAY", TODAY)
    monkeypatch.delenv("TVT_DEBUG", raising=False)


@pytest.fixture(scope="session")
def clean_plan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A plan of the fixture project's ``clean`` stack, made once (the program run is the slow part)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("TVT_TODAY", TODAY)
    out = tmp_path_factory.mktemp("hardening") / "clean"
    options = PlanOptions(stack="clean", out=out, root=PROJECT, pack=PACK, analyzer="inprocess")
    err = io.StringIO()
    assert run_plan(options, out=io.StringIO(), err=err) == 0, err.getvalue()
    yield out / "plan.json"
    mp.undo()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A private copy of the fixture project, free to edit."""
    return copy_project(tmp_path / "project")
