"""Azure resource names: one convention, Azure's rules checked in one table.

Convention (documented in the README): ``<abbr>-tvt-<stack>-<scope>[-<purpose>]`` where ``scope`` is
``audit`` or ``l1``..``l3``. Names that must be globally unique (storage accounts, key vaults) end
with a deterministic five-character suffix derived from the subscription, stack and scope, so the
same config always yields the same names and two subscriptions never collide. Storage account
names allow no hyphens, so their parts are run together.
"""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class Kind(StrEnum):
    RESOURCE_GROUP = "resource group"
    STORAGE_ACCOUNT = "storage account"
    KEY_VAULT = "key vault"
    KEY = "key vault key"
    CONTAINER = "storage container"
    VIRTUAL_NETWORK = "virtual network"
    SUBNET = "subnet"
    NSG = "network security group"
    IDENTITY = "managed identity"
    WORKSPACE = "log analytics workspace"
    PRIVATE_ENDPOINT = "private endpoint"


@dataclass(frozen=True)
class NameRule:
    min_len: int
    max_len: int
    pattern: re.Pattern[str]
    expected: str  # human wording of the rule, used in error messages


# Azure's naming rules (learn.microsoft.com: "Naming rules and restrictions for Azure resources").
RULES: Mapping[Kind, NameRule] = MappingProxyType(
    {
        Kind.RESOURCE_GROUP: NameRule(
            1,
            90,
            re.compile(r"^[-\w.()]*[-\w()]$"),
            "1-90 letters, digits, '-', '_', '.', '()', not ending in '.'",
        ),
        Kind.STORAGE_ACCOUNT: NameRule(
            3, 24, re.compile(r"^[a-z0-9]+$"), "3-24 lowercase letters and digits"
        ),
        Kind.KEY_VAULT: NameRule(
            3,
            24,
            re.compile(r"^[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]$"),
            "3-24 letters, digits and single hyphens, starting with a letter, not ending in a hyphen",
        ),
        Kind.KEY: NameRule(1, 127, re.compile(r"^[a-zA-Z0-9-]+$"), "1-127 letters, digits and hyphens"),
        Kind.CONTAINER: NameRule(
            3,
            63,
            re.compile(r"^[a-z0-9](?!.*--)[a-z0-9-]*[a-z0-9]$"),
            "3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit",
        ),
        Kind.VIRTUAL_NETWORK: NameRule(
            2, 64, re.compile(r"^[a-zA-Z0-9][-\w.]*\w$"), "2-64 letters, digits, '-', '_', '.'"
        ),
        Kind.SUBNET: NameRule(
            1, 80, re.compile(r"^[a-zA-Z0-9]([-\w.]*\w)?$"), "1-80 letters, digits, '-', '_', '.'"
        ),
        Kind.NSG: NameRule(
            1, 80, re.compile(r"^[a-zA-Z0-9]([-\w.]*\w)?$"), "1-80 letters, digits, '-', '_', '.'"
        ),
        Kind.IDENTITY: NameRule(
            3,
            128,
            re.compile(r"^[a-zA-Z0-9][-\w]*$"),
            "3-128 letters, digits, '-' and '_', starting alphanumeric",
        ),
        Kind.WORKSPACE: NameRule(
            4,
            63,
            re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]$"),
            "4-63 letters, digits and hyphens, starting and ending alphanumeric",
        ),
        Kind.PRIVATE_ENDPOINT: NameRule(
            2, 64, re.compile(r"^[a-zA-Z0-9][-\w.]*\w$"), "2-64 letters, digits, '-', '_', '.'"
        ),
    }
)

_SUFFIX_LEN = 5
# Fixed namespace for deterministic role assignment names: changing it would replace every grant.
ROLE_ASSIGNMENT_NAMESPACE = uuid.UUID("6f1e3c2a-7d4b-5a9e-8c1f-2b3d4e5f6a7b")


def check(kind: Kind, name: str) -> str | None:
    """Return what is wrong with ``name`` for a resource of ``kind``, or None when Azure accepts it."""
    rule = RULES[kind]
    if not rule.min_len <= len(name) <= rule.max_len or not rule.pattern.match(name):
        return f"{kind} name {name!r} breaks Azure's rule: {rule.expected}"
    return None


def unique_suffix(subscription_id: str, stack: str, scope: str) -> str:
    """Five lowercase base32 characters, stable for (subscription, stack, scope)."""
    digest = hashlib.sha256(f"{subscription_id.lower()}/{stack}/{scope}".encode()).digest()
    return base64.b32encode(digest).decode().lower()[:_SUFFIX_LEN]


def scope_name(level: int | None) -> str:
    """``audit`` for the shared audit services, ``l<n>`` for a data level."""
    return "audit" if level is None else f"l{level}"


@dataclass(frozen=True)
class Namer:
    """Builds every Azure name of one scope (the audit services or one level) of one stack."""

    stack: str
    scope: str
    subscription_id: str

    @property
    def _suffix(self) -> str:
        return unique_suffix(self.subscription_id, self.stack, self.scope)

    def resource_group(self) -> str:
        return f"rg-tvt-{self.stack}-{self.scope}"

    def virtual_network(self) -> str:
        return f"vnet-tvt-{self.stack}-{self.scope}"

    def subnet(self) -> str:
        return "snet-private-endpoints"

    def nsg(self) -> str:
        return f"nsg-tvt-{self.stack}-{self.scope}-pe"

    def key_vault(self) -> str:
        # kv-tvt-<stack>-<scope>-<suffix>: the stack part is truncated so the whole fits 24.
        fixed = len("kv-tvt---") + len(self.scope) + _SUFFIX_LEN
        return f"kv-tvt-{self.stack[: 24 - fixed]}-{self.scope}-{self._suffix}"

    def storage_account(self, purpose: str = "") -> str:
        fixed = len("sttvt") + len(self.scope) + len(purpose) + _SUFFIX_LEN
        return f"sttvt{self.stack[: max(24 - fixed, 0)]}{self.scope}{purpose}{self._suffix}"

    def identity(self, purpose: str) -> str:
        return f"id-tvt-{self.stack}-{self.scope}-{purpose}"

    def workspace(self) -> str:
        return f"log-tvt-{self.stack}-{self.scope}"

    def private_link_scope(self) -> str:
        """The stack's one Azure Monitor Private Link Scope: shared by the stack, so no scope part."""
        return f"ampls-tvt-{self.stack}"

    def key(self, purpose: str) -> str:
        return f"cmk-tvt-{self.stack}-{self.scope}-{purpose}"

    def private_dns_link(self, virtual_network: str) -> str:
        """Link of a private DNS zone (in this scope) to ``virtual_network``, unique within the zone."""
        return f"link-{virtual_network}"

    def private_endpoint(self, target: str, subresource: str) -> str:
        return f"pe-{target}-{subresource}"

    def all_names(self) -> dict[Kind, str]:
        """Every name of this scope that config validation checks against Azure's rules."""
        return {
            Kind.RESOURCE_GROUP: self.resource_group(),
            Kind.VIRTUAL_NETWORK: self.virtual_network(),
            Kind.SUBNET: self.subnet(),
            Kind.NSG: self.nsg(),
            Kind.KEY_VAULT: self.key_vault(),
            Kind.STORAGE_ACCOUNT: self.storage_account(),
            Kind.IDENTITY: self.identity("storage"),
            Kind.WORKSPACE: self.workspace(),
        }


def role_assignment_name(
    subscription_id: str, scope_key: str, principal_id: str, role_definition_id: str
) -> str:
    """A GUID derived from (scope, principal, role), so a rerun or a reordering never replaces a grant.

    ``scope_key`` is the logical ARM path of the scope (built from deterministic names), not the
    resource's id output, which is unknown during a preview of new resources.
    """
    key = "|".join(
        (subscription_id.lower(), scope_key.lower(), principal_id.lower(), role_definition_id.lower())
    )
    return str(uuid.uuid5(ROLE_ASSIGNMENT_NAMESPACE, key))
