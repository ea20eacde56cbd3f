"""Built-in Azure role definitions the pack and the ``tvt`` report reason about (Azure built-in roles).

The program declares its roles in ``components/roles.py``; ``tests/policies/test_policy_cross_checks.py``
proves the two tables agree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from policies.props import text

OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
USER_ACCESS_ADMINISTRATOR = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
STORAGE_BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6"

NAMES: Mapping[str, str] = MappingProxyType(
    {
        OWNER: "Owner",
        CONTRIBUTOR: "Contributor",
        USER_ACCESS_ADMINISTRATOR: "User Access Administrator",
        STORAGE_BLOB_DATA_READER: "Storage Blob Data Reader",
        STORAGE_BLOB_DATA_CONTRIBUTOR: "Storage Blob Data Contributor",
        KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER: "Key Vault Crypto Service Encryption User",
    }
)

BLOB_READ = "microsoft.storage/storageaccounts/blobservices/containers/blobs/read"
# Built-in roles whose data actions include reading blobs (unless an ABAC condition takes it away).
READS_BLOBS: frozenset[str] = frozenset({STORAGE_BLOB_DATA_READER, STORAGE_BLOB_DATA_CONTRIBUTOR})

_ROLE_ID = re.compile(
    r"^(/subscriptions/[^/]+)?/providers/Microsoft\.Authorization/roleDefinitions/"
    r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$",
    re.IGNORECASE,
)


def role_guid(role_definition_id: Any) -> str | None:
    """The role definition GUID of a roleDefinitionId, or None when it is not a role definition id."""
    match = _ROLE_ID.match(text(role_definition_id))
    return match.group(2).lower() if match else None


def role_name(guid: str | None) -> str:
    return NAMES.get(guid or "", guid or "<unparseable>")
