"""Exemptions: approved, reasoned, expiring exceptions to one rule for matching resources.

An exemption never hides a finding. While valid it downgrades the finding to advisory and says
who approved it, until when and why; once expired the finding is back at its own level and the
``exemption-expired`` rule reports the lapsed approval itself.

The JSON Schema (``EXEMPTIONS_SCHEMA``) is what the engine validates ``--policy-pack-config``
against; :func:`parse_exemptions` re-checks the same constraints in the analyzer, so an in-process
caller that skips schema validation still cannot smuggle in a malformed exemption. One constraint
is the parser's alone, because JSON Schema cannot compute dates: an exemption may not expire more
than :data:`MAX_EXEMPTION_DAYS` days after today (the schema's description says so).

Scope is bounded too, by a pattern language that cannot over-match (:class:`UrnPattern`): the
stack, the project and the resource's azure-native type are written out, and ``*`` may stand only
in the name, ``urn:pulumi:prod::tvt-platform::azure-native:storage:StorageAccount::audit-*``. The
type segment may also be the full type chain copied from a plan URN. Anything else (a wildcard or
character class outside the name, a missing segment) is refused, so no exemption can cover more
than resources of one type in one stack.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from policies.clock import today as default_today
from policies.props import is_list

# A sentence, not a token: at least five words. cdk-nag insists on real reasons; so do we.
MIN_REASON_WORDS = 5
_REASON_PATTERN = r"^\s*\S+(\s+\S+){4,}\s*$"
_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
# urn:pulumi:<stack>::<project>::[<parent type>$...]azure-native:<module>:<Type>::<name, * allowed>.
# Every segment but the name is literal; the name allows "*" and nothing else that matches more.
_LITERAL = r"[A-Za-z0-9._-]+"
_PARENT = r"[A-Za-z0-9-]+:[A-Za-z0-9-]+:[A-Za-z0-9]+\$"
_TYPE = r"azure-native:[A-Za-z0-9]+:[A-Za-z0-9]+"
_URN_PATTERN = rf"^urn:pulumi:{_LITERAL}::{_LITERAL}::(?:{_PARENT})*{_TYPE}::[A-Za-z0-9._*-]+$"
_FIELDS = ("resource", "reason", "approver", "expires")
# A risk acceptance is reviewed at least yearly (leap years included): renew it, never pre-approve.
MAX_EXEMPTION_DAYS = 366

EXEMPTIONS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": (
        "Approved exceptions to this rule: each names resources of one azure-native type by URN glob, a "
        f"reason of at least a sentence, the approver and the last day it is valid (YYYY-MM-DD), at most "
        f"{MAX_EXEMPTION_DAYS} days after the day the pack runs."
    ),
    "default": [],
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": list(_FIELDS),
        "properties": {
            "resource": {
                "type": "string",
                "pattern": _URN_PATTERN,
                "description": (
                    "URN pattern: stack, project and azure-native type written out, '*' only in the name: "
                    "urn:pulumi:<stack>::<project>::azure-native:<module>:<Type>::<name, * allowed>"
                ),
            },
            "reason": {"type": "string", "pattern": _REASON_PATTERN, "description": "why, in a sentence"},
            "approver": {"type": "string", "minLength": 3, "description": "name or role of the approver"},
            "expires": {
                "type": "string",
                "pattern": _DATE_PATTERN,
                "format": "date",
                "description": f"last valid day, at most {MAX_EXEMPTION_DAYS} days from today",
            },
        },
    },
}


class ExemptionError(ValueError):
    """A malformed exemption; the message names the rule, the index and the field."""


@dataclass(frozen=True)
class UrnPattern:
    """Resources of one type in one stack of one project, by name (``*``: any run of characters)."""

    stack: str
    project: str
    type: str  # the resource's own type, or the whole type chain when it holds a parent ("$")
    name: str

    @classmethod
    def parse(cls, text: str) -> UrnPattern | None:
        """The pattern ``text`` writes, or None when it is not one (so it could over-match)."""
        if not re.match(_URN_PATTERN, text):
            return None
        stack, project, type_, name = text.removeprefix("urn:pulumi:").split("::")
        return cls(stack, project, type_, name)

    def matches(self, urn: str) -> bool:
        parts = urn.removeprefix("urn:pulumi:").split("::", 3) if urn.startswith("urn:pulumi:") else []
        if len(parts) != 4:
            return False
        stack, project, qualified, name = parts
        own = qualified if "$" in self.type else qualified.rsplit("$", 1)[-1]
        regex = "^" + ".*".join(re.escape(piece) for piece in self.name.split("*")) + "$"
        return (stack, project, own) == (self.stack, self.project, self.type) and bool(re.match(regex, name))


@dataclass(frozen=True)
class Exemption:
    rule: str
    resource: str  # a URN pattern (UrnPattern)
    reason: str
    approver: str
    expires: dt.date  # the last day on which the exemption applies

    def matches(self, urn: str) -> bool:
        pattern = UrnPattern.parse(self.resource)
        return pattern is not None and pattern.matches(urn)

    def expired(self, today: dt.date) -> bool:
        return today > self.expires

    def describe(self) -> str:
        return f"exemption from {self.rule} for {self.resource} approved by {self.approver}"


def parse_exemptions(rule: str, raw: Any, today: dt.date | None = None) -> tuple[Exemption, ...]:
    """The rule's ``exemptions`` config value as :class:`Exemption` objects, or :class:`ExemptionError`.

    ``today`` (default: :func:`policies.clock.today`) bounds how far ahead an expiry may be.
    """
    if raw is None:
        return ()
    if not is_list(raw):
        raise ExemptionError(f"{rule}.exemptions: expected a list of exemptions, got {type(raw).__name__}")
    day = today or default_today()
    return tuple(_parse_one(rule, f"{rule}.exemptions[{i}]", item, day) for i, item in enumerate(raw))


def _parse_one(rule: str, where: str, item: Any, today: dt.date) -> Exemption:
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
    if UrnPattern.parse(values["resource"]) is None:
        raise ExemptionError(
            f"{where}.resource: {values['resource']!r} could match more than one type in one stack: expected "
            "'urn:pulumi:<stack>::<project>::azure-native:<module>:<Type>::<name>', every segment written "
            "out and '*' only in the name"
        )
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
    latest = today + dt.timedelta(days=MAX_EXEMPTION_DAYS)
    if expiry > latest:
        raise ExemptionError(
            f"{where}.expires: {expires} is more than {MAX_EXEMPTION_DAYS} days after today "
            f"({today.isoformat()}); an exemption may run until {latest.isoformat()} at the latest, "
            "then be renewed"
        )
    return Exemption(rule, values["resource"], values["reason"], values["approver"], expiry)


class ExemptionStatus(StrEnum):
    APPLIED = "applied"  # the finding is downgraded to advisory
    EXPIRED = "expired"  # the finding keeps its level; ``exemption-expired`` reports the lapse


@dataclass(frozen=True)
class Decision:
    """What exemptions do to one finding: the exemption that decided it, and how."""

    exemption: Exemption
    status: ExemptionStatus

    def rewrite(self, message: str) -> str:
        """The finding's message as the engine shows it, saying who approved it or that it lapsed."""
        e = self.exemption
        if self.status is ExemptionStatus.APPLIED:
            return f"EXEMPTED (approved by {e.approver} until {e.expires.isoformat()}: {e.reason}) {message}"
        return f"{message} (exemption expired {e.expires.isoformat()})"


def decide(
    exemptions: Iterable[Exemption], rule: str, urn: str, today: dt.date, *, crashed: bool = False
) -> Decision | None:
    """The exemption decision for a finding of ``rule`` on ``urn``; None when no exemption matches.

    The pack applies it to each diagnostic and the ``tvt`` tool computes the same decision from the
    same config and day, so the status travels as data, never parsed back out of the message. A
    crashed rule is never exempted: the exemption was approved for a finding, not for a broken check.
    The latest-expiring valid exemption wins; with none valid, the latest lapsed one is reported.
    """
    candidates = [e for e in exemptions if e.rule == rule and e.matches(urn)]
    if not candidates or crashed:
        return None
    valid = [e for e in candidates if not e.expired(today)]
    if valid:
        return Decision(max(valid, key=lambda e: e.expires), ExemptionStatus.APPLIED)
    return Decision(max(candidates, key=lambda e: e.expires), ExemptionStatus.EXPIRED)
