"""network-public-access-disabled: data and key services are unreachable from the internet."""

from __future__ import annotations

import pytest

from tests.policies.cases import Case, assert_baseline_passes, assert_case_trips, set_prop
from tests.policies.harness import Hit

RULE = "network-public-access-disabled"

CASES = [
    Case(
        "storage public",
        set_prop("l3-storage", "publicNetworkAccess", "Enabled"),
        "publicNetworkAccess is 'Enabled'; expected Disabled",
        "l3-storage",
    ),
    Case(
        "vault public",
        set_prop("audit-vault", "properties.publicNetworkAccess", "Enabled"),
        "properties.publicNetworkAccess is 'Enabled'",
        "audit-vault",
    ),
    Case(
        "workspace queryable publicly",
        set_prop("audit-workspace", "publicNetworkAccessForQuery", "Enabled"),
        "publicNetworkAccessForQuery is 'Enabled'",
        "audit-workspace",
    ),
]


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
