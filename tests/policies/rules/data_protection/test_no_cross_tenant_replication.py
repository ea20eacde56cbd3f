"""data-protection-no-cross-tenant-replication: storage never replicates objects to another tenant."""

from __future__ import annotations

import pytest

from tests.policies.cases import Case, assert_baseline_passes, assert_case_trips, set_prop
from tests.policies.harness import Hit

RULE = "data-protection-no-cross-tenant-replication"

CASES = [
    Case(
        "cross-tenant replication",
        set_prop("l3-storage", "allowCrossTenantReplication", True),
        "allowCrossTenantReplication is true; expected false",
        "l3-storage",
    ),
]


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
