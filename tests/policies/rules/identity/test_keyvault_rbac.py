"""identity-keyvault-rbac: Key Vault permissions are Azure RBAC role assignments."""

from __future__ import annotations

import pytest

from tests.policies.cases import Case, assert_baseline_passes, assert_case_trips, set_prop
from tests.policies.harness import Hit

RULE = "identity-keyvault-rbac"

CASES = [
    Case(
        "access-policy vault",
        set_prop("l3-vault", "properties.enableRbacAuthorization", False),
        "enableRbacAuthorization is false; expected true",
        "l3-vault",
    ),
]


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
