"""identity-keyvault-rbac: Key Vault permissions are Azure RBAC role assignments."""

from __future__ import annotations

from tests.policies.cases import Case, rule_tests, set_prop

RULE = "identity-keyvault-rbac"

CASES = [
    Case(
        "access-policy vault",
        set_prop("l3-vault", "properties.enableRbacAuthorization", False),
        "enableRbacAuthorization is false; expected true",
        "l3-vault",
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
