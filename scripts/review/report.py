"""What every report is made of, and ``report.md``: the pull-request comment for security reviewers.

:class:`ReportInputs` is the plan, the review, each resource's level, what the stack config says
(group names, use cases) and what the verdict was judged with; everything here is a pure function
of it, so the same inputs give the same bytes. :attr:`ReportInputs.tables` computes the tables
(access matrix, posture, coverage, exemptions, ...) once, and every format reads those. Every
report lists the enforcement downgrades: a rule the policy config runs at a weaker level than the
pack declares.

``report.md`` stays under GitHub's comment limit (:data:`COMMENT_LIMIT` characters): when the
whole would be longer, it ends at a line boundary with a pointer to ``report.html``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from policies.exemptions import Exemption
from scripts.engine.evaluate import Evaluation
from scripts.engine.plan import Plan, PlanResource
from scripts.review import markup
from scripts.review.access import LEVEL_ORDER, AccessRow, access_rows
from scripts.review.coverage import ControlRow, coverage_rows
from scripts.review.findings import Finding, Judged, Review
from scripts.review.posture import PostureRow, key_expiries, posture_rows
from scripts.review.stack_facts import StackFacts

COMMENT_LIMIT = 65_536  # GitHub's limit on an issue or pull-request comment, in characters
EXPIRING_DAYS = 60  # "expiring soon": use cases, exemptions and keys ending within this many days
HTML_REPORT = "report.html"


@dataclass(frozen=True)
class ReportInputs:
    plan: Plan
    review: Review
    levels: Mapping[str, str]
    facts: StackFacts
    judged: Judged

    @property
    def today(self) -> dt.date:
        return dt.date.fromisoformat(self.judged.today)

    @cached_property
    def tables(self) -> ReportTables:
        """Every table of the reports, computed on first use and then shared by every format."""
        return report_tables(self)


def counted_resources(plan: Plan) -> list[PlanResource]:
    """What the plan declares: everything but the stack root and the engine's default providers."""
    return [r for r in plan.resources if not r.is_stack and not r.is_provider]


def by_level(plan: Plan, levels: Mapping[str, str]) -> dict[str, int]:
    counts = Counter(levels[r.urn] for r in counted_resources(plan))
    return dict(sorted(counts.items(), key=lambda kv: (LEVEL_ORDER.get(kv[0], 9), kv[0])))


def by_type(plan: Plan) -> dict[str, int]:
    counts = Counter(r.type for r in counted_resources(plan))
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def by_rule(findings: Iterable[Finding]) -> dict[tuple[str, str], int]:
    counts = Counter((f.rule, f.shown_enforcement) for f in findings)
    return dict(sorted(counts.items()))


@dataclass(frozen=True)
class ExemptionRow:
    exemption: Exemption
    status: str  # "applied" | "unused" | "expired"
    findings: int
    days_left: int  # negative once expired


def exemption_rows(review: Review) -> list[ExemptionRow]:
    """Every configured exemption, with what it did: applied to findings, unused, or expired."""
    today = review.evaluation.today
    used = Counter(f.exemption.exemption for f in review.findings if f.exemption is not None)
    rows = []
    for e in review.evaluation.exemptions:
        status = "expired" if e.expired(today) else ("applied" if used[e] else "unused")
        rows.append(ExemptionRow(e, status, used[e], (e.expires - today).days))
    return sorted(rows, key=lambda r: (r.exemption.rule, r.exemption.resource, r.exemption.expires))


@dataclass(frozen=True)
class RuleGroup:
    """One rule's findings, with what a reviewer needs to act on them."""

    rule: str
    title: str
    enforcement: str
    severity: str
    controls: tuple[str, ...]
    remediation: str
    url: str
    config_keys: tuple[str, ...]
    findings: tuple[Finding, ...]


def rule_groups(findings: Sequence[Finding]) -> list[RuleGroup]:
    grouped: dict[str, list[Finding]] = {}
    for f in findings:
        grouped.setdefault(f.rule, []).append(f)
    groups = []
    for rule, items in grouped.items():
        first = items[0]
        # The rule's own level (an exempted finding of a mandatory rule is advisory on its own).
        level = first.rule_enforcement or min(items, key=Finding.sort_key).enforcement
        groups.append(
            RuleGroup(
                rule,
                first.title,
                level,
                first.severity,
                first.controls,
                first.remediation,
                first.url,
                first.config_keys,
                tuple(items),
            )
        )
    return groups


@dataclass(frozen=True)
class Expiring:
    kind: str  # "use case" | "exemption" | "key"
    name: str
    detail: str
    expires: dt.date
    days_left: int


def expiring_soon(
    inputs: ReportInputs, exemptions: Sequence[ExemptionRow], within: int = EXPIRING_DAYS
) -> list[Expiring]:
    """Use cases, exemptions and keys that end within ``within`` days of the day judged (or already have)."""
    today = inputs.today
    items = [
        Expiring(
            "use case",
            u.id,
            f"{u.title} ({u.approval}, level {u.level})",
            u.expires,
            (u.expires - today).days,
        )
        for u in inputs.facts.use_cases
    ]
    items += [
        Expiring(
            "exemption",
            r.exemption.rule,
            f"{r.exemption.resource}, approved by {r.exemption.approver}",
            r.exemption.expires,
            r.days_left,
        )
        for r in exemptions
    ]
    items += [
        Expiring("key", k.name, f"level {k.level}", k.expires, (k.expires - today).days)
        for k in key_expiries(inputs.plan, inputs.levels)
    ]
    return sorted((i for i in items if i.days_left <= within), key=lambda i: (i.expires, i.kind, i.name))


DOWNGRADES_HEADING = "Enforcement downgrades"


def downgrade_lines(evaluation: Evaluation, config_label: str) -> list[str]:
    """The "Enforcement downgrades" block of the summary (and ``tvt check``): each weakened rule, or none."""
    downgrades = evaluation.downgrades
    if not downgrades:
        return [f"{DOWNGRADES_HEADING}: none (every rule runs at the level the pack declares)"]
    return [
        f"{DOWNGRADES_HEADING}: {len(downgrades)} rule(s) weaker than the pack declares",
        *(f"  {d.rule}: declared {d.declared}, effective {d.effective} ({config_label})" for d in downgrades),
    ]


@dataclass(frozen=True)
class ReportTables:
    """What report.md and report.html show beyond the findings, each computed once per review."""

    resources: int  # what the plan declares (:func:`counted_resources`)
    by_level: Mapping[str, int]
    by_type: Mapping[str, int]
    groups: tuple[RuleGroup, ...]
    exemptions: tuple[ExemptionRow, ...]
    expiring: tuple[Expiring, ...]
    access: tuple[AccessRow, ...]
    posture: tuple[PostureRow, ...]
    coverage: tuple[ControlRow, ...]


def report_tables(inputs: ReportInputs) -> ReportTables:
    """The tables of ``inputs`` (use ``inputs.tables``: it computes them once)."""
    plan, verdict = inputs.plan, inputs.review
    exemptions = tuple(exemption_rows(verdict))
    return ReportTables(
        resources=len(counted_resources(plan)),
        by_level=by_level(plan, inputs.levels),
        by_type=by_type(plan),
        groups=tuple(rule_groups(verdict.findings)),
        exemptions=exemptions,
        expiring=tuple(expiring_soon(inputs, exemptions)),
        access=tuple(access_rows(plan, inputs.levels, inputs.facts)),
        posture=tuple(posture_rows(plan, inputs.levels)),
        coverage=tuple(coverage_rows(verdict.evaluation.pack.policies, verdict.results)),
    )


# --- report.md -------------------------------------------------------------------------------------


def _cell(value: object) -> str:
    return markup.markdown_cell(str(value)) or "-"


def _table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> list[str]:
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines if len(lines) > 2 else [*lines, "| " + " | ".join("-" for _ in head) + " |"]


def _code(value: str) -> str:
    return markup.markdown_code(value)


def _failures(inputs: ReportInputs) -> list[str]:
    mandatory = inputs.review.mandatory
    if not mandatory:
        return ["No mandatory finding."]
    lines: list[str] = []
    for f in mandatory:
        where = f" (declared at {_code(str(f.source))})" if f.source else ""
        keys = f"; config {', '.join(_code(k) for k in f.config_keys)}" if f.config_keys else ""
        lines.append(
            f"- **{_cell(f.rule)}** on {_code(f.name)} ({_cell(f.type)}){where}{keys}: {_cell(f.message)}"
        )
        if f.remediation:
            lines.append(
                f"  - Fix: {_cell(f.remediation)}"
                + (f" ([docs]({markup.markdown_url(f.url)}))" if f.url else "")
            )
    return lines


def report_sections(inputs: ReportInputs) -> list[list[str]]:
    """The report's sections in order of importance, so truncation drops the least important."""
    plan, verdict, judged, tables = inputs.plan, inputs.review, inputs.judged, inputs.tables
    evaluation = verdict.evaluation
    findings = verdict.findings
    rows = tables.exemptions
    counts = Counter(r.status for r in rows)
    outcomes = Counter(r.outcome.value for r in verdict.results)
    head = [
        f"# Policy report: {_cell(plan.project)} / {_cell(plan.stack)}",
        "",
        f"**Result: {verdict.verdict}** ({len(verdict.mandatory)} mandatory violations)",
        "",
        "Offline preview (`tvt plan`) of the Pulumi program under the SDK's mocks "
        f"(Pulumi {_cell(plan.pulumi_version)}), evaluated by policy pack {_code(evaluation.pack.name)} "
        f"{_cell(evaluation.pack.version)} through the analyzer protocol with config "
        f"{_code(judged.config_label)}. "
        f"Expiry is judged as of {judged.today}.",
        "",
        "## What failed",
        "",
        *_failures(inputs),
        "",
        "## Summary",
        "",
        *_table(
            ["what", "count"],
            [
                ["resources", tables.resources],
                ["mandatory findings", len(verdict.mandatory)],
                ["other findings (advisory, incl. exempted)", len(findings) - len(verdict.mandatory)],
                ["exempted findings", sum(1 for f in findings if f.exempted)],
                ["enforcement downgrades", len(evaluation.downgrades)],
                [
                    "exemptions applied / unused / expired",
                    f"{counts['applied']} / {counts['unused']} / {counts['expired']}",
                ],
                [
                    "rule x resource evaluations: pass / fail / exempted / not applicable",
                    f"{outcomes['pass']} / {outcomes['fail']} / {outcomes['exempted']} / "
                    f"{outcomes['not-applicable']}",
                ],
            ],
        ),
        "",
        "Resources by data level: " + ", ".join(f"{k}: {v}" for k, v in tables.by_level.items()),
        "",
    ]
    sections = [head]
    sections.append(
        [
            f"## {DOWNGRADES_HEADING}",
            "",
            "Rules the policy config runs at a weaker enforcement level than the pack declares for them "
            "(a disabled rule reports nothing; an advisory one never blocks).",
            "",
            *_table(
                ["rule", "declared", "effective", "config file"],
                [[d.rule, d.declared, d.effective, judged.config_label] for d in evaluation.downgrades],
            ),
            "",
        ]
    )
    sections.append(
        [
            "## Findings by rule",
            "",
            *_table(
                ["rule", "enforcement", "severity", "findings", "controls", "remediation"],
                [
                    [g.rule, g.enforcement, g.severity, len(g.findings), ", ".join(g.controls), g.remediation]
                    for g in tables.groups
                ],
            ),
            "",
        ]
    )
    sections.append(
        [
            "## Exemptions",
            "",
            *_table(
                ["rule", "resource", "reason", "approver", "expires", "days left", "status"],
                [
                    [
                        r.exemption.rule,
                        r.exemption.resource,
                        r.exemption.reason,
                        r.exemption.approver,
                        r.exemption.expires.isoformat(),
                        r.days_left,
                        f"{r.status} ({r.findings} findings)" if r.status == "applied" else r.status,
                    ]
                    for r in rows
                ],
            ),
            "",
        ]
    )
    sections.append(
        [
            f"## Expiring within {EXPIRING_DAYS} days",
            "",
            *_table(
                ["what", "name", "detail", "expires", "days left"],
                [[i.kind, i.name, i.detail, i.expires.isoformat(), i.days_left] for i in tables.expiring],
            ),
            "",
        ]
    )
    sections.append(
        [
            "## Access matrix: who can read which level of data",
            "",
            *_table(
                [
                    "level",
                    "principal",
                    "grant",
                    "Azure role",
                    "reads data",
                    "zone / scope",
                    "use case",
                    "use case expires",
                ],
                [
                    [
                        a.level,
                        a.principal,
                        a.grant_role,
                        a.azure_role,
                        a.reads,
                        a.scope,
                        a.use_case_label,
                        a.expires_label,
                    ]
                    for a in tables.access
                ],
            ),
            "",
        ]
    )
    sections.append(
        [
            "## Posture of data and keys",
            "",
            *_table(
                ["level", "resource", "type", "encrypted", "audited", "private", "protected"],
                [
                    [p.level, p.name, p.type, p.encrypted, p.audited, p.private, p.protected]
                    for p in tables.posture
                ],
            ),
            "",
        ]
    )
    sections.append(
        [
            "## Findings",
            "",
            *_table(
                ["rule", "enforcement", "severity", "resource", "declared at", "message"],
                [_finding_row(f) for f in findings],
            ),
            "",
        ]
    )
    sections.append(
        [
            "## Resources by type",
            "",
            *_table(["type", "resources"], [[k, v] for k, v in tables.by_type.items()]),
            "",
        ]
    )
    return sections


def truncation_note(total: int) -> list[str]:
    return [
        "",
        f"*This comment is truncated (the whole report is {total:,} characters, over GitHub's "
        f"{COMMENT_LIMIT:,}). The full report is `{HTML_REPORT}` in the plan's output (the CI artifact).*",
        "",
    ]


def fit(sections: Sequence[Sequence[str]], limit: int = COMMENT_LIMIT) -> str:
    """The sections joined; or, when longer than ``limit``, the lines that fit and a pointer to the rest."""
    whole = "\n".join(line for section in sections for line in section)
    if len(whole) <= limit:
        return whole
    note = "\n".join(truncation_note(len(whole)))
    kept: list[str] = []
    size = len(note) + 1
    for line in (line for section in sections for line in section):
        if size + len(line) + 1 > limit:
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept) + "\n" + note


def report_markdown(inputs: ReportInputs, limit: int = COMMENT_LIMIT) -> str:
    return fit(report_sections(inputs), limit)


def _finding_row(f: Finding) -> list[object]:
    return [f.rule, f.shown_enforcement, f.severity, f"{f.name} ({f.type})", f.source or "", f.message]
