"""identity-grant-scope: a group grant reaches one zone or one account of its own level, and no further."""

from __future__ import annotations

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.conftest import SUBSCRIPTION
from tests.policies.cases import (
    Case,
    Once,
    chain,
    drop_ref,
    once_tests,
    outside,
    retarget,
    rule_tests,
    set_input,
    set_prop,
)

RULE = "identity-grant-scope"
L1_GRANT = "l1-grant-vru-analysts"
L3_GRANT = "l3-grant-tvp-analysts"
SUBSCRIPTION_ID = f"/subscriptions/{SUBSCRIPTION}"

CASES = [
    Case(
        "a level-1 grant rescoped to the level-3 account",
        retarget(L1_GRANT, "scope", "scope", "l3-storage"),
        "the grant for level 1 is scoped to StorageAccount 'l3-storage' of level 3",
        L1_GRANT,
        also=frozenset({"identity-level3-use-case"}),
    ),
    Case(
        "a level-3 grant scoped to the subscription, its dependency still the container "
        "(components/access.py with scope=apply(lambda _: '/subscriptions/<id>'))",
        set_prop(L3_GRANT, "scope", SUBSCRIPTION_ID),
        f"scope names the subscription '{SUBSCRIPTION}' but was computed from BlobContainer "
        "'l3-container-matched'",
        L3_GRANT,
        known_only=True,
    ),
    Case(
        "a group grant scoped to the subscription",
        outside(L1_GRANT, "scope", "scope", SUBSCRIPTION_ID),
        f"scope names the subscription '{SUBSCRIPTION}', which is not a container or storage account",
        L1_GRANT,
        also=frozenset({"identity-level3-use-case"}),
    ),
    Case(
        "the subscription requested while the outputs still show the container",
        set_input(L3_GRANT, "scope", SUBSCRIPTION_ID),
        "scope names the subscription",
        L3_GRANT,
        known_only=True,
    ),
    Case(
        "a group grant on the level's key vault",
        retarget(L3_GRANT, "scope", "scope", "l3-vault"),
        "the grant is scoped to Vault 'l3-vault'; a group grant may be scoped only to a container or a "
        "storage account",
        L3_GRANT,
    ),
    Case(
        "a group grant on the level's resource group",
        retarget(L3_GRANT, "scope", "scope", "l3-rg"),
        "the grant is scoped to ResourceGroup 'l3-rg'",
        L3_GRANT,
    ),
    Case(
        "a group grant on the audit archive",
        retarget(L1_GRANT, "scope", "scope", "audit-archive-account"),
        "the grant for level 1 is scoped to StorageAccount 'audit-archive-account' of level shared",
        L1_GRANT,
    ),
    Case(
        "a grant that says it is for another level than it is declared in",
        set_prop(L1_GRANT, "description", "TVT grant: reader for vru-analysts on level 2."),
        "the grant says it is for level 2 but is declared at level 1",
        L1_GRANT,
    ),
]

CASES += [
    Case(
        "a grant that names no level, rescoped to the level-3 account: its declared level decides",
        chain(
            set_prop(L1_GRANT, "description", "TVT grant: reader for vru-analysts."),
            retarget(L1_GRANT, "scope", "scope", "l3-storage"),
        ),
        "the grant for level 1 is scoped to StorageAccount 'l3-storage' of level 3",
        L1_GRANT,
        also=frozenset({"identity-level3-use-case"}),
    ),
    Case(
        "a group grant whose scope is not an ARM id",
        outside(L1_GRANT, "scope", "scope", "everything"),
        "scope is 'everything', which is not an ARM id",
        L1_GRANT,
    ),
    Case(
        "a group grant with no scope at all",
        chain(set_prop(L1_GRANT, "scope"), drop_ref(L1_GRANT, "scope")),
        "scope names <absent>, which is not a container or storage account of this stack",
        L1_GRANT,
        also=frozenset({"azure-api-conformance"}),
    ),
    Case(
        "a group grant whose scope is empty",
        chain(set_prop(L1_GRANT, "scope", ""), drop_ref(L1_GRANT, "scope")),
        "scope names '', which is not a container or storage account of this stack",
        L1_GRANT,
        also=frozenset({"azure-api-conformance"}),
    ),
    Case(
        "a group grant's principal unknown, with no dependency (nothing can say who it is)",
        set_prop(L3_GRANT, "principalId", UNKNOWN_STRING_VALUE),
        "principalId is unknown and not computed from a UserAssignedIdentity of this stack",
        L3_GRANT,
    ),
    Case(
        "a group grant's scope unknown, with no dependency",
        chain(set_prop(L3_GRANT, "scope", UNKNOWN_STRING_VALUE), drop_ref(L3_GRANT, "scope")),
        "scope is unknown and not computed from a resource of this stack",
        L3_GRANT,
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)

# A scope that names nothing it can be shown to name is the reference's one finding; the rule's own
# "not a container or storage account" check adds nothing about it.
ONCE = [
    Once(
        "a group grant's scope unknown, with no dependency",
        chain(set_prop(L3_GRANT, "scope", UNKNOWN_STRING_VALUE), drop_ref(L3_GRANT, "scope")),
        RULE,
        "scope is unknown and not computed from a resource of this stack",
        L3_GRANT,
    ),
    Once(
        "a group grant whose scope is not an ARM id",
        outside(L1_GRANT, "scope", "scope", "everything"),
        RULE,
        "scope is 'everything', which is not an ARM id",
        L1_GRANT,
    ),
]
test_reported_once = once_tests(RULE, ONCE)
