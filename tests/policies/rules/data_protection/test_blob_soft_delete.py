"""data-protection-blob-soft-delete: deleted blobs and containers can be recovered."""

from __future__ import annotations

import pytest

from tests.policies.cases import Case, assert_baseline_passes, assert_case_trips, set_prop
from tests.policies.harness import Hit

RULE = "data-protection-blob-soft-delete"

CASES = [
    Case(
        "7 days in prod",
        set_prop("l3-blob-service", "deleteRetentionPolicy.days", 7),
        "deleteRetentionPolicy.days is 7; expected at least 30 in prod",
        "l3-storage",
    ),
    Case(
        "container soft delete off",
        set_prop("l1-blob-service", "containerDeleteRetentionPolicy.enabled", False),
        "containerDeleteRetentionPolicy.enabled is false",
        "l1-storage",
    ),
]


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
