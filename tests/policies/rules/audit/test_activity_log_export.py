"""audit-activity-log-export: the subscription's activity log is exported to the workspace and archive."""

from __future__ import annotations

import pytest

from tests.policies.cases import Case, assert_baseline_passes, assert_case_trips, drop, drop_ref, set_prop
from tests.policies.harness import Hit

RULE = "audit-activity-log-export"

CASES = [
    Case(
        "Security category off",
        set_prop("audit-activity-log", "logs.1.enabled", False),
        "activity log categories not enabled: Security",
        "audit-activity-log",
    ),
    Case("no activity log export", drop("audit-activity-log"), "no SubscriptionDiagnosticSetting exports"),
    Case(
        "not to the archive",
        drop_ref("audit-activity-log", "storageAccountId"),
        "storageAccountId does not reference the audit archive",
        "audit-activity-log",
    ),
]


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
