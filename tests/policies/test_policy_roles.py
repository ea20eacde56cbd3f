"""policies/roles.py: what an assignment grants, from a built-in role or the stack's own custom role."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from policies.model import Resource
from policies.roles import (
    BLOB_ADD,
    BLOB_READ,
    BLOB_WRITE,
    BUILT_IN,
    KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
    OWNER,
    STORAGE_BLOB_DATA_READER,
    TVT_ROLES,
    GrantedRole,
    assigned_role,
    custom_role,
    declared_roles,
    granted_role,
    role_guid,
    role_name,
    tvt_role,
)
from policies.stack_index import StackIndex
from tests.policies.baselines import compliant_stack, policy_resources

SUB = "/subscriptions/00000000-0000-4000-8000-100000000042"
GUID = "fdb115d8-6612-52ea-939a-e94375a196cc"


def definition(data_actions: list[str], **extra: Any) -> dict[str, Any]:
    """A RoleDefinition's inputs granting ``data_actions`` (plus whatever ``extra`` permissions say)."""
    return {
        "roleDefinitionId": GUID,
        "roleName": "TVT prod level 3 reader",
        "assignableScopes": [f"{SUB}/resourceGroups/rg-tvt-prod-l3"],
        "permissions": [{"actions": [], "dataActions": data_actions, **extra}],
    }


@pytest.mark.parametrize(
    ("value", "guid"),
    [
        (f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{GUID}", GUID),
        (f"/providers/Microsoft.Authorization/roleDefinitions/{GUID.upper()}/", GUID),
        (f"{SUB}/providers/microsoft.authorization/ROLEDEFINITIONS/{GUID}", GUID),
        (GUID, None),  # a bare GUID is not a role definition id
        (f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{GUID}/x", None),
        (f"{SUB}/resourceGroups/rg/providers/Microsoft.Authorization/roleDefinitions/{GUID}", None),
        (f"{SUB}/providers/Microsoft.Authorization/roleAssignments/{GUID}", None),
        (f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{GUID[:-1]}", None),
        (None, None),
        (7, None),
    ],
)
def test_role_guid_reads_only_role_definition_ids(value: Any, guid: str | None) -> None:
    assert role_guid(value) == guid


def test_role_name_names_built_in_roles_and_shows_the_rest() -> None:
    assert role_name(OWNER) == "Owner"
    assert role_name(STORAGE_BLOB_DATA_READER) == "Storage Blob Data Reader"
    assert role_name(GUID) == GUID
    assert role_name(None) == "<unparseable>"


def test_grants_matches_data_actions_case_insensitively_and_only_data_actions() -> None:
    reader = BUILT_IN[STORAGE_BLOB_DATA_READER]
    assert reader.grants(BLOB_READ) and reader.grants(BLOB_READ.upper())
    assert not reader.grants(BLOB_WRITE)
    assert not reader.grants(reader.actions[0]), "a control-plane action is not a data action"


def test_custom_role_is_the_union_of_its_permissions() -> None:
    props = definition([BLOB_READ])
    props["permissions"].append(
        {
            "actions": ["Microsoft.Storage/*"],
            "notActions": ["a"],
            "dataActions": [BLOB_WRITE],
            "notDataActions": ["b"],
        }
    )
    role = custom_role(props)
    assert role == GrantedRole(
        "TVT prod level 3 reader",
        ("Microsoft.Storage/*",),
        (BLOB_READ, BLOB_WRITE),
        custom=True,
        not_actions=("a",),
        not_data_actions=("b",),
        assignable_scopes=(f"{SUB}/resourceGroups/rg-tvt-prod-l3",),
    )


def test_custom_role_without_a_name_or_list_of_scopes() -> None:
    role = custom_role({"permissions": [{"dataActions": [BLOB_READ]}], "assignableScopes": "everywhere"})
    assert role.name == "<unnamed custom role>" and role.assignable_scopes == () and role.custom


@pytest.mark.parametrize("name", sorted(TVT_ROLES))
def test_a_custom_role_with_exactly_a_tvt_roles_data_actions_is_that_role(name: str) -> None:
    assert tvt_role(custom_role(definition(sorted(TVT_ROLES[name])))) == name


@pytest.mark.parametrize(
    ("role", "why"),
    [
        (custom_role(definition([BLOB_READ, BLOB_ADD])), "one data action too many"),
        (custom_role(definition([BLOB_WRITE])), "one data action too few"),
        (custom_role(definition([BLOB_READ], actions=["Microsoft.Storage/read"])), "a control-plane action"),
        (custom_role(definition([BLOB_READ], notActions=["x"])), "a notAction"),
        (custom_role(definition([BLOB_READ], notDataActions=["x"])), "a notDataAction"),
        (GrantedRole("Storage Blob Data Reader", data_actions=(BLOB_READ,)), "a built-in role"),
    ],
)
def test_anything_else_is_no_tvt_role(role: GrantedRole, why: str) -> None:
    assert tvt_role(role) is None, why


def test_granted_role_prefers_the_stacks_own_definition_then_the_built_in_table() -> None:
    own = {GUID: definition([BLOB_READ])}
    assert granted_role(
        f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{GUID}", own
    ) == custom_role(own[GUID])
    key_role = (
        f"/providers/Microsoft.Authorization/roleDefinitions/{KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER}"
    )
    assert granted_role(key_role, own) == BUILT_IN[KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER]
    assert granted_role(f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{GUID}", {}) is None
    assert granted_role("not an id", own) is None


def test_declared_roles_keys_definitions_by_their_guid() -> None:
    first, unnamed = definition([BLOB_READ]), {"roleName": "no id"}
    shouted = {**definition([BLOB_WRITE]), "roleDefinitionId": GUID.upper()}
    assert declared_roles([first, unnamed]) == {GUID: first}
    assert declared_roles([shouted]) == {GUID: shouted}


STACK = compliant_stack()


def assignment(name: str, **changes: Any) -> tuple[StackIndex, Resource]:
    """The baseline's index with resource ``name``'s properties changed, and that resource."""
    resources = policy_resources(STACK)
    urn = STACK[name].urn
    for i, found in enumerate(resources):
        if found.urn == urn:
            resources[i] = dataclasses.replace(found, props={**found.props, **changes})
    index = StackIndex(resources)
    changed = index.get(urn)
    assert changed is not None
    return index, changed


def test_assigned_role_reads_the_stacks_custom_role_it_depends_on() -> None:
    role = assigned_role(*assignment("l3-grant-tvp-data-ingest-upload"))
    assert role is not None and tvt_role(role) == "ingest-writer"
    assert role.assignable_scopes == (STACK["l3-rg"].id,)


def test_assigned_role_reads_built_in_roles_by_guid() -> None:
    assert assigned_role(*assignment("l3-key-access")) == BUILT_IN[KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER]


def test_assigned_role_knows_nothing_of_an_unknown_guid() -> None:
    unknown = f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{GUID[:-4]}0000"
    assert assigned_role(*assignment("l3-key-access", roleDefinitionId=unknown)) is None


def test_a_value_that_disagrees_with_its_dependency_is_one_finding_of_the_allow_list() -> None:
    # The value names Owner while the dependency is on the stack's reader role: that disagreement is
    # identity-role-allow-list's one finding; every other reader sees the dependency's role, so no
    # other rule reports the same problem a second time (the plan is refused by that finding).
    owner = f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{OWNER}"
    index, changed = assignment("l3-grant-tvp-analysts", roleDefinitionId=owner)
    role = assigned_role(index, changed)
    assert role is not None and role.custom and role.name == "TVT prod level 3 reader"
    (problem,) = index.reference_problems(changed, "roleDefinitionId")
    assert problem.reference.rule == "identity-role-allow-list"


def test_a_role_id_computed_from_something_that_is_no_role_definition_is_read_by_its_value() -> None:
    owner = f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{OWNER}"
    resources = policy_resources(STACK)
    urn = STACK["l3-grant-tvp-analysts"].urn
    for i, found in enumerate(resources):
        if found.urn == urn:
            deps = {**found.property_dependencies, "roleDefinitionId": (STACK["l3-rg"].urn,)}
            resources[i] = dataclasses.replace(
                found, props={**found.props, "roleDefinitionId": owner}, property_dependencies=deps
            )
    index = StackIndex(resources)
    changed = index.get(urn)
    assert changed is not None and assigned_role(index, changed) == BUILT_IN[OWNER]
