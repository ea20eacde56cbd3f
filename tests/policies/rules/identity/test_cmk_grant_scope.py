"""identity-cmk-grant-scope: the key role is granted on one key, to an identity of that key's own level."""

from __future__ import annotations

from tests.policies.cases import Case, drop_ref, point_ref, rule_tests

RULE = "identity-cmk-grant-scope"

CASES = [
    Case(
        "key role granted on the whole vault",
        point_ref("l3-key-access", "scope", "l3-vault"),
        "the crypto role is scoped to Vault 'l3-vault'; expected a single Key",
        "l3-key-access",
    ),
    Case(
        "key role granted on the resource group",
        point_ref("l3-key-access", "scope", "l3-rg"),
        "the crypto role is scoped to ResourceGroup 'l3-rg'; expected a single Key",
        "l3-key-access",
    ),
    Case(
        "level-1 identity granted the level-3 key",
        point_ref("l3-key-access", "principalId", "l1-identity"),
        "UserAssignedIdentity 'l1-identity' of level 1 is granted key 'l3-key' of level 3",
        "l3-key-access",
    ),
    Case(
        "level-3 identity granted the level-1 key",
        point_ref("l3-key-access", "scope", "l1-key"),
        "UserAssignedIdentity 'l3-identity' of level 3 is granted key 'l1-key' of level 1",
        "l3-key-access",
    ),
    Case(
        "scope not a stack reference",
        drop_ref("l1-key-access", "scope"),
        "scope does not reference a Key declared in this stack",
        "l1-key-access",
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
