"""The roles the pack and the ``tvt`` report reason about: built-in roles by GUID, and TVT's custom roles.

The program declares its roles in ``components/roles.py``: the built-in key role, and one custom
role per TVT role and level whose only permissions are that TVT role's blob data actions
(:data:`TVT_ROLES`). ``tests/policies/test_policy_cross_checks.py`` proves the two tables agree.
What an assignment grants is read from its role definition: a built-in one this table knows, or a
custom one the stack declares (:func:`custom_role`); anything else cannot be judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from policies.catalog import ROLE_DEFINITION
from policies.model import Resource
from policies.props import items, peek, text
from policies.stack_index import StackIndex

OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
USER_ACCESS_ADMINISTRATOR = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
STORAGE_BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6"

_BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs"
_CONTAINERS = "Microsoft.Storage/storageAccounts/blobServices/containers"
BLOB_READ = f"{_BLOBS}/read"
BLOB_WRITE = f"{_BLOBS}/write"
BLOB_ADD = f"{_BLOBS}/add/action"
BLOB_DELETE = f"{_BLOBS}/delete"
BLOB_MOVE = f"{_BLOBS}/move/action"
USER_DELEGATION_KEY = "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action"


@dataclass(frozen=True)
class GrantedRole:
    """What a role definition lets its holders do: control-plane ``actions`` and ``data_actions``."""

    name: str
    actions: tuple[str, ...] = ()
    data_actions: tuple[str, ...] = ()
    custom: bool = False
    not_actions: tuple[str, ...] = ()
    not_data_actions: tuple[str, ...] = ()
    assignable_scopes: tuple[str, ...] = ()

    def grants(self, action: str) -> bool:
        """Whether the data action is among the role's data actions (as written, no wildcards)."""
        return action.casefold() in {a.casefold() for a in self.data_actions}


# Built-in roles as learn.microsoft.com "Azure built-in roles" lists them (Storage, Security, General).
BUILT_IN: Mapping[str, GrantedRole] = MappingProxyType(
    {
        OWNER: GrantedRole("Owner", ("*",)),
        CONTRIBUTOR: GrantedRole(
            "Contributor",
            ("*",),
            not_actions=(
                "Microsoft.Authorization/*/Delete",
                "Microsoft.Authorization/*/Write",
                "Microsoft.Authorization/elevateAccess/Action",
            ),
        ),
        USER_ACCESS_ADMINISTRATOR: GrantedRole(
            "User Access Administrator", ("*/read", "Microsoft.Authorization/*", "Microsoft.Support/*")
        ),
        STORAGE_BLOB_DATA_READER: GrantedRole(
            "Storage Blob Data Reader", (f"{_CONTAINERS}/read", USER_DELEGATION_KEY), (BLOB_READ,)
        ),
        STORAGE_BLOB_DATA_CONTRIBUTOR: GrantedRole(
            "Storage Blob Data Contributor",
            (f"{_CONTAINERS}/delete", f"{_CONTAINERS}/read", f"{_CONTAINERS}/write", USER_DELEGATION_KEY),
            (BLOB_DELETE, BLOB_READ, BLOB_WRITE, BLOB_MOVE, BLOB_ADD),
        ),
        # Its data actions only ("read metadata of keys and perform wrap/unwrap operations"): the pack
        # judges this role by where it is scoped (identity-cmk-grant-scope), not by its actions.
        KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER: GrantedRole(
            "Key Vault Crypto Service Encryption User",
            data_actions=(
                "Microsoft.KeyVault/vaults/keys/read",
                "Microsoft.KeyVault/vaults/keys/wrap/action",
                "Microsoft.KeyVault/vaults/keys/unwrap/action",
            ),
        ),
    }
)
NAMES: Mapping[str, str] = MappingProxyType({guid: role.name for guid, role in BUILT_IN.items()})

TVT_ROLES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "reader": frozenset({BLOB_READ}),
        "contributor": frozenset({BLOB_READ, BLOB_WRITE, BLOB_ADD, BLOB_DELETE, BLOB_MOVE}),
        "ingest-writer": frozenset({BLOB_WRITE, BLOB_ADD}),
    }
)
"""Each TVT custom role's data actions, exactly; a TVT role has no control-plane action at all.

The built-in Storage Blob Data roles carry control-plane actions (``containers/delete`` and
``containers/write`` for the contributor, ``generateUserDelegationKey`` for both) that an ABAC
condition cannot bound, so partner groups get these instead.
"""

_ROLE_ID = re.compile(
    r"^(/subscriptions/[^/]+)?/providers/Microsoft\.Authorization/roleDefinitions/"
    r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/?$",
    re.IGNORECASE,
)


def role_guid(role_definition_id: Any) -> str | None:
    """The role definition GUID of a roleDefinitionId, or None when it is not a role definition id."""
    match = _ROLE_ID.match(text(role_definition_id))
    return match.group(2).lower() if match else None


def role_name(guid: str | None) -> str:
    return NAMES.get(guid or "", guid or "<unparseable>")


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(text(v) for v in items(value))


def custom_role(props: Mapping[str, Any]) -> GrantedRole:
    """What a ``RoleDefinition`` resource's inputs grant: the union of its permissions."""
    # Read with peek: during a preview any of these may be unknown (then it grants nothing known).
    permissions = items(peek(props, "permissions"))

    def every(key: str) -> tuple[str, ...]:
        return tuple(a for p in permissions for a in _strings(peek(p, key)))

    scopes = peek(props, "assignableScopes")
    return GrantedRole(
        text(peek(props, "roleName")) or "<unnamed custom role>",
        every("actions"),
        every("dataActions"),
        custom=True,
        not_actions=every("notActions"),
        not_data_actions=every("notDataActions"),
        assignable_scopes=_strings(scopes),
    )


def tvt_role(role: GrantedRole) -> str | None:
    """Which TVT role ``role`` is exactly (its data actions and nothing else), or None."""
    if role.actions or role.not_actions or role.not_data_actions or not role.custom:
        return None
    held = frozenset(role.data_actions)
    return next((name for name, actions in TVT_ROLES.items() if held == actions), None)


def granted_role(role_definition_id: Any, custom: Mapping[str, Mapping[str, Any]]) -> GrantedRole | None:
    """What ``role_definition_id`` grants: a built-in role this table knows, or one of ``custom``
    (GUID -> a ``RoleDefinition``'s inputs, the roles the stack declares); None when neither knows it."""
    guid = role_guid(role_definition_id)
    if guid is None:
        return None
    if guid in custom:
        return custom_role(custom[guid])
    return BUILT_IN.get(guid)


def declared_roles(definitions: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """GUID -> inputs of each ``RoleDefinition`` a stack declares (its ``roleDefinitionId`` is the GUID)."""
    found: dict[str, Mapping[str, Any]] = {}
    for props in definitions:
        guid = text(props.get("roleDefinitionId")).casefold()
        if guid:
            found[guid] = props
    return found


def assigned_role(index: StackIndex, assignment: Resource) -> GrantedRole | None:
    """What a role assignment grants: the custom role of this stack its ``roleDefinitionId`` names
    (value and dependency agreeing), else the built-in role of that GUID; None when neither is known."""
    declared = index.targets(assignment, "roleDefinitionId", ROLE_DEFINITION)
    if declared:
        return custom_role(declared[0].props)
    return BUILT_IN.get(role_guid(peek(assignment.props, "roleDefinitionId")) or "")
