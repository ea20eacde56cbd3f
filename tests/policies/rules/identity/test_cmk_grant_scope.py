"""identity-cmk-grant-scope: the key role is granted on one key, to an identity of that key's own level."""

from __future__ import annotations

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.conftest import SUBSCRIPTION
from tests.policies.cases import (
    Case,
    Once,
    Variant,
    chain,
    computed_from,
    drop_ref,
    once_tests,
    outside,
    point_ref,
    refer,
    retarget,
    rule_tests,
    set_prop,
    variant_tests,
)

RULE = "identity-cmk-grant-scope"
GRANT = "l3-key-access"
OWNER = "identity-grant-scope"  # owns the role assignment's references (policies/references.py)

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
        "scope outside the stack",
        outside("l1-key-access", "scope", "scope", f"/subscriptions/{SUBSCRIPTION}"),
        "scope does not reference a Key declared in this stack",
        "l1-key-access",
    ),
]

# What the value fails to name is identity-grant-scope's one finding; this rule adds nothing.
ONCE = [
    Once(
        "key grant scoped to the subscription, its dependency still the key",
        set_prop(GRANT, "scope", f"/subscriptions/{SUBSCRIPTION}"),
        OWNER,
        f"scope names the subscription '{SUBSCRIPTION}' but was computed from Key 'l3-key'",
        GRANT,
    ),
    Once(
        "key grant given to another identity's principal, its dependency still its own",
        refer(GRANT, "principalId", "l1-identity", "principal"),
        OWNER,
        "but was computed from UserAssignedIdentity 'l3-identity'",
        GRANT,
    ),
    Once(
        "the key grant's principal computed from the vault, not an identity",
        computed_from(GRANT, "principalId", "l3-vault"),
        OWNER,
        "principalId is unknown and not computed from a UserAssignedIdentity of this stack",
        GRANT,
    ),
    Once(
        "the key grant's scope unknown, with no dependency",
        chain(set_prop(GRANT, "scope", UNKNOWN_STRING_VALUE), drop_ref(GRANT, "scope")),
        OWNER,
        "scope is unknown and not computed from a resource of this stack",
        GRANT,
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
test_reported_once = once_tests(RULE, ONCE)

VARIANTS = [
    # Only an identity can be the key's user: another dependency of principalId (here another
    # level's vault) is not taken for one.
    Variant(
        "principalId also depends on another level's vault",
        point_ref(GRANT, "principalId", "l3-identity", "l1-vault"),
    ),
]
test_compliant_variant = variant_tests(RULE, VARIANTS)
