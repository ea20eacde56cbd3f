"""identity-shared-key-disabled: data is reached with Entra ID identities only, never shared keys."""

from __future__ import annotations

import pytest

from tests.policies.cases import Case, assert_baseline_passes, assert_case_trips, set_prop
from tests.policies.harness import Hit

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


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
