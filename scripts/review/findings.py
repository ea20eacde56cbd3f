"""Policy findings as reviewers read them: one typed record per diagnostic, in a stable order.

A finding carries the rule, its enforcement level after exemptions, severity, the resource, the
pack's message, the controls (the policy's tags, e.g. ``ncsc-csp:2.3``) and, when an exemption
decided it, the :class:`~policies.exemptions.Decision`: computed by the pack's own
:func:`~policies.exemptions.decide` from the same config and day, never read back from the message.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from policies.exemptions import Decision, ExemptionStatus, decide
from policies.framework import crashed
from scripts.engine.evaluate import Diagnostic, Evaluation
from scripts.engine.plan import Plan, urn_parts

_ORDER = {"mandatory": 0, "remediate": 1, "advisory": 2, "disabled": 3}


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
    exemption: Decision | None = None

    @property
    def blocking(self) -> bool:
        return self.enforcement == "mandatory"

    @property
    def exempted(self) -> bool:
        return self.exemption is not None and self.exemption.status is ExemptionStatus.APPLIED

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
            e = self.exemption.exemption
            result["exemption"] = {
                "reason": e.reason,
                "approver": e.approver,
                "expires": e.expires.isoformat(),
                "status": self.exemption.status.value,
            }
        return result


@dataclass(frozen=True)
class Review:
    """An evaluation and the findings made from it: what every report is built from."""

    evaluation: Evaluation
    findings: tuple[Finding, ...]

    @property
    def mandatory(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]


def to_finding(diagnostic: Diagnostic, plan: Plan, evaluation: Evaluation) -> Finding:
    policy = evaluation.pack.policies.get(diagnostic.rule)
    resource = plan.get(diagnostic.urn)
    parts = urn_parts(diagnostic.urn)
    severity = diagnostic.severity
    if severity == "unspecified" and policy is not None:
        severity = policy.severity
    return Finding(
        rule=diagnostic.rule,
        enforcement=diagnostic.enforcement,
        severity=severity,
        urn=diagnostic.urn,
        type=resource.type if resource else (parts[2].rsplit("$", 1)[-1] if parts else ""),
        name=resource.name if resource else (parts[3] if parts else ""),
        message=diagnostic.message,
        controls=policy.controls if policy else (),
        exemption=decide(
            evaluation.exemptions,
            diagnostic.rule,
            diagnostic.exempt_urn,
            evaluation.today,
            crashed=crashed(diagnostic.message),
        ),
    )


def review(evaluation: Evaluation, plan: Plan) -> Review:
    findings = (to_finding(d, plan, evaluation) for d in evaluation.diagnostics)
    return Review(evaluation, tuple(sort_findings(findings)))


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)


def findings_json(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    return [f.to_json() for f in sort_findings(findings)]
