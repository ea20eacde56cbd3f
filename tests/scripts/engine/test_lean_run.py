"""The lean run (the default) registers exactly what the SDK as shipped registers: same plan bytes."""

from __future__ import annotations

import gc
import time
from pathlib import Path

import pulumi.resource
import pytest
from preview_helpers import REPO

from components.config.load import read_stack_file, stack_file
from scripts.commands.pipeline import _as_project
from scripts.engine.capture import run_program
from scripts.engine.export import build_deployment, dumps
from tests.conftest import TODAY


def _plan_bytes(root: Path, stack: str, *, lean: bool) -> bytes:
    return _timed_plan(root, stack, lean=lean)[0]


def _timed_plan(root: Path, stack: str, *, lean: bool) -> tuple[bytes, float]:
    """plan.json of ``stack`` and the CPU seconds its program took."""
    config = read_stack_file(stack_file(stack, root), root=root)
    start = time.process_time()
    with _as_project(root):
        capture = run_program(
            root / "__main__.py",
            stack=stack,
            config=config,
            subscription_id=str(config["tvt:subscriptionId"]),
            project_root=root,
            lean=lean,
        )
    cpu = time.process_time() - start
    return dumps(build_deployment(capture, config)), cpu


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TVT_TODAY", TODAY)


@pytest.mark.parametrize("stack", ["dev", "test", "prod"])
def test_lean_plan_is_byte_identical_to_the_reference_run(stack: str) -> None:
    _plan_bytes(REPO, stack, lean=True)  # imports and lazily loaded types, so both runs are warm
    reference, reference_cpu = _timed_plan(REPO, stack, lean=False)
    lean, lean_cpu = _timed_plan(REPO, stack, lean=True)
    assert lean == reference, f"stack {stack}: the lean run changed plan.json"
    assert b'"aliases"' in lean, f"stack {stack}: no resource has aliases, so the check proves nothing"
    # Measured in this run, so a ratio: the lean run has saved at least half (about 80% when written);
    # an SDK that renamed what _lean_sdk replaces would make it quietly as slow as the reference.
    assert lean_cpu <= 0.5 * reference_cpu, (
        f"stack {stack}: the lean program took {lean_cpu:.2f}s CPU, the reference {reference_cpu:.2f}s"
    )


def test_lean_run_restores_the_sdk_and_the_collector() -> None:
    collapse, threshold = pulumi.resource.collapse_alias_to_urn, gc.get_threshold()
    _plan_bytes(REPO, "dev", lean=True)
    assert pulumi.resource.collapse_alias_to_urn is collapse, "the SDK was left patched"
    assert gc.get_threshold() == threshold, "the collector's threshold was left changed"
    assert gc.get_freeze_count() == 0, "objects were left frozen out of collection"
