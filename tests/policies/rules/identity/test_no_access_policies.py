"""identity-no-access-policies: no Key Vault access policies, inline or as resources."""

from __future__ import annotations

from tests.policies.cases import Case, add, rule_tests, set_prop

RULE = "identity-no-access-policies"

CASES = [
    Case(
        "inline access policy",
        set_prop(
            "l3-vault", "properties.accessPolicies", [{"objectId": "x", "permissions": {"keys": ["all"]}}]
        ),
        "accessPolicies has 1 access polic(ies)",
        "l3-vault",
        also=frozenset({"azure-api-conformance"}),  # the entry has no tenantId, which Azure requires
    ),
    Case(
        "access policy resource",
        add("azure-native:keyvault:AccessPolicy", "l3-access-policy", "l3-keyvault", {"vaultName": "kv"}),
        "a Key Vault access policy resource is declared",
        "l3-access-policy",
        also=frozenset(
            {"encryption-unclassified-type", "audit-diagnostics-present", "azure-api-conformance"}
        ),
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
