"""audit-workspace-retention: logs are kept long enough for investigations."""

from __future__ import annotations

import pytest

from tests.policies.cases import Case, assert_baseline_passes, assert_case_trips, set_prop
from tests.policies.harness import Hit

RULE = "audit-workspace-retention"

CASES = [
    Case(
        "90 days of logs in prod",
        set_prop("audit-workspace", "retentionInDays", 90),
        "retentionInDays is 90; expected at least 365",
        "audit-workspace",
    ),
]


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
