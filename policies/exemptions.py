"""Exemptions: approved, reasoned, expiring exceptions to one rule for matching resources.

An exemption never hides a finding. While valid it downgrades the finding to advisory and says
who approved it, until when and why; once expired the finding is back at its own level and the
``exemption-expired`` rule reports the lapsed approval itself.

The JSON Schema (``EXEMPTIONS_SCHEMA``) is what the engine validates ``--policy-pack-config``
against; :func:`parse_exemptions` re-checks the same constraints in the analyzer, so an in-process
caller that skips schema validation still cannot smuggle in a malformed exemption.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from policies.props import is_list

# A sentence, not a token: at least five words. cdk-nag insists on real reasons; so do we.
MIN_REASON_WORDS = 5
_REASON_PATTERN = r"^\s*\S+(\s+\S+){4,}\s*$"
_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
# Exemptions name resources; a bare "*" would silently cover findings that have no resource at all.
_URN_PATTERN = r"^urn:pulumi:"
_FIELDS = ("resource", "reason", "approver", "expires")

EXEMPTIONS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": (
        "Approved exceptions to this rule: each names resources by URN glob, a reason of at least a "
        "sentence, the approver and the last day it is valid (YYYY-MM-DD)."
    ),
    "default": [],
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": list(_FIELDS),
        "properties": {
            "resource": {"type": "string", "pattern": _URN_PATTERN, "description": "URN glob (fnmatch)"},
            "reason": {"type": "string", "pattern": _REASON_PATTERN, "description": "why, in a sentence"},
            "approver": {"type": "string", "minLength": 3, "description": "name or role of the approver"},
            "expires": {
                "type": "string",
                "pattern": _DATE_PATTERN,
                "format": "date",
                "description": "last valid day",
            },
        },
    },
}


class ExemptionError(ValueError):
    """A malformed exemption; the message names the rule, the index and the field."""


@dataclass(frozen=True)
class Exemption:
    rule: str
    resource: str  # URN glob
    reason: str
    approver: str
    expires: dt.date  # the last day on which the exemption applies

    def matches(self, urn: str) -> bool:
        return bool(urn) and fnmatchcase(urn, self.resource)

    def expired(self, today: dt.date) -> bool:
        return today > self.expires

    def exempted_prefix(self) -> str:
        return f"EXEMPTED (approved by {self.approver} until {self.expires.isoformat()}: {self.reason}) "

    def describe(self) -> str:
        return f"exemption from {self.rule} for {self.resource} approved by {self.approver}"


def parse_exemptions(rule: str, raw: Any) -> tuple[Exemption, ...]:
    """The rule's ``exemptions`` config value as :class:`Exemption` objects, or :class:`ExemptionError`."""
    if raw is None:
        return ()
    if not is_list(raw):
        raise ExemptionError(f"{rule}.exemptions: expected a list of exemptions, got {type(raw).__name__}")
    return tuple(_parse_one(rule, f"{rule}.exemptions[{i}]", item) for i, item in enumerate(raw))


def _parse_one(rule: str, where: str, item: Any) -> Exemption:
    if not isinstance(item, Mapping):
        raise ExemptionError(f"{where}: expected an object with {', '.join(_FIELDS)}")
    unknown = sorted(set(item) - set(_FIELDS))
    if unknown:
        raise ExemptionError(
            f"{where}: unknown field(s) {', '.join(unknown)}; expected only {', '.join(_FIELDS)}"
        )
    values: dict[str, str] = {}
    for name in _FIELDS:
        value = item.get(name)
        if not isinstance(value, str) or not value.strip():
            raise ExemptionError(f"{where}.{name}: required, expected a non-empty string")
        values[name] = value.strip()
    if not re.match(_URN_PATTERN, values["resource"]):
        raise ExemptionError(f"{where}.resource: expected a URN glob starting 'urn:pulumi:'")
    if not re.match(_REASON_PATTERN, values["reason"]):
        raise ExemptionError(f"{where}.reason: expected a reason of at least {MIN_REASON_WORDS} words")
    if len(values["approver"]) < 3:
        raise ExemptionError(f"{where}.approver: expected the approver's name or role")
    expires = values["expires"]
    try:
        if not re.match(_DATE_PATTERN, expires):
            raise ValueError(expires)
        expiry = dt.date.fromisoformat(expires)
    except ValueError:
        raise ExemptionError(f"{where}.expires: expected a date YYYY-MM-DD, got {expires!r}") from None
    return Exemption(rule, values["resource"], values["reason"], values["approver"], expiry)
