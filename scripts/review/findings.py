"""Policy findings as reviewers read them: one typed record per diagnostic, in a stable order.

A finding carries the rule, its enforcement level after exemptions, severity, the resource, the
pack's message, the controls (the policy's tags, e.g. ``ncsc-csp:2.3``) and, when the pack applied
or refused an exemption, the exemption itself. The pack marks exemptions in the message (the
contract's ``EXEMPTED (approved by X until D: R) `` prefix, or `` (exemption expired D)`` at the
end); they are matched against the configured exemptions first, so a reason containing ``) ``
is still read correctly.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

EXEMPTED_PREFIX = "EXEMPTED (approved by {approver} until {expires}: {reason}) "
_EXEMPTED = re.compile(
    r"EXEMPTED \(approved by (?P<approver>.+?) until (?P<expires>\d{4}-\d{2}-\d{2}): (?P<reason>.*?)\) "
)
_EXPIRED = re.compile(r" \(exemption expired (?P<expires>\d{4}-\d{2}-\d{2})\)")
_ORDER = {"mandatory": 0, "remediate": 1, "advisory": 2, "disabled": 3}


@dataclass(frozen=True)
class ConfiguredExemption:
    """An exemption as written in ``policies/config/<stack>.json``."""

    rule: str
    resource: str  # URN glob
    reason: str
    approver: str
    expires: str

    def matches(self, urn: str) -> bool:
        return fnmatch.fnmatchcase(urn, self.resource)


@dataclass(frozen=True)
class Exemption:
    reason: str
    approver: str
    expires: str
    status: str  # "applied" (finding downgraded) | "expired" (finding kept at its level)

    def to_json(self) -> dict[str, str]:
        return {
            "reason": self.reason,
            "approver": self.approver,
            "expires": self.expires,
            "status": self.status,
        }


@dataclass(frozen=True)
class Finding:
    rule: str
    enforcement: str
    severity: str
    urn: str
    type: str
    name: str
    message: str
    controls: tuple[str, ...]
    exemption: Exemption | None = None

    @property
    def blocking(self) -> bool:
        return self.enforcement == "mandatory"

    def sort_key(self) -> tuple[int, str, str, str]:
        return (_ORDER.get(self.enforcement, 9), self.rule, self.urn, self.message)

    def to_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "rule": self.rule,
            "enforcement": self.enforcement,
            "severity": self.severity,
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "message": self.message,
            "controls": list(self.controls),
        }
        if self.exemption is not None:
            result["exemption"] = self.exemption.to_json()
        return result


def configured_exemptions(config: Mapping[str, Any]) -> list[ConfiguredExemption]:
    """Every exemption of every rule in a (validated) policy config, in file order per rule."""
    found: list[ConfiguredExemption] = []
    for rule in sorted(config):
        properties = getattr(config[rule], "properties", {})
        for item in properties.get("exemptions", []) or []:
            if isinstance(item, Mapping):
                found.append(
                    ConfiguredExemption(
                        rule,
                        str(item.get("resource", "")),
                        str(item.get("reason", "")),
                        str(item.get("approver", "")),
                        str(item.get("expires", "")),
                    )
                )
    return found


def parse_exemption(
    rule: str, urn: str, message: str, known: Iterable[ConfiguredExemption]
) -> Exemption | None:
    """The exemption a diagnostic's message reports, if any (configured ones first, then the pattern)."""
    candidates = [e for e in known if e.rule == rule]
    for e in candidates:
        prefix = EXEMPTED_PREFIX.format(approver=e.approver, expires=e.expires, reason=e.reason)
        if message.startswith(prefix) or f"\n{prefix}" in message:
            return Exemption(e.reason, e.approver, e.expires, "applied")
    applied = _EXEMPTED.search(message)
    if applied and (applied.start() == 0 or message[applied.start() - 1] == "\n"):
        return Exemption(applied["reason"], applied["approver"], applied["expires"], "applied")
    expired = _EXPIRED.search(message)
    if expired:
        date = expired["expires"]
        match = next((e for e in candidates if e.expires == date and e.matches(urn)), None)
        return Exemption(match.reason if match else "", match.approver if match else "", date, "expired")
    return None


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)


def findings_json(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    return [f.to_json() for f in sort_findings(findings)]
