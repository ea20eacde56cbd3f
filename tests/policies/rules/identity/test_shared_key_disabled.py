"""identity-shared-key-disabled: data is reached with Entra ID identities only, never shared keys."""

from __future__ import annotations

from tests.policies.cases import Case, rule_tests, set_prop

RULE = "identity-shared-key-disabled"

CASES = [
    Case(
        "shared key allowed",
        set_prop("l3-storage", "allowSharedKeyAccess", True),
        "allowSharedKeyAccess is true; expected false",
        "l3-storage",
    ),
    Case(
        "local users (SFTP) on",
        set_prop("l3-storage", "isLocalUserEnabled", True),
        "isLocalUserEnabled is true",
        "l3-storage",
    ),
    Case(
        "workspace local auth",
        set_prop("audit-workspace", "features.disableLocalAuth", False),
        "features.disableLocalAuth is false",
        "audit-workspace",
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
