"""data-protection-audit-immutability: the audit archive is write-once (WORM) for its retention period."""

from __future__ import annotations

from tests.policies.cases import Case, rule_tests, set_prop

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


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
