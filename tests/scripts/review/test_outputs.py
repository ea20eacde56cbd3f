"""``report_files``: every review output, built with the collector kept off the heap that outlives them."""

from __future__ import annotations

import gc
import io
from pathlib import Path

import pytest
from preview_helpers import PACK, PROJECT

from scripts.commands.pipeline import CheckOptions, check_saved_plan
from scripts.review import outputs
from scripts.review.report import ReportInputs


@pytest.fixture()
def inputs(planned: dict[str, Path]) -> ReportInputs:
    options = CheckOptions(planned["violate"] / "plan.json", PROJECT, PACK, analyzer="inprocess")
    found, _ = check_saved_plan(options, io.StringIO(), None)
    return found


def test_the_heap_is_frozen_while_reports_are_built_and_released_after(
    inputs: ReportInputs, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    real = outputs.render_html

    def spy(given: ReportInputs) -> str:
        seen.append(gc.get_freeze_count())
        return real(given)

    monkeypatch.setattr(outputs, "render_html", spy)
    assert gc.get_freeze_count() == 0
    files = outputs.report_files(inputs)
    assert seen and seen[0] > 0, "the plan and review were not frozen out of the collector's scans"
    assert gc.get_freeze_count() == 0
    assert set(files) == {"findings.json", "report.md", "report.html", "report.sarif", "report.junit.xml"}


def test_a_freeze_made_by_the_caller_is_left_in_place(inputs: ReportInputs) -> None:
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        outputs.report_files(inputs)
        assert gc.get_freeze_count() == before
    finally:
        gc.unfreeze()


def test_the_same_inputs_give_the_same_bytes(inputs: ReportInputs, planned: dict[str, Path]) -> None:
    again = outputs.report_files(inputs)
    for name, data in again.items():
        assert data == (planned["violate"] / name).read_bytes(), name
