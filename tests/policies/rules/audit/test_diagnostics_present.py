"""audit-diagnostics-present: every resource that can emit diagnostics has a diagnostic setting."""

from __future__ import annotations

from tests.policies.cases import Case, drop, refer, retarget, rule_tests

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
        retarget("l3-nsg-diag", "resourceUri", "resourceUri", "l1-nsg"),
        "no diagnostic setting targets this azure-native:network:NetworkSecurityGroup",
        "l3-nsg",
    ),
    Case(
        "diagnostic setting's resourceUri names another resource, its dependency kept",
        refer("l3-nsg-diag", "resourceUri", "l1-nsg"),
        "no diagnostic setting targets this azure-native:network:NetworkSecurityGroup",
        "l3-nsg",
        also=frozenset({"audit-diagnostics-destination"}),
        known_only=True,
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
