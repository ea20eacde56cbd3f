"""The roles the program assigns, and the ABAC conditions on them, built from a typed model.

Partner groups get **custom role definitions** that the program declares (one per TVT role and
level, assignable only in that level's resource group), carrying exactly the blob data actions the
TVT role needs and no control-plane action at all. The built-in Storage Blob Data roles also carry
control-plane actions (``containers/delete``, ``containers/write``, ``generateUserDelegationKey``)
that an ABAC condition cannot bound: after a use case expired, or from another partner's folder, a
holder could still delete the whole ``landing`` container. The one built-in role assigned is the
key role, to the storage identity, referenced by its fixed GUID.

Conditions (Azure ABAC, condition version 2.0) are trees of the node types below, rendered to text
in one place (:func:`render`), so the same inputs always give the same bytes and a rerun never
rewrites a role assignment. The pack parses the text with its own grammar (``policies/abac.py``;
``components`` and ``policies`` never import each other) and a test proves it reads exactly the
tree written here. The shape follows learn.microsoft.com "Azure role assignment condition format
and syntax"::

    ( ( !(ActionMatches{'<action>'}) AND ... ) OR ( <expression> AND ... ) )

A request for an action the block does not name passes it; a request for a named action passes
only when the expressions hold.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from components.config.model import Role

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs"

BLOB_READ = f"{_BLOBS}/read"
BLOB_WRITE = f"{_BLOBS}/write"
BLOB_ADD = f"{_BLOBS}/add/action"
BLOB_DELETE = f"{_BLOBS}/delete"
BLOB_MOVE = f"{_BLOBS}/move/action"

TVT_ROLE_ACTIONS: Mapping[Role, tuple[str, ...]] = MappingProxyType(
    {
        Role.READER: (BLOB_READ,),
        Role.CONTRIBUTOR: (BLOB_READ, BLOB_WRITE, BLOB_ADD, BLOB_DELETE, BLOB_MOVE),
        Role.INGEST_WRITER: (BLOB_WRITE, BLOB_ADD),
    }
)
"""The blob data actions of each TVT role, and nothing else (the pack's copy, ``policies/roles.py``,
is proven equal by a test).

An ingest-writer uploads partner extracts into level 3's shared ``landing`` zone: it can create and
append (``write``, ``add/action``) but not read back, delete or rename what any partner landed, so
a leaked upload credential discloses and destroys nothing. Renames are left out too: uploading
needs none, and a rename could carry a file out of the partner's own folder. No role has
``deleteBlobVersion/action``, ``permanentDelete/action`` or ``runAsSuperUser/action``.
"""

ROLE_PURPOSE: Mapping[Role, str] = MappingProxyType(
    {
        Role.READER: "Reads blobs in the zones it is assigned on; no control-plane actions.",
        Role.CONTRIBUTOR: "Reads, writes, deletes and renames blobs in the zones it is assigned on; "
        "no control-plane actions (cannot delete or reconfigure containers).",
        Role.INGEST_WRITER: "Writes new blobs only (no read, delete or rename); no control-plane actions.",
    }
)

_CUSTOM_ROLE_NAMESPACE = uuid.UUID("0c3f7d52-9a1e-5b6c-8d2f-4e5a6b7c8d9e")


def role_definition_id(subscription_id: str, guid: str) -> str:
    """The subscription-scoped id ARM gives a role definition, built-in or custom."""
    return f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{guid}"


@dataclass(frozen=True)
class RoleDefinition:
    """A role the program assigns: the built-in key role by its fixed GUID, or a TVT custom role.

    ``data_actions`` are all the role's blob data actions (a custom role has no other permission).
    """

    display_name: str
    guid: str
    data_actions: tuple[str, ...] = ()
    custom: bool = False
    description: str = ""

    def __post_init__(self) -> None:
        if not _GUID.match(self.guid):
            raise ValueError(f"role {self.display_name!r}: {self.guid!r} is not a role definition GUID")
        if self.custom and not self.data_actions:
            raise ValueError(f"custom role {self.display_name!r} grants no data action")

    def definition_id(self, subscription_id: str) -> str:
        return role_definition_id(subscription_id, self.guid)


CRYPTO_SERVICE_ENCRYPTION_USER = RoleDefinition(
    "Key Vault Crypto Service Encryption User", "e147488a-f6f5-4113-8e2d-b22465e65bf6"
)
"""Lets a storage account's identity wrap and unwrap with one key, and nothing else in the vault."""


def custom_role(role: Role, *, stack: str, subscription_id: str, level: int) -> RoleDefinition:
    """The TVT custom role ``role`` of one level of one stack.

    The name is unique in the tenant (Azure requires it) and the GUID is derived from (subscription,
    stack, level, role), so a rerun declares the same definition and its assignments keep their names.
    """
    guid = str(uuid.uuid5(_CUSTOM_ROLE_NAMESPACE, f"{subscription_id.lower()}/{stack}/l{level}/{role.value}"))
    return RoleDefinition(
        f"TVT {stack} level {level} {role.value}",
        guid,
        TVT_ROLE_ACTIONS[role],
        custom=True,
        description=f"TVT {role.value} on level {level} of stack {stack}. {ROLE_PURPOSE[role]}",
    )


# -- ABAC conditions: the typed model ------------------------------------------------------------

ABAC_CONDITION_VERSION = "2.0"
UTC_NOW = "@Environment[UtcNow]"
IS_PRIVATE_LINK = "@Environment[isPrivateLink]"
"""True only for requests that reached the account through a private endpoint (any of them)."""
BLOB_PATH = f"@Resource[{_BLOBS}:path]"
"""The blob's path inside its container (no container name, no leading '/'), a resource attribute of
write, add/action and move/action, also on accounts with a hierarchical namespace (learn.microsoft.com
"Actions and attributes for Azure role assignment conditions for Azure Blob Storage")."""
_PATH_PREFIX = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*/$")


@dataclass(frozen=True)
class ActionMatches:
    action: str


@dataclass(frozen=True)
class Not:
    operand: Condition


@dataclass(frozen=True)
class AllOf:
    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class Comparison:
    """``<attribute> <operator> <value>``: a date-time bound, the private-link flag or a blob path."""

    attribute: str
    operator: str
    value: dt.datetime | bool | str


Condition = ActionMatches | Not | AllOf | AnyOf | Comparison


def _literal(value: dt.datetime | bool | str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return f"'{value.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%S}.0Z'"
    if "'" in value:
        raise ValueError(f"condition value {value!r} may not contain a quote")
    return f"'{value}'"


def render(condition: Condition) -> str:
    """The condition's text, always parenthesised the same way."""
    if isinstance(condition, ActionMatches):
        return f"ActionMatches{{'{condition.action}'}}"
    if isinstance(condition, Not):
        return f"!({render(condition.operand)})"
    if isinstance(condition, Comparison):
        return f"{condition.attribute} {condition.operator} {_literal(condition.value)}"
    joiner = " AND " if isinstance(condition, AllOf) else " OR "
    if not condition.operands:
        raise ValueError("a condition group needs at least one operand")
    return f"( {joiner.join(render(o) for o in condition.operands)} )"


def access_end(last_day: dt.date) -> dt.datetime:
    """The first instant after ``last_day``, midnight UTC.

    ``last_day`` is inclusive: a use case that expires 2027-09-30 is usable all that day (UTC), so
    access ends at 2027-10-01T00:00:00Z (01:00 in British Summer Time).
    """
    return dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def utc_now_before(moment: dt.datetime) -> Comparison:
    """Holds while the request's time is before ``moment`` (UtcNow supports only LessThan/GreaterThan)."""
    return Comparison(UTC_NOW, "DateTimeLessThan", moment)


PRIVATE_LINK = Comparison(IS_PRIVATE_LINK, "BoolEquals", True)


def path_starts_with(prefix: str) -> Comparison:
    """Holds only for blobs whose path in the container starts with ``prefix`` (a folder, 'id/')."""
    if not _PATH_PREFIX.match(prefix):
        raise ValueError(f"path prefix {prefix!r} is not one kebab-case folder ending in '/'")
    return Comparison(BLOB_PATH, "StringStartsWith", prefix)


def allow_only_if(actions: tuple[str, ...], expressions: tuple[Condition, ...]) -> AnyOf:
    """A block that lets a request for any of ``actions`` through only while all ``expressions`` hold."""
    if not actions:
        raise ValueError("a condition block must name at least one action")
    if not expressions:
        raise ValueError("a condition block with OR needs at least one expression")
    return AnyOf((AllOf(tuple(Not(ActionMatches(a)) for a in actions)), AllOf(expressions)))


def grant_condition(
    role: RoleDefinition, *, last_day: dt.date | None, private_link: bool, path_prefix: str | None = None
) -> Condition | None:
    """The condition for an assignment of ``role``, or None when it needs none.

    Every data action of the role is allowed only while all of these hold:

    - with ``last_day`` (a use case's expiry), UtcNow is before :func:`access_end` of it, so Azure
      itself ends access when the use case expires, whether or not anyone redeploys;
    - with ``private_link``, the request came through a private endpoint, whatever the firewall says;
    - with ``path_prefix`` (an ingest-writer's partner folder, 'thames-valley-police/'), the blob's
      path starts with it, so one partner cannot overwrite another's extracts in the shared container.
    """
    expressions: list[Condition] = [utc_now_before(access_end(last_day))] if last_day is not None else []
    if private_link:
        expressions.append(PRIVATE_LINK)
    if path_prefix is not None:
        expressions.append(path_starts_with(path_prefix))
    if not expressions:
        return None
    if not role.data_actions:
        raise ValueError(f"role {role.display_name!r} has no blob data actions for a condition to bound")
    return allow_only_if(role.data_actions, tuple(expressions))
