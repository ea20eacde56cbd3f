"""The typed, validated stack configuration: what one stack deploys and who may read what.

Everything here is frozen and built only by :func:`components.config.load.parse_stack_config`, after
the JSON Schema and the semantic checks have passed, so a component never sees unvalidated input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType


class Environment(StrEnum):
    DEV = "dev"
    TEST = "test"
    PROD = "prod"


class Role(StrEnum):
    """Data roles a grant may carry; each maps to one TVT custom role in ``components.roles``."""

    READER = "reader"
    CONTRIBUTOR = "contributor"
    INGEST_WRITER = "ingest-writer"


class PartnerKind(StrEnum):
    POLICE = "police"
    LOCAL_AUTHORITY = "local-authority"
    HEALTH = "health"
    FIRE_AND_RESCUE = "fire-and-rescue"
    PROBATION = "probation"
    YOUTH_JUSTICE = "youth-justice"
    VRU = "vru"


# The zones every level gets; stack config may add more (never remove these).
DEFAULT_ZONES: Mapping[int, tuple[str, ...]] = MappingProxyType(
    {
        3: ("landing", "raw", "matched"),
        2: ("pseudonymised", "curated"),
        1: ("aggregated", "published"),
    }
)
LEVELS: tuple[int, ...] = (1, 2, 3)
UK_REGIONS: tuple[str, ...] = ("uksouth", "ukwest")
# Every day the config names, and a pinned TVT_TODAY, lies between these: far enough from the
# calendar's ends that each horizon reckoned from one (a use case's access end, the day after its
# last) is a date too.
EARLIEST_DAY, LATEST_DAY = dt.date(2000, 1, 1), dt.date(2999, 12, 31)
# Zone that partner ingest identities write to; the only zone an ingest-writer grant may name.
LANDING_ZONE = "landing"
# Zones whose blobs are write-once (CONTEXT.md: raw is the immutable copy of what landed): each gets a
# container-level time-based retention (WORM) policy, so nothing in it is overwritten or deleted,
# by a partner or an administrator, until its retention ends.
WRITE_ONCE_ZONES: Mapping[int, tuple[str, ...]] = MappingProxyType({3: ("raw",)})


@dataclass(frozen=True)
class PartnerGroup:
    """An Entra ID security group of a partner; role assignments go to groups, never users."""

    key: str  # short id used by grants, unique within the stack, e.g. "tvp-analysts"
    object_id: str  # Entra group object id (GUID)
    display_name: str


@dataclass(frozen=True)
class Partner:
    id: str  # organisation id, e.g. "thames-valley-police"
    name: str
    kind: PartnerKind
    groups: tuple[PartnerGroup, ...]


@dataclass(frozen=True)
class UseCase:
    """An analytics use case approved by the Data Ethics Committee (DEC)."""

    id: str  # e.g. "UC-2026-004"
    title: str
    level: int
    approval_ref: str  # DEC approval reference, e.g. "DEC-2026-11"
    expires: dt.date


@dataclass(frozen=True)
class Grant:
    """Group ``group`` gets ``role`` on ``zone`` of ``level`` (or the whole level when zone is None)."""

    group: str  # PartnerGroup.key
    level: int
    role: Role
    use_case: str | None  # UseCase.id; required at level 3
    zone: str | None = None


@dataclass(frozen=True)
class LevelConfig:
    level: int
    address_space: str  # CIDR of the level's virtual network
    private_endpoint_subnet: str  # CIDR inside address_space
    zones: tuple[str, ...]  # defaults first, then the stack's additions


@dataclass(frozen=True)
class AuditConfig:
    address_space: str
    private_endpoint_subnet: str
    log_retention_days: int  # Log Analytics workspace retention
    archive_retention_days: int  # WORM retention of the audit archive
    archive_immutability_locked: bool = True  # a locked WORM policy can never be shortened or removed
    archive_created: dt.date | None = None  # first deployed (unlocked) on this day; None: a new archive


@dataclass(frozen=True)
class KeysConfig:
    first_version_expires: dt.date  # when each customer-managed key's first version expires


@dataclass(frozen=True)
class StackConfig:
    """One stack's validated configuration (``stacks/Pulumi.<stack>.yaml``, namespace ``tvt:``)."""

    stack: str
    environment: Environment
    location: str
    subscription_id: str
    tenant_id: str
    owner: str
    audit: AuditConfig
    keys: KeysConfig
    levels: tuple[LevelConfig, ...]
    partners: tuple[Partner, ...] = ()
    use_cases: tuple[UseCase, ...] = ()
    grants: tuple[Grant, ...] = ()
    source: str = field(default="", compare=False)  # file the config came from, for messages

    @property
    def is_prod(self) -> bool:
        return self.environment is Environment.PROD

    def level(self, n: int) -> LevelConfig:
        return next(lc for lc in self.levels if lc.level == n)

    def group(self, key: str) -> PartnerGroup:
        return self._groups[key][1]

    def partner_of(self, group_key: str) -> Partner:
        """The partner that owns group ``group_key``."""
        return self._groups[group_key][0]

    def use_case(self, use_case_id: str) -> UseCase:
        return self._use_cases[use_case_id]

    # Indexes, so that looking up every grant's group and use case stays linear in the grants.
    # The first of equal keys wins, as a scan in file order would find it (validation refuses repeats).
    @cached_property
    def _groups(self) -> dict[str, tuple[Partner, PartnerGroup]]:
        index: dict[str, tuple[Partner, PartnerGroup]] = {}
        for partner in self.partners:
            for group in partner.groups:
                index.setdefault(group.key, (partner, group))
        return index

    @cached_property
    def _use_cases(self) -> dict[str, UseCase]:
        index: dict[str, UseCase] = {}
        for use_case in self.use_cases:
            index.setdefault(use_case.id, use_case)
        return index
