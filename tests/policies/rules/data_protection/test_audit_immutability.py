"""data-protection-audit-immutability: the audit archive is write-once (WORM) for its retention period."""

from __future__ import annotations

import pytest

from tests.policies.cases import Case, assert_baseline_passes, assert_case_trips, set_prop
from tests.policies.harness import Hit

RULE = "data-protection-audit-immutability"

CASES = [
    Case(
        "archive unlocked in prod",
        set_prop(
            "audit-archive-account", "immutableStorageWithVersioning.immutabilityPolicy.state", "Unlocked"
        ),
        "state is 'Unlocked'; expected Locked in prod",
        "audit-archive-account",
    ),
    Case(
        "archive kept 30 days",
        set_prop(
            "audit-archive-account",
            "immutableStorageWithVersioning.immutabilityPolicy.immutabilityPeriodSinceCreationInDays",
            30,
        ),
        "immutabilityPeriodSinceCreationInDays is 30; expected at least 365",
        "audit-archive-account",
    ),
    Case(
        "append writes blocked",
        set_prop(
            "audit-archive-account",
            "immutableStorageWithVersioning.immutabilityPolicy.allowProtectedAppendWrites",
            False,
        ),
        "allowProtectedAppendWrites is not true",
        "audit-archive-account",
    ),
    Case(
        "no versioning",
        set_prop("audit-blob-service", "isVersioningEnabled", False),
        "isVersioningEnabled is not true",
        "audit-archive-account",
    ),
    Case(
        "archive not WORM",
        set_prop("audit-archive-account", "immutableStorageWithVersioning"),
        "immutableStorageWithVersioning.enabled is <absent>",
        "audit-archive-account",
    ),
]


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
