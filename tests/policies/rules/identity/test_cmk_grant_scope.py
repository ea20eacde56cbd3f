"""identity-cmk-grant-scope: the key role is granted on one key, to an identity of that key's own level."""

from __future__ import annotations

from tests.conftest import SUBSCRIPTION
from tests.policies.cases import (
    Case,
    computed_from,
    outside,
    refer,
    retarget,
    rule_tests,
    set_prop,
)

RULE = "identity-cmk-grant-scope"
GRANT = "l3-key-access"
SCOPE_CHECKED = frozenset({"identity-grant-scope"})  # owns the value-against-dependency finding

CASES = [
    Case(
        "key role granted on the whole vault",
        retarget(GRANT, "scope", "scope", "l3-vault"),
        "the crypto role is scoped to Vault 'l3-vault'; expected a single Key",
        GRANT,
    ),
    Case(
        "key role granted on the resource group",
        retarget(GRANT, "scope", "scope", "l3-rg"),
        "the crypto role is scoped to ResourceGroup 'l3-rg'; expected a single Key",
        GRANT,
    ),
    Case(
        "level-1 identity granted the level-3 key",
        retarget(GRANT, "principalId", "principalId", "l1-identity", "principal"),
        "UserAssignedIdentity 'l1-identity' of level 1 is granted key 'l3-key' of level 3",
        GRANT,
    ),
    Case(
        "level-3 identity granted the level-1 key",
        retarget(GRANT, "scope", "scope", "l1-key"),
        "UserAssignedIdentity 'l3-identity' of level 3 is granted key 'l1-key' of level 1",
        GRANT,
    ),
    Case(
        "key grant scoped to the subscription, its dependency still the key",
        set_prop(GRANT, "scope", f"/subscriptions/{SUBSCRIPTION}"),
        "scope does not reference a Key declared in this stack",
        GRANT,
        also=SCOPE_CHECKED,
        known_only=True,
    ),
    Case(
        "key grant given to another identity's principal, its dependency still its own",
        refer(GRANT, "principalId", "l1-identity", "principal"),
        "principalId does not reference a UserAssignedIdentity declared in this stack",
        GRANT,
        also=SCOPE_CHECKED | {"identity-role-assignment-groups"},
        known_only=True,
    ),
    Case(
        "scope outside the stack",
        outside("l1-key-access", "scope", "scope", f"/subscriptions/{SUBSCRIPTION}"),
        "scope does not reference a Key declared in this stack",
        "l1-key-access",
    ),
]

CASES += [
    Case(
        "the key grant's principal computed from the vault, not an identity",
        computed_from("l3-key-access", "principalId", "l3-vault"),  # no identity: the vault
        "principalId does not reference a UserAssignedIdentity declared in this stack",
        "l3-key-access",
        also=frozenset({"identity-role-assignment-groups", "identity-grant-scope"}),
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
