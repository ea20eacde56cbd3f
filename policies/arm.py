"""Values that name Azure resources, parsed into types and compared the way Azure compares them.

ARM ids are case-insensitive and tolerate a trailing slash; a Key Vault URI names its vault by its
host; principal ids are GUIDs. Rules never compare such strings by hand: they parse them here and
compare the parsed forms, so ``/subscriptions/X/resourceGroups/RG`` and ``.../resourcegroups/rg/``
are one scope, and a value that does not parse is reported instead of silently not matching.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
# Public-cloud Key Vault hosts: '<vault>.vault.azure.net' (UK regions are public cloud only);
# Azure names a vault with 3-24 letters, digits and hyphens, starting with a letter or digit.
_VAULT_HOST = re.compile(r"^(?P<name>[a-z0-9][a-z0-9-]{1,22}[a-z0-9])\.vault\.azure\.net$", re.IGNORECASE)


@dataclass(frozen=True)
class ArmId:
    """A parsed ARM id: the subscription, resource group and the (type, name) pairs below a provider.

    ``types`` holds fully qualified types, ``Microsoft.Storage/storageAccounts`` then
    ``Microsoft.Storage/storageAccounts/blobServices``; an extension resource (a role assignment on a
    key) continues with its own provider namespace.
    """

    text: str
    subscription: str | None
    resource_group: str | None
    types: tuple[str, ...]
    names: tuple[str, ...]

    @property
    def key(self) -> str:
        """The form ARM compares: case-insensitive, no trailing slash."""
        return self.text.rstrip("/").casefold()

    @property
    def kind(self) -> str:
        """What the id names: 'the subscription', 'resource group', or its resource type."""
        if self.types:
            return self.types[-1]
        return "resource group" if self.resource_group else "subscription"

    def describe(self) -> str:
        """As a finding shows it: ``the subscription``, ``resource group 'rg'``, ``<type> 'name'``."""
        if self.types:
            return f"{self.types[-1]} '{self.names[-1]}'"
        if self.resource_group:
            return f"resource group '{self.resource_group}'"
        return f"the subscription '{self.subscription}'"  # parse_arm_id gives every other id a type

    def same(self, other: ArmId) -> bool:
        return self.key == other.key


def parse_arm_id(value: object) -> ArmId | None:
    """``value`` as an :class:`ArmId`, or None when it is not one (wrong shape, empty segment)."""
    if type(value) is str:  # an estate names the same groups, vaults and accounts over and over
        return _parsed_arm_id(value)
    return _parse_arm_id(value)


@functools.lru_cache(maxsize=8192)
def _parsed_arm_id(value: str) -> ArmId | None:
    return _parse_arm_id(value)


def _parse_arm_id(value: object) -> ArmId | None:
    if not isinstance(value, str) or not value.startswith("/"):
        return None
    parts = value.rstrip("/").split("/")[1:]
    if not parts or any(not p or p != p.strip() for p in parts):
        return None
    subscription = resource_group = None
    i = 0
    if parts[0].casefold() == "subscriptions":
        if len(parts) < 2:
            return None
        subscription, i = parts[1], 2
        if i < len(parts) and parts[i].casefold() == "resourcegroups":
            if i + 1 >= len(parts):
                return None
            resource_group, i = parts[i + 1], i + 2
    types: list[str] = []
    names: list[str] = []
    while i < len(parts):
        if parts[i].casefold() != "providers" or i + 1 >= len(parts):
            return None
        qualified, i, pairs = parts[i + 1], i + 2, 0
        # Type positions only: a resource may itself be named "providers".
        while i < len(parts) and parts[i].casefold() != "providers":
            if i + 1 >= len(parts):
                return None  # a type without a name
            qualified = f"{qualified}/{parts[i]}"
            types.append(qualified)
            names.append(parts[i + 1])
            i, pairs = i + 2, pairs + 1
        if not pairs:
            return None  # a provider namespace naming nothing
    if subscription is None and not types:
        return None
    return ArmId(value, subscription, resource_group, tuple(types), tuple(names))


@dataclass(frozen=True)
class VaultUri:
    """A Key Vault URI, ``https://<vault>.vault.azure.net/``: it names the vault by its host."""

    text: str
    vault: str

    @property
    def key(self) -> str:
        return f"https://{self.vault.casefold()}.vault.azure.net/"

    def describe(self) -> str:
        return f"vault '{self.vault}'"


def parse_vault_uri(value: object) -> VaultUri | None:
    """``value`` as a :class:`VaultUri`, or None (another scheme or host, a path, a port)."""
    if not isinstance(value, str):
        return None
    parts = urlsplit(value.strip())
    if parts.hostname is None:
        return None
    match = _VAULT_HOST.match(parts.hostname)
    if parts.scheme != "https" or match is None or parts.port or parts.path not in ("", "/"):
        return None
    if parts.query or parts.fragment or parts.username:
        return None
    return VaultUri(value, match["name"])


def vault_uri_of(vault_name: str) -> str:
    """The URI Azure gives a vault of this name in the public cloud."""
    return f"https://{vault_name.casefold()}.vault.azure.net/"


def parse_guid(value: object) -> str | None:
    """A GUID in its canonical (lower-case) form, or None."""
    return value.casefold() if isinstance(value, str) and _GUID.match(value) else None
