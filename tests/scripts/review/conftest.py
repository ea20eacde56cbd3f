"""Fixtures of the review's tests."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from preview_helpers import PACK, PROJECT

from scripts.commands.pipeline import CheckOptions, check_saved_plan
from scripts.review.report import ReportInputs


@pytest.fixture()
def violate_inputs(planned: dict[str, Path]) -> ReportInputs:
    """The fixture project's ``violate`` plan, evaluated again as ``tvt report`` would."""
    options = CheckOptions(planned["violate"] / "plan.json", PROJECT, PACK, analyzer="inprocess")
    inputs, _ = check_saved_plan(options, io.StringIO(), None)
    return inputs
