"""The one table from TVT data roles to built-in Azure role definitions.

Built-in roles are referenced by their fixed GUIDs, never by display name: names are localised and
can be renamed, the GUIDs are the same in every tenant. A reviewer answering "what can an
ingest-writer do?" reads this file and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from components.config.model import Role

_GUID_LENGTH = 36


def role_definition_id(subscription_id: str, guid: str) -> str:
    """The subscription-scoped id ARM expects in ``roleDefinitionId`` for a built-in role."""
    return f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{guid}"


@dataclass(frozen=True)
class RoleDefinition:
    """A built-in Azure role, optionally narrowed by an ABAC condition on every assignment of it."""

    display_name: str
    guid: str
    condition: str | None = None
    condition_version: str | None = None

    def __post_init__(self) -> None:
        if len(self.guid) != _GUID_LENGTH:
            raise ValueError(f"role {self.display_name!r}: {self.guid!r} is not a role definition GUID")
        if (self.condition is None) != (self.condition_version is None):
            raise ValueError(
                f"role {self.display_name!r}: a condition needs a condition version and vice versa"
            )

    def definition_id(self, subscription_id: str) -> str:
        return role_definition_id(subscription_id, self.guid)


STORAGE_BLOB_DATA_READER = RoleDefinition("Storage Blob Data Reader", "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1")
STORAGE_BLOB_DATA_CONTRIBUTOR = RoleDefinition(
    "Storage Blob Data Contributor", "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
)
CRYPTO_SERVICE_ENCRYPTION_USER = RoleDefinition(
    "Key Vault Crypto Service Encryption User", "e147488a-f6f5-4113-8e2d-b22465e65bf6"
)
"""Lets a storage account's identity wrap and unwrap with one key, and nothing else in the vault."""

_BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs"
INGEST_WRITER_CONDITION = f"((!(ActionMatches{{'{_BLOBS}/read'}}) AND !(ActionMatches{{'{_BLOBS}/delete'}})))"
"""ABAC condition that removes blob read and delete from Storage Blob Data Contributor.

Partners drop extracts into the level-3 ``landing`` zone; the write-only identity that uploads them
must not be able to read back (or destroy) what any partner has landed there, so a leaked ingest
credential discloses nothing. No built-in role is "write only", hence the condition.
"""
ABAC_CONDITION_VERSION = "2.0"

ROLES: Mapping[Role, RoleDefinition] = MappingProxyType(
    {
        Role.READER: STORAGE_BLOB_DATA_READER,
        Role.CONTRIBUTOR: STORAGE_BLOB_DATA_CONTRIBUTOR,
        Role.INGEST_WRITER: RoleDefinition(
            STORAGE_BLOB_DATA_CONTRIBUTOR.display_name,
            STORAGE_BLOB_DATA_CONTRIBUTOR.guid,
            condition=INGEST_WRITER_CONDITION,
            condition_version=ABAC_CONDITION_VERSION,
        ),
    }
)
