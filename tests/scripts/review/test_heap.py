"""The review builds its results on a settled heap (``policies.heap``)."""

from __future__ import annotations

import gc
from collections.abc import Sequence

import pytest

from scripts.engine.evaluate import Evaluation
from scripts.engine.plan import Plan
from scripts.review import findings
from scripts.review.report import ReportInputs


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
