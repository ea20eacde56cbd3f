"""The one table from TVT data roles to built-in Azure role definitions, and the ABAC conditions on them.

Built-in roles are referenced by their fixed GUIDs, never by display name: names are localised and
can be renamed, the GUIDs are the same in every tenant. A reviewer answering "what can an
ingest-writer do?" or "when does this group lose access?" reads this file and nothing else.

Conditions (Azure ABAC, condition version 2.0, GA for Blob Storage and ADLS Gen2) are built here
and only here, by small pure functions that return the exact condition string, so the same inputs
always give the same bytes and a rerun never rewrites a role assignment. Their shape follows
learn.microsoft.com "Azure role assignment condition format and syntax"::

    ( ( !(ActionMatches{'<action>'}) AND ... ) OR ( <expression> AND ... ) )

A request for an action the block does not name passes it; a request for a named action passes
only when the expressions hold. Blocks are joined with AND.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from components.config.model import Role

_GUID_LENGTH = 36
_BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs"

BLOB_READ = f"{_BLOBS}/read"
BLOB_WRITE = f"{_BLOBS}/write"
BLOB_ADD = f"{_BLOBS}/add/action"
BLOB_DELETE = f"{_BLOBS}/delete"
BLOB_MOVE = f"{_BLOBS}/move/action"

_READER_GUID = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
_CONTRIBUTOR_GUID = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"

BLOB_DATA_ACTIONS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        _READER_GUID: (BLOB_READ,),
        _CONTRIBUTOR_GUID: (BLOB_READ, BLOB_WRITE, BLOB_ADD, BLOB_DELETE, BLOB_MOVE),
    }
)
"""The blob ``dataActions`` of each built-in role we assign, as Azure's role definitions list them.

Why it matters: a condition restricts only the actions its ``ActionMatches`` name, and every other
action of the role passes untouched. A time bound that left out one action would leave that action
open after the use case expired, so the bound names every action in this table, and the table must
follow the built-in definitions (learn.microsoft.com "Azure built-in roles", Storage). Neither role
has ``deleteBlobVersion/action`` or ``permanentDelete/action`` (only Storage Blob Data Owner's
``blobs/*`` does), nor ``runAsSuperUser/action``, so they are not listed; a role added here that has
them must list them. Roles without blob data actions (the key role) cannot carry a bound.
"""


def role_definition_id(subscription_id: str, guid: str) -> str:
    """The subscription-scoped id ARM expects in ``roleDefinitionId`` for a built-in role."""
    return f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{guid}"


@dataclass(frozen=True)
class RoleDefinition:
    """A built-in Azure role, optionally with data actions that an ABAC condition always denies."""

    display_name: str
    guid: str
    denied_actions: tuple[str, ...] = ()
    """Data actions of the built-in role removed from every assignment of it by an ABAC condition."""

    def __post_init__(self) -> None:
        if len(self.guid) != _GUID_LENGTH:
            raise ValueError(f"role {self.display_name!r}: {self.guid!r} is not a role definition GUID")
        unknown = [a for a in self.denied_actions if a not in self.data_actions]
        if unknown:
            raise ValueError(f"role {self.display_name!r}: cannot deny {unknown}: not data actions of it")

    @property
    def data_actions(self) -> tuple[str, ...]:
        """The built-in role's blob data actions (:data:`BLOB_DATA_ACTIONS`); () for other roles."""
        return BLOB_DATA_ACTIONS.get(self.guid, ())

    @property
    def allowed_actions(self) -> tuple[str, ...]:
        """What an assignment of this role may do with blobs: the role's data actions less the denied."""
        return tuple(a for a in self.data_actions if a not in self.denied_actions)

    def definition_id(self, subscription_id: str) -> str:
        return role_definition_id(subscription_id, self.guid)


STORAGE_BLOB_DATA_READER = RoleDefinition("Storage Blob Data Reader", _READER_GUID)
STORAGE_BLOB_DATA_CONTRIBUTOR = RoleDefinition("Storage Blob Data Contributor", _CONTRIBUTOR_GUID)
CRYPTO_SERVICE_ENCRYPTION_USER = RoleDefinition(
    "Key Vault Crypto Service Encryption User", "e147488a-f6f5-4113-8e2d-b22465e65bf6"
)
"""Lets a storage account's identity wrap and unwrap with one key, and nothing else in the vault."""

INGEST_WRITER_DENIED = (BLOB_READ, BLOB_DELETE, BLOB_MOVE)
"""What an ingest-writer's condition takes away from Storage Blob Data Contributor: read, delete, rename.

Partners drop extracts into the level-3 ``landing`` zone; the write-only identity that uploads them
must not be able to read back (or destroy) what any partner has landed there, so a leaked ingest
credential discloses nothing. Renames are denied too: uploading needs none, and Azure does not say
whether the blob-path attribute of a rename is its source or its destination, so a rename could
otherwise carry a file out of the partner's own folder. No built-in role is "write only", hence
the condition.
"""

ROLES: Mapping[Role, RoleDefinition] = MappingProxyType(
    {
        Role.READER: STORAGE_BLOB_DATA_READER,
        Role.CONTRIBUTOR: STORAGE_BLOB_DATA_CONTRIBUTOR,
        Role.INGEST_WRITER: RoleDefinition(
            STORAGE_BLOB_DATA_CONTRIBUTOR.display_name,
            STORAGE_BLOB_DATA_CONTRIBUTOR.guid,
            denied_actions=INGEST_WRITER_DENIED,
        ),
    }
)

# -- ABAC conditions ------------------------------------------------------------------------------

ABAC_CONDITION_VERSION = "2.0"
PRIVATE_LINK = "@Environment[isPrivateLink] BoolEquals true"
"""True only for requests that reached the account through a private endpoint (any of them)."""
BLOB_PATH = f"@Resource[{_BLOBS}:path]"
"""The blob's path inside its container (no container name, no leading '/'), a resource attribute of
write, add/action and move/action, also on accounts with a hierarchical namespace (learn.microsoft.com
"Actions and attributes for Azure role assignment conditions for Azure Blob Storage")."""
_PATH_PREFIX = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*/$")


def access_end(last_day: dt.date) -> str:
    """The first instant after ``last_day``, midnight UTC, as an ABAC DateTime literal.

    ``last_day`` is inclusive: a use case that expires 2027-09-30 is usable all that day (UTC), so
    access ends at '2027-10-01T00:00:00.0Z' (01:00 in British Summer Time).
    """
    return f"{last_day + dt.timedelta(days=1):%Y-%m-%d}T00:00:00.0Z"


def utc_now_before(moment: str) -> str:
    """Holds while the request's time is before ``moment`` (UtcNow supports only LessThan/GreaterThan)."""
    return f"@Environment[UtcNow] DateTimeLessThan '{moment}'"


def path_starts_with(prefix: str) -> str:
    """Holds only for blobs whose path in the container starts with ``prefix`` (a folder, 'id/')."""
    if not _PATH_PREFIX.match(prefix):
        raise ValueError(f"path prefix {prefix!r} is not one kebab-case folder ending in '/'")
    return f"{BLOB_PATH} StringStartsWith '{prefix}'"


def _none_of(actions: Sequence[str]) -> str:
    if not actions:
        raise ValueError("a condition block must name at least one action")
    return " AND ".join(f"!(ActionMatches{{'{action}'}})" for action in actions)


def deny_block(actions: Sequence[str]) -> str:
    """A block with no expression: a request for any of ``actions`` fails it, every other passes."""
    return f"( ( {_none_of(actions)} ) )"


def allow_only_if(actions: Sequence[str], expressions: Sequence[str]) -> str:
    """A block that lets a request for any of ``actions`` through only while all ``expressions`` hold.

    Expressions are only ever joined with AND, so three or more never need further parentheses.
    """
    if not expressions:
        raise ValueError("a condition block with OR needs at least one expression")
    return f"( ( {_none_of(actions)} ) OR ( {' AND '.join(expressions)} ) )"


def grant_condition(
    role: RoleDefinition, *, last_day: dt.date | None, private_link: bool, path_prefix: str | None = None
) -> str | None:
    """The condition for an assignment of ``role``, or None when it needs none.

    - The role's denied actions are denied outright (ingest-writer: blob read and delete).
    - With ``last_day`` (a use case's expiry), every action the role still allows is allowed only
      while UtcNow is before :func:`access_end` of it, so Azure itself ends access when the use case
      expires, whether or not anyone redeploys.
    - With ``private_link``, those actions are also allowed only over a private endpoint, whatever
      the account's firewall says.
    - With ``path_prefix`` (an ingest-writer's partner folder, 'thames-valley-police/'), those actions
      are also allowed only on blobs whose path starts with it, so one partner cannot overwrite or
      rename another's extracts in the shared container.
    """
    blocks = [deny_block(role.denied_actions)] if role.denied_actions else []
    expressions = [utc_now_before(access_end(last_day))] if last_day is not None else []
    if private_link:
        expressions.append(PRIVATE_LINK)
    if path_prefix is not None:
        expressions.append(path_starts_with(path_prefix))
    if expressions:
        if not role.allowed_actions:
            raise ValueError(f"role {role.display_name!r} has no blob data actions for a condition to bound")
        blocks.append(allow_only_if(role.allowed_actions, expressions))
    return " AND ".join(blocks) or None
