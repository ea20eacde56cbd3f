"""The stack's register of partners and their Entra groups (``tvt:partners``), as ``ConfigureStack`` sends it.

An ingest-writer may write only under its own partner's folder of the shared landing zone,
``<partner-id>/``. Which partner a group belongs to is stack config, not something a role
assignment can claim for itself, so the pack reads it from the register: one JSON list of
partners, each with an ``id`` and ``groups`` carrying an ``objectId``. Parsing never raises; an
absent or malformed register has ``problem`` set and no entries, so rules fail closed on it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from policies.arm import parse_guid
from policies.use_cases import json_list

PARTNERS_KEY = "tvt:partners"
ABSENT = f"no partner register in the stack config ({PARTNERS_KEY})"
_PARTNER_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class PartnerRegister:
    """Group object id (lower case) -> the id of the partner that owns the group."""

    owners: Mapping[str, str] = field(default_factory=dict)
    problem: str | None = ABSENT

    def owner(self, object_id: str) -> str | None:
        return self.owners.get(object_id.casefold())


NO_PARTNERS = PartnerRegister()


def _malformed(why: str) -> PartnerRegister:
    return PartnerRegister({}, f"the partner register {PARTNERS_KEY} in the stack config is malformed: {why}")


def _groups(index: int, raw: Any) -> tuple[str, list[str]] | str:
    """(partner id, its groups' object ids), or why entry ``index`` is malformed."""
    if not isinstance(raw, Mapping):
        return f"[{index}]: expected an object with id and groups"
    partner = raw.get("id")
    if not isinstance(partner, str) or not _PARTNER_ID.match(partner):
        return f"[{index}].id: expected a kebab-case partner id, got {partner!r}"
    groups = raw.get("groups", [])
    if not isinstance(groups, list):
        return f"[{index}] ({partner}).groups: expected a list"
    ids = []
    for j, group in enumerate(groups):
        guid = parse_guid(group.get("objectId")) if isinstance(group, Mapping) else None
        if guid is None:
            return f"[{index}] ({partner}).groups[{j}].objectId: expected a GUID"
        ids.append(guid)
    return partner, ids


def parse_partners(value: str | None) -> PartnerRegister:
    """The register from the JSON text of ``tvt:partners`` (None: the stack config has none)."""
    if value is None:
        return NO_PARTNERS
    raw = json_list(value, "partners")
    if isinstance(raw, str):
        return _malformed(raw)
    owners: dict[str, str] = {}
    for index, item in enumerate(raw):
        entry = _groups(index, item)
        if isinstance(entry, str):
            return _malformed(entry)
        partner, ids = entry
        for guid in ids:
            if owners.setdefault(guid, partner) != partner:
                return _malformed(f"group {guid} belongs to both {owners[guid]} and {partner}")
    return PartnerRegister(owners, None)


def partners_from_config(config: Mapping[str, str] | None) -> PartnerRegister:
    """The register in a stack config as ``ConfigureStack`` sends it (None: never configured)."""
    return NO_PARTNERS if config is None else parse_partners(config.get(PARTNERS_KEY))
