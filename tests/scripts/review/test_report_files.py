"""``report_files``: every review output, built with the collector kept off the heap that outlives them."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from scripts.review import outputs
from scripts.review.report import ReportInputs


def test_the_heap_is_frozen_while_reports_are_built_and_released_after(
    violate_inputs: ReportInputs, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    real = outputs.render_html

    def spy(given: ReportInputs) -> str:
        seen.append(gc.get_freeze_count())
        return real(given)

    monkeypatch.setattr(outputs, "render_html", spy)
    assert gc.get_freeze_count() == 0
    files = outputs.report_files(violate_inputs)
    assert seen and seen[0] > 0, "the plan and review were not frozen out of the collector's scans"
    assert gc.get_freeze_count() == 0
    assert set(files) == {"findings.json", "report.md", "report.html", "report.sarif", "report.junit.xml"}


def test_the_same_inputs_give_the_same_bytes(violate_inputs: ReportInputs, planned: dict[str, Path]) -> None:
    again = outputs.report_files(violate_inputs)
    for name, data in again.items():
        assert data == (planned["violate"] / name).read_bytes(), name
