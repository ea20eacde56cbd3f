"""identity-no-access-policies: no Key Vault access policies, inline or as resources."""

from __future__ import annotations

import pytest

from tests.policies.cases import Case, add, assert_baseline_passes, assert_case_trips, set_prop
from tests.policies.harness import Hit

RULE = "identity-no-access-policies"

CASES = [
    Case(
        "inline access policy",
        set_prop(
            "l3-vault", "properties.accessPolicies", [{"objectId": "x", "permissions": {"keys": ["all"]}}]
        ),
        "accessPolicies has 1 access polic(ies)",
        "l3-vault",
    ),
    Case(
        "access policy resource",
        add("azure-native:keyvault:AccessPolicy", "l3-access-policy", "l3-keyvault", {"vaultName": "kv"}),
        "a Key Vault access policy resource is declared",
        "l3-access-policy",
        also=frozenset({"encryption-unclassified-type", "audit-diagnostics-present"}),
    ),
]


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
