"""audit-diagnostics-present: every resource that can emit diagnostics has a diagnostic setting."""

from __future__ import annotations

import pytest

from tests.policies.cases import Case, assert_baseline_passes, assert_case_trips, drop, point_ref
from tests.policies.harness import Hit

RULE = "audit-diagnostics-present"

CASES = [
    Case(
        "vault without diagnostic setting",
        drop("l3-vault-diag"),
        "no diagnostic setting targets this",
        "l3-vault",
    ),
    Case(
        "diagnostic setting aimed elsewhere",
        point_ref("l3-nsg-diag", "resourceUri", "l1-nsg"),
        "no diagnostic setting targets this azure-native:network:NetworkSecurityGroup",
        "l3-nsg",
    ),
]


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
