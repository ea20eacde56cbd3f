"""identity-role-allow-list: only the data roles the platform is designed around are ever assigned."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import ROLE_ASSIGNMENT
from policies.framework import Controls, Param, Params, ResourceRule, RuleMeta
from policies.model import Resource
from policies.props import describe
from policies.roles import (
    KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
    STORAGE_BLOB_DATA_CONTRIBUTOR,
    STORAGE_BLOB_DATA_READER,
    role_guid,
    role_name,
)

_GUID = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

META = RuleMeta(
    id="identity-role-allow-list",
    title="Role assignments use only allow-listed built-in roles",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("9",), mcsb=("PA-7",)),
    remediation=(
        "Use a role from allowedRoleDefinitionIds (Storage Blob Data Reader/Contributor, Key Vault "
        "Crypto Service Encryption User); a new role needs a reviewed change to this rule's config."
    ),
    docs="https://learn.microsoft.com/azure/role-based-access-control/built-in-roles",
    params=(
        Param(
            "allowedRoleDefinitionIds",
            {
                "type": "array",
                "items": {"type": "string", "pattern": _GUID},
                "default": [
                    STORAGE_BLOB_DATA_READER,
                    STORAGE_BLOB_DATA_CONTRIBUTOR,
                    KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
                ],
                "description": "built-in role definition GUIDs that may be assigned",
            },
        ),
    ),
)


def check(resource: Resource, params: Params) -> Iterator[str]:
    """roleDefinitionId is a role definition id whose GUID is in allowedRoleDefinitionIds.

    Least privilege by construction: data roles only, no management-plane roles, no custom roles
    that nobody reviewed. Adding a role is a config change that shows up in review.
    """
    value = resource.props.get("roleDefinitionId")
    guid = role_guid(value)
    if guid is None:
        yield f"roleDefinitionId {describe(value)} is not a role definition id"
    elif guid not in {str(g).lower() for g in params["allowedRoleDefinitionIds"]}:
        yield f"role {role_name(guid)} ({guid}) is not in the allow-list"


RULE = ResourceRule(META, check, types=frozenset({ROLE_ASSIGNMENT}))
