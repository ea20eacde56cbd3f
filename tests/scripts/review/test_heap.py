"""``settled_heap``: the heap alive before is frozen out of collections for the block, then released."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Sequence

import pytest

from scripts.engine.evaluate import Evaluation
from scripts.engine.plan import Plan
from scripts.review import findings
from scripts.review.heap import settled_heap
from scripts.review.report import ReportInputs


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_the_heap_is_frozen_inside_and_released_after() -> None:
    assert gc.get_freeze_count() == 0
    with settled_heap():
        assert gc.get_freeze_count() > 0
        cycle = _Cycle()  # made inside: still collected as usual
        gone = weakref.ref(cycle)
        del cycle
        gc.collect()
        assert gone() is None
    assert gc.get_freeze_count() == 0


def test_the_heap_is_released_when_the_block_raises() -> None:
    with pytest.raises(RuntimeError), settled_heap():
        raise RuntimeError("boom")
    assert gc.get_freeze_count() == 0


def test_a_freeze_made_by_the_caller_is_left_in_place() -> None:
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        with settled_heap():
            assert gc.get_freeze_count() == before
        assert gc.get_freeze_count() == before
    finally:
        gc.unfreeze()


def test_review_builds_its_results_on_a_settled_heap(
    violate_inputs: ReportInputs, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    real = findings.results

    def spy(
        evaluation: Evaluation, plan: Plan, found: Sequence[findings.Finding]
    ) -> tuple[findings.Result, ...]:
        seen.append(gc.get_freeze_count())
        return real(evaluation, plan, found)

    monkeypatch.setattr(findings, "results", spy)
    again = findings.review(violate_inputs.review.evaluation, violate_inputs.plan)
    assert seen and seen[0] > 0
    assert gc.get_freeze_count() == 0
    assert again == violate_inputs.review
