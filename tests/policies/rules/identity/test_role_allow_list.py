"""identity-role-allow-list: only the data roles the platform is designed around are ever assigned."""

from __future__ import annotations

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.conftest import SUBSCRIPTION
from tests.policies.baselines import BLOB_CONTRIBUTOR, role_id
from tests.policies.cases import (
    Case,
    Once,
    Variant,
    chain,
    computed_from,
    drop_ref,
    foreign,
    once_tests,
    point_ref,
    refer,
    retarget,
    rule_tests,
    set_prop,
    variant_tests,
)

RULE = "identity-role-allow-list"
GRANT = "l1-grant-vru-analysts"
ROLE = "l1-role-reader"
READER_ROLE = "acdd72a7-3385-48ef-bd42-f606fba81ae7"  # built-in Reader: valid, but not a data role we allow
CONTAINERS = "Microsoft.Storage/storageAccounts/blobServices/containers"


def assign(value: str) -> object:
    """The grant names this role definition instead of its level's custom role (no dependency left)."""
    return chain(set_prop(GRANT, "roleDefinitionId", value), drop_ref(GRANT, "roleDefinitionId"))


CASES = [
    Case(
        "Reader role",
        assign(role_id(READER_ROLE)),
        f"({READER_ROLE}) is neither an allow-listed built-in role nor a TVT custom role",
        GRANT,
    ),
    Case(
        "built-in Storage Blob Data Contributor, whose control-plane actions ABAC cannot bound",
        assign(role_id(BLOB_CONTRIBUTOR)),
        "role Storage Blob Data Contributor",
        GRANT,
    ),
    Case(
        "role name instead of id",
        assign("Storage Blob Data Reader"),
        "roleDefinitionId is 'Storage Blob Data Reader', which is not an ARM id",
        GRANT,
    ),
    Case(
        "the role id names level 3's reader, its dependency still level 1's",
        refer(GRANT, "roleDefinitionId", "l3-role-reader"),
        "roleDefinitionId names Microsoft.Authorization/roleDefinitions",
        GRANT,
        known_only=True,
    ),
    Case(
        "custom role with a control-plane action",
        set_prop(ROLE, "permissions.0.actions", [f"{CONTAINERS}/delete"]),
        "custom role 'TVT prod level 1 reader' is not exactly a TVT role "
        f"(control-plane actions: {CONTAINERS}/delete",
        ROLE,
    ),
    Case(
        "custom role with more data actions than its TVT role",
        set_prop(
            ROLE, "permissions.0.dataActions", [f"{CONTAINERS}/blobs/read", f"{CONTAINERS}/blobs/delete"]
        ),
        f"is not exactly a TVT role (control-plane actions: none; data actions: {CONTAINERS}/blobs/delete, "
        f"{CONTAINERS}/blobs/read); expected exactly the data actions of one of reader",
        ROLE,
    ),
    Case(
        "custom role with no data action",
        set_prop(ROLE, "permissions.0.dataActions", []),
        "(control-plane actions: none; data actions: none)",
        ROLE,
    ),
    Case(
        "a built-in role named with a dependency on something that is no role definition",
        chain(
            set_prop(GRANT, "roleDefinitionId", role_id(READER_ROLE)),
            point_ref(GRANT, "roleDefinitionId", "l1-rg"),
        ),
        f"({READER_ROLE}) is neither an allow-listed built-in role nor a TVT custom role",
        GRANT,
    ),
    Case(
        "role id unknown during preview and computed from nothing",
        assign(UNKNOWN_STRING_VALUE),
        "roleDefinitionId is unknown and not computed from a RoleDefinition of this stack",
        GRANT,
    ),
    Case(
        "custom role with no assignable scope",
        chain(set_prop(ROLE, "assignableScopes"), drop_ref(ROLE, "assignableScopes")),
        "assignableScopes is not set",
        ROLE,
        also=frozenset({"azure-api-conformance"}),
    ),
    Case(
        "custom role declared at the subscription",
        chain(set_prop(ROLE, "scope", f"/subscriptions/{SUBSCRIPTION}"), drop_ref(ROLE, "scope")),
        "scope names the subscription",
        ROLE,
    ),
    Case(
        "custom role assignable in the whole subscription",
        chain(
            set_prop(ROLE, "assignableScopes", [f"/subscriptions/{SUBSCRIPTION}"]),
            drop_ref(ROLE, "assignableScopes"),
        ),
        "assignableScopes names the subscription",
        ROLE,
    ),
    Case(
        "level-1 role assignable in level 3's resource group",
        retarget(ROLE, "assignableScopes", "assignableScopes.0", "l3-rg"),
        "the level-1 role is assignable in 'l3-rg' of level 3",
        ROLE,
    ),
    Case(
        "assignable scope names the level-3 group, its dependency still level 1's",
        set_prop(ROLE, "assignableScopes", [f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-tvt-prod-l3"]),
        "assignableScopes[] names resource group 'rg-tvt-prod-l3' but was computed from "
        "ResourceGroup 'l1-rg'",
        ROLE,
        known_only=True,
    ),
]

VARIANTS = [
    Variant(
        "assignable scopes computed during preview from the level's resource group",
        computed_from(ROLE, "assignableScopes", "l1-rg"),
    ),
]

CASES += [
    Case(
        "an assignable scope names the subscription, after a scope that disagrees with its dependency",
        chain(
            set_prop(ROLE, "scope", foreign("Microsoft.Storage/storageAccounts/x")),
            set_prop(ROLE, "assignableScopes", [f"/subscriptions/{SUBSCRIPTION}"]),
            drop_ref(ROLE, "assignableScopes"),
        ),
        "assignableScopes names the subscription",
        ROLE,
    ),
]

test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
test_compliant_variant = variant_tests(RULE, VARIANTS)

# A role id, or a role definition's scope, that names nothing it can be shown to name is the
# reference's one finding; the rule's own checks of the value add nothing about it.
ONCE = [
    Once(
        "role id unknown and computed from nothing",
        assign(UNKNOWN_STRING_VALUE),
        RULE,
        "roleDefinitionId is unknown and not computed from a RoleDefinition of this stack",
        GRANT,
    ),
    Once(
        "role name instead of id",
        assign("Storage Blob Data Reader"),
        RULE,
        "roleDefinitionId is 'Storage Blob Data Reader', which is not an ARM id",
        GRANT,
    ),
    Once(
        "the role's scope names another group, its dependency still its own",
        set_prop(ROLE, "scope", foreign("Microsoft.Storage/storageAccounts/x")),
        RULE,
        "but was computed from ResourceGroup 'l1-rg'",
        ROLE,
    ),
    Once(
        "an assignable scope names another group, its dependency still its own",
        set_prop(ROLE, "assignableScopes", [foreign("Microsoft.Storage/storageAccounts/x")]),
        RULE,
        "but was computed from ResourceGroup 'l1-rg'",
        ROLE,
    ),
]
test_reported_once = once_tests(RULE, ONCE)
