"""Policy findings as reviewers read them, and every rule x resource evaluation behind them.

A :class:`Finding` is one diagnostic with what a reviewer needs to act on it: the rule's
remediation and docs URL (from ``GetAnalyzerInfo``), the code that declared the resource (the
plan's ``sourcePosition``), the stack-config keys behind the value (:mod:`config_keys`) and, when
an exemption decided it, the :class:`~policies.exemptions.Decision` computed by the pack's own
:func:`~policies.exemptions.decide` from the same config and day, never read back from the message.

A :class:`Result` is one rule's answer for one resource: pass, fail, exempted or not applicable.
Resource rules answer for every resource ``Analyze`` saw; a stack rule answers for each resource it
reported and, when it reported none, once for the stack as a whole.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

from policies.exemptions import Decision, ExemptionStatus, decide
from policies.framework import crashed
from policies.heap import settled_heap
from scripts.engine.evaluate import Diagnostic, Evaluation
from scripts.engine.plan import Plan, urn_parts
from scripts.review.config_keys import config_keys

_ORDER = {"mandatory": 0, "remediate": 1, "advisory": 2, "disabled": 3}
# The engine's forms: ``project:///path#line`` (repository-relative) or ``file:///abs#line,col``.
_POSITION = re.compile(r"^(?:project|file)://(?P<path>/[^#]*)#(?P<line>\d+)(?:,\d+)?$")


@dataclass(frozen=True)
class Source:
    """Where the program declared a resource: a repository-relative file and a 1-based line."""

    file: str
    line: int

    @classmethod
    def parse(cls, position: str) -> Source | None:
        match = _POSITION.match(position)
        if match is None or int(match["line"]) < 1:
            return None
        path = match["path"].removeprefix("/") if position.startswith("project:") else match["path"]
        return cls(path, int(match["line"]))

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


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
    title: str = ""
    remediation: str = ""
    url: str = ""
    source: Source | None = None
    config_keys: tuple[str, ...] = ()
    # The level the rule runs at (the pack's, or the policy config's): an applied exemption lowers
    # ``enforcement`` to advisory for this one finding, and the rule stays what it is.
    rule_enforcement: str = ""

    @property
    def blocking(self) -> bool:
        return self.enforcement == "mandatory"

    @property
    def shown_enforcement(self) -> str:
        """What people read: ``exempted (mandatory rule)`` for an exempted finding of a mandatory
        rule, where ``advisory`` read as though the rule were weak. Never starting ``mandatory``:
        that word leads only a finding that blocks."""
        if self.exempted and self.rule_enforcement and self.rule_enforcement != self.enforcement:
            return f"exempted ({self.rule_enforcement} rule)"
        return self.enforcement

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
            "remediation": self.remediation,
            "url": self.url,
            "source": {"file": self.source.file, "line": self.source.line} if self.source else None,
            "configKeys": list(self.config_keys),
            "ruleEnforcement": self.rule_enforcement or self.enforcement,
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


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105 (an outcome, not a password)
    FAIL = "fail"
    EXEMPTED = "exempted"
    NOT_APPLICABLE = "not-applicable"


class Result(NamedTuple):
    """One rule's answer for one resource (or, for a stack rule that reported nothing, the stack).

    A named tuple, not a frozen dataclass like the rest: there is one per rule and resource
    (about 135,000 at 3,000 resources), and a frozen dataclass takes three to four times as long
    to make (each field set through ``object.__setattr__``); both are typed and immutable."""

    rule: str
    urn: str
    type: str
    name: str
    outcome: Outcome
    findings: tuple[Finding, ...] = ()
    reason: str = ""  # why the rule does not apply, as the pack said


@dataclass(frozen=True)
class Review:
    """An evaluation, the findings made from it and every rule x resource result: what reports use."""

    evaluation: Evaluation
    findings: tuple[Finding, ...]
    results: tuple[Result, ...] = ()

    @property
    def mandatory(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    @property
    def verdict(self) -> str:
        return "FAIL" if self.mandatory else "PASS"


def _type_and_name(urn: str, plan: Plan) -> tuple[str, str]:
    resource = plan.get(urn)
    if resource is not None:
        return resource.type, resource.name
    parts = urn_parts(urn)
    return (parts[2].rsplit("$", 1)[-1], parts[3]) if parts else ("", "")


def to_finding(diagnostic: Diagnostic, plan: Plan, evaluation: Evaluation) -> Finding:
    policy = evaluation.pack.policies.get(diagnostic.rule)
    resource = plan.get(diagnostic.urn)
    type_, name = _type_and_name(diagnostic.urn, plan)
    severity = diagnostic.severity
    if severity == "unspecified" and policy is not None:
        severity = policy.severity
    return Finding(
        rule=diagnostic.rule,
        enforcement=diagnostic.enforcement,
        severity=severity,
        urn=diagnostic.urn,
        type=type_,
        name=name,
        message=diagnostic.message,
        controls=policy.controls if policy else (),
        exemption=decide(
            evaluation.exemptions,
            diagnostic.rule,
            diagnostic.exempt_urn,
            evaluation.today,
            crashed=crashed(diagnostic.message),
        ),
        title=policy.title if policy else "",
        remediation=policy.remediation if policy else "",
        url=policy.url if policy else "",
        source=Source.parse(resource.source_position) if resource else None,
        config_keys=config_keys(diagnostic.rule),
        rule_enforcement=_rule_level(diagnostic.rule, evaluation) or diagnostic.enforcement,
    )


def _rule_level(rule: str, evaluation: Evaluation) -> str:
    """The level ``rule`` ran at: its effective policy config, else what the pack declares."""
    entry = evaluation.config.get(rule)
    if entry is not None and entry.enforcement:
        return entry.enforcement
    policy = evaluation.pack.policies.get(rule)
    return policy.enforcement if policy is not None else ""


def _outcome(findings: Sequence[Finding]) -> Outcome:
    return Outcome.EXEMPTED if all(f.exempted for f in findings) else Outcome.FAIL


def results(evaluation: Evaluation, plan: Plan, findings: Sequence[Finding]) -> tuple[Result, ...]:
    """Every rule x resource answer, in registry order, then plan order; disabled rules answered nothing."""
    by_pair: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        by_pair[(f.rule, f.urn)].append(f)
    skipped = {(n.rule, n.urn): n.reason for n in evaluation.not_applicable}
    named: dict[str, tuple[str, str]] = {}  # every rule answers for the same URNs: each is read once
    answered: list[Result] = []
    for rule, policy in evaluation.pack.policies.items():
        entry = evaluation.config.get(rule)
        if entry is not None and entry.enforcement == "disabled":
            continue
        if policy.kind == "resource":
            subjects = list(evaluation.analyzed)
        else:
            reported = list(dict.fromkeys(f.urn for f in findings if f.rule == rule))
            subjects = reported or [evaluation.stack_urn]
        for urn in subjects:
            if urn not in named:
                named[urn] = _type_and_name(urn, plan)
            type_, name = named[urn]
            found = by_pair.get((rule, urn), [])
            if found:
                answered.append(Result(rule, urn, type_, name, _outcome(found), tuple(found)))
            elif (rule, urn) in skipped:
                answered.append(
                    Result(rule, urn, type_, name, Outcome.NOT_APPLICABLE, (), skipped[(rule, urn)])
                )
            else:
                answered.append(Result(rule, urn, type_, name, Outcome.PASS))
    return tuple(answered)


def review(evaluation: Evaluation, plan: Plan) -> Review:
    with settled_heap():
        findings = tuple(sort_findings(to_finding(d, plan, evaluation) for d in evaluation.diagnostics))
        return Review(evaluation, findings, results(evaluation, plan, findings))


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)


def findings_json(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    return [f.to_json() for f in sort_findings(findings)]


def outcome_counts(results_: Iterable[Result]) -> dict[str, int]:
    counts = dict.fromkeys((o.value for o in Outcome), 0)
    for r in results_:
        counts[r.outcome.value] += 1
    return counts


@dataclass(frozen=True)
class Judged:
    """What a verdict was judged with, as reports state it."""

    config_label: str  # the policy config file, repository-relative ("pack defaults" without one)
    today: str  # the day expiries were judged on (ISO)


def summary_json(verdict: Review, plan: Plan, judged: Judged) -> dict[str, Any]:
    """The summary block of ``findings.json``: verdict, counts, pack, config file and the day judged."""
    findings = verdict.findings
    return {
        "verdict": verdict.verdict,
        "stack": plan.stack,
        "project": plan.project,
        "pack": {"name": verdict.evaluation.pack.name, "version": verdict.evaluation.pack.version},
        "policyConfig": judged.config_label,
        "judged": judged.today,
        "findings": {
            "total": len(findings),
            "mandatory": len(verdict.mandatory),
            "advisory": sum(1 for f in findings if f.enforcement == "advisory"),
            "exempted": sum(1 for f in findings if f.exempted),
        },
        "evaluations": outcome_counts(verdict.results),
        "enforcementDowngrades": [d.rule for d in verdict.evaluation.downgrades],
    }


def findings_document(verdict: Review, plan: Plan, judged: Judged) -> dict[str, Any]:
    """``findings.json`` (and ``tvt check --format json``): the summary block, then every finding."""
    return {"summary": summary_json(verdict, plan, judged), "findings": findings_json(verdict.findings)}


_STRINGS = {"type": "array", "items": {"type": "string"}}
# The contract of findings.json (and ``tvt check --format json``), checked by the tests on every stack.
FINDINGS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["summary", "findings"],
    "additionalProperties": False,
    "properties": {
        "summary": {
            "type": "object",
            "required": [
                "verdict",
                "stack",
                "project",
                "pack",
                "policyConfig",
                "judged",
                "findings",
                "evaluations",
            ],
            "properties": {
                "verdict": {"enum": ["PASS", "FAIL"]},
                "judged": {"type": "string", "format": "date"},
                "pack": {"type": "object", "required": ["name", "version"]},
                "evaluations": {
                    "type": "object",
                    "required": [o.value for o in Outcome],
                    "additionalProperties": {"type": "integer", "minimum": 0},
                },
                "enforcementDowngrades": _STRINGS,
            },
        },
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "rule",
                    "enforcement",
                    "severity",
                    "urn",
                    "type",
                    "name",
                    "message",
                    "controls",
                    "remediation",
                    "url",
                    "source",
                    "configKeys",
                    "ruleEnforcement",
                ],
                "properties": {
                    "enforcement": {"enum": list(_ORDER)},
                    "ruleEnforcement": {"enum": list(_ORDER)},
                    "controls": _STRINGS,
                    "configKeys": _STRINGS,
                    "source": {
                        "oneOf": [
                            {"type": "null"},
                            {
                                "type": "object",
                                "required": ["file", "line"],
                                "properties": {
                                    "file": {"type": "string"},
                                    "line": {"type": "integer", "minimum": 1},
                                },
                            },
                        ]
                    },
                    "exemption": {"type": "object", "required": ["reason", "approver", "expires", "status"]},
                },
            },
        },
    },
}
