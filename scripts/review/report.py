"""What reviewers read: the plan summary (stdout) and ``report.md`` (security reviewers).

Both are pure functions of the plan, the evaluation, the stack's group names and today's date, so
the same inputs give the same bytes. Both list every enforcement downgrade: a rule the policy
config runs at a weaker level than the pack declares (mandatory to advisory or disabled).

The access matrix answers "who can read which level of data": one row per group role assignment,
with the principal's display name from the stack config, the Azure role, the level, the zone (or
the whole level), the use case it is tied to, and when Azure itself ends the access (the
assignment's ABAC ``UtcNow`` bound).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from policies import abac, roles
from policies.catalog import BLOB_CONTAINER, RG_LOCK, ROLE_ASSIGNMENT, STORAGE_ACCOUNT
from policies.exemptions import Exemption
from scripts.engine.evaluate import Evaluation
from scripts.engine.plan import Plan, PlanResource
from scripts.review.findings import Finding, Review

_GRANT = re.compile(r"TVT grant: (?P<role>\S+) for (?P<group>\S+) on ")
_USE_CASE = re.compile(r"Use case (?P<id>\S+) \((?P<approval>\S+)\) expires (?P<expires>\d{4}-\d{2}-\d{2})")
_LEVEL_ORDER = {"3": 0, "2": 1, "1": 2, "shared": 3}


@dataclass(frozen=True)
class AccessRow:
    level: str
    principal: str
    grant_role: str  # the TVT role from the grant's description (reader, contributor, ingest-writer)
    azure_role: str
    reads: str  # can the group read the data: the point of the matrix
    scope: str
    use_case: str
    use_case_expires: str  # the use case's expiry, and when Azure itself ends the access
    resource: str

    def sort_key(self) -> tuple[int, str, str, str, str]:
        return (_LEVEL_ORDER.get(self.level, 9), self.level, self.principal, self.scope, self.azure_role)


@dataclass(frozen=True)
class ExemptionRow:
    exemption: Exemption
    status: str  # "applied" | "unused" | "expired"
    findings: int


@dataclass(frozen=True)
class ProtectedRow:
    name: str
    type: str
    level: str
    protection: str


def counted_resources(plan: Plan) -> list[PlanResource]:
    """What the plan declares: everything but the stack root and the engine's default providers."""
    return [r for r in plan.resources if not r.is_stack and not r.is_provider]


def by_level(plan: Plan, levels: Mapping[str, str]) -> dict[str, int]:
    counts = Counter(levels[r.urn] for r in counted_resources(plan))
    return dict(sorted(counts.items(), key=lambda kv: (_LEVEL_ORDER.get(kv[0], 9), kv[0])))


def by_type(plan: Plan) -> dict[str, int]:
    counts = Counter(r.type for r in counted_resources(plan))
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def by_rule(findings: Iterable[Finding]) -> dict[tuple[str, str], int]:
    counts = Counter((f.rule, f.enforcement) for f in findings)
    return dict(sorted(counts.items()))


def exemption_rows(review: Review) -> list[ExemptionRow]:
    """Every configured exemption, with what it did: applied to findings, unused, or expired."""
    today = review.evaluation.today
    rows = []
    for e in review.evaluation.exemptions:
        used = [f for f in review.findings if f.exemption is not None and f.exemption.exemption == e]
        status = "expired" if e.expired(today) else ("applied" if used else "unused")
        rows.append(ExemptionRow(e, status, len(used)))
    return sorted(rows, key=lambda r: (r.exemption.rule, r.exemption.resource, r.exemption.expires))


def _scope_label(assignment: PlanResource, plan: Plan) -> str:
    target = next(
        (plan.get(u) for u in assignment.property_dependencies.get("scope", ()) if plan.get(u)), None
    )
    if target is not None and target.type == BLOB_CONTAINER:
        return f"zone {target.inputs.get('containerName', target.name)}"
    if target is not None and target.type == STORAGE_ACCOUNT:
        return f"whole level ({target.inputs.get('accountName', target.name)})"
    if target is not None:
        return f"{target.type.rsplit(':', 1)[-1]} {target.name}"
    return str(assignment.inputs.get("scope", "?"))


@dataclass(frozen=True)
class _Block:
    """One AND-ed block of a condition: ``( ( !(ActionMatches{..}) AND .. ) [OR ( <expressions> )] )``."""

    targets: frozenset[str]  # lower-cased actions the block restricts
    expressions: str | None  # the text after its OR; None: the block denies its targets outright
    ends: tuple[str, ...]  # UtcNow upper bounds among the expressions
    private_link: bool

    @classmethod
    def parse(cls, text: str) -> _Block:
        head, *tail = abac.OR.split(text, maxsplit=1)
        expressions = tail[0] if tail else None
        return cls(
            abac.targets(head),
            expressions,
            tuple(abac.utc_now_bounds(expressions or "")),
            bool(abac.PRIVATE_LINK.search(expressions or "")),
        )


def _blocks(condition: str) -> list[_Block]:
    """The condition's AND-ed blocks (the shared ABAC grammar of ``policies.abac``), parsed."""
    return [_Block.parse(block) for block in abac.top_level_blocks(condition)]


def _moment(literal: str) -> str:
    """An ABAC DateTime as reviewers read it ('2027-10-01 00:00 UTC'), or the literal if unparseable."""
    try:
        moment = dt.datetime.fromisoformat(literal.strip())
    except ValueError:
        return literal
    moment = moment.astimezone(dt.UTC) if moment.tzinfo else moment
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def reads_data(guid: str | None, condition: str) -> str:
    """Can the group read blobs, and until when: the condition's blocks that target blob read decide."""
    if guid not in roles.READS_BLOBS:
        return "not a data-reading role"
    on_read = [b for b in _blocks(condition) if roles.BLOB_READ in b.targets] if condition else []
    if any(b.expressions is None for b in on_read):
        return "no (write-only: ABAC condition denies blob read)"
    if not on_read:
        return "yes"
    if any(abac.OR.search(b.expressions or "") for b in on_read):
        return "conditionally (ABAC condition on blob read)"
    ends = sorted({e for b in on_read for e in b.ends})
    private = any(b.private_link for b in on_read)
    if not ends:
        return "yes, over private link only" if private else "conditionally (ABAC condition on blob read)"
    # Blocks are AND-ed, so the earliest bound on the read action is the one Azure enforces.
    return f"yes until {_moment(ends[0])}" + (", over private link only" if private else "")


def azure_end(condition: str) -> str:
    """When Azure ends the access: the condition's UtcNow bounds, '' when it has none."""
    ends = sorted({e for b in _blocks(condition) for e in b.ends}) if condition else []
    return ", ".join(_moment(e) for e in ends)


def _expiry_cell(expires: str, condition: str) -> str:
    end = azure_end(condition)
    return f"{expires} (Azure ends access {end})".strip() if end else expires


def path_prefixes(condition: str) -> str:
    """The blob path folders the condition confines the group to ('a/, b/'), '' when none."""
    return ", ".join(sorted(set(abac.PATH_STARTS_WITH.findall(condition))))


def access_rows(plan: Plan, levels: Mapping[str, str], group_names: Mapping[str, str]) -> list[AccessRow]:
    rows = []
    for r in plan.resources:
        if r.type != ROLE_ASSIGNMENT or r.inputs.get("principalType") != "Group":
            continue
        principal_id = str(r.inputs.get("principalId", ""))
        description = str(r.inputs.get("description", ""))
        grant = _GRANT.search(description)
        use_case = _USE_CASE.search(description)
        guid = roles.role_guid(r.inputs.get("roleDefinitionId", ""))
        azure_role = roles.role_name(guid)
        condition = str(r.inputs.get("condition") or "")
        if condition:
            azure_role += " (with ABAC condition)"
        folder = path_prefixes(condition)
        rows.append(
            AccessRow(
                level=levels.get(r.urn, "unassigned"),
                principal=group_names.get(principal_id.lower(), principal_id),
                grant_role=grant["role"] if grant else "",
                azure_role=azure_role,
                reads=reads_data(guid, condition),
                scope=_scope_label(r, plan) + (f", folder {folder} only" if folder else ""),
                use_case=f"{use_case['id']} ({use_case['approval']})" if use_case else "",
                use_case_expires=_expiry_cell(use_case["expires"] if use_case else "", condition),
                resource=r.name,
            )
        )
    return sorted(rows, key=AccessRow.sort_key)


def protected_rows(plan: Plan, levels: Mapping[str, str]) -> list[ProtectedRow]:
    rows = [ProtectedRow(r.name, r.type, levels[r.urn], "protect") for r in plan.resources if r.protect]
    for lock in (r for r in plan.resources if r.type == RG_LOCK):
        for urn in lock.property_dependencies.get("resourceGroupName", ()):
            group = plan.get(urn)
            if group is not None:
                level = str(lock.inputs.get("level", "lock"))
                rows.append(
                    ProtectedRow(group.name, group.type, levels[group.urn], f"{level} lock ({lock.name})")
                )
    return sorted(rows, key=lambda r: (_LEVEL_ORDER.get(r.level, 9), r.type, r.name, r.protection))


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|") or "-"


def _table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines if len(lines) > 2 else [*lines, "| " + " | ".join("-" for _ in head) + " |"]


@dataclass(frozen=True)
class ReportInputs:
    plan: Plan
    review: Review
    levels: Mapping[str, str]
    group_names: Mapping[str, str]
    today: str
    config_label: str  # the policy config file as the reader should see it (repository-relative)


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


def summary_text(inputs: ReportInputs, out_label: str) -> str:
    plan, evaluation = inputs.plan, inputs.review.evaluation
    resources = counted_resources(plan)
    findings = inputs.review.findings
    mandatory = [f for f in findings if f.blocking]
    exempted = [f for f in findings if f.exempted]
    lines = [f"tvt plan: stack {plan.stack}: {len(resources)} resources -> {out_label}"]
    lines.append("  by level: " + ", ".join(f"{k}: {v}" for k, v in by_level(plan, inputs.levels).items()))
    lines.append("  by type:")
    lines += [f"    {count:4d}  {type_}" for type_, count in by_type(plan).items()]
    advisory = len(findings) - len(mandatory)
    lines.append(
        f"policy pack {evaluation.pack.name} {evaluation.pack.version} ({inputs.config_label}): "
        f"{len(mandatory)} mandatory, {advisory} other findings ({len(exempted)} exempted)"
    )
    lines += [f"  {rule} [{level}]: {count}" for (rule, level), count in by_rule(findings).items()]
    lines += downgrade_lines(evaluation, inputs.config_label)
    rows = exemption_rows(inputs.review)
    counts = Counter(r.status for r in rows)
    lines.append(
        f"exemptions: {counts['applied']} applied, {counts['unused']} unused, {counts['expired']} expired"
    )
    lines += [
        f"  {r.exemption.rule} on {r.exemption.resource}: approved by {r.exemption.approver} "
        f"until {r.exemption.expires} ({r.status})"
        for r in rows
    ]
    for f in mandatory:
        lines.append(f"MANDATORY {f.rule}: {f.type} {f.name}: {' '.join(f.message.split())}")
    lines.append("result: " + (f"FAIL ({len(mandatory)} mandatory violations)" if mandatory else "PASS"))
    return "\n".join(lines) + "\n"


def report_markdown(inputs: ReportInputs) -> str:
    plan, evaluation = inputs.plan, inputs.review.evaluation
    findings = inputs.review.findings
    mandatory = [f for f in findings if f.blocking]
    exempted = [f for f in findings if f.exempted]
    rows = exemption_rows(inputs.review)
    counts = Counter(r.status for r in rows)
    lines = [
        f"# Policy report: {plan.project} / {plan.stack}",
        "",
        "Offline preview (`tvt plan`) of the Pulumi program under the SDK's mocks "
        f"(Pulumi {plan.pulumi_version}), evaluated by policy pack `{evaluation.pack.name}` "
        f"{evaluation.pack.version} through the analyzer protocol with config `{inputs.config_label}`. "
        f"Exemption expiry is judged as of {inputs.today}.",
        "",
        f"**Result: {'FAIL' if mandatory else 'PASS'}** ({len(mandatory)} mandatory violations)",
        "",
        "## Summary",
        "",
        *_table(
            ["what", "count"],
            [
                ["resources", str(len(counted_resources(plan)))],
                ["mandatory findings", str(len(mandatory))],
                ["other findings (advisory, incl. exempted)", str(len(findings) - len(mandatory))],
                ["exempted findings", str(len(exempted))],
                ["enforcement downgrades", str(len(evaluation.downgrades))],
                [
                    "exemptions applied / unused / expired",
                    f"{counts['applied']} / {counts['unused']} / {counts['expired']}",
                ],
            ],
        ),
        "",
        "### Resources by data level",
        "",
        *_table(["level", "resources"], [[k, str(v)] for k, v in by_level(plan, inputs.levels).items()]),
        "",
        "### Resources by type",
        "",
        *_table(["type", "resources"], [[k, str(v)] for k, v in by_type(plan).items()]),
        "",
        "### Findings by rule",
        "",
        *_table(
            ["rule", "enforcement", "findings"], [[r, e, str(n)] for (r, e), n in by_rule(findings).items()]
        ),
        "",
        f"## {DOWNGRADES_HEADING}",
        "",
        "Rules the policy config runs at a weaker enforcement level than the pack declares for them "
        "(a disabled rule reports nothing; an advisory one never blocks).",
        "",
        *_table(
            ["rule", "declared", "effective", "config file"],
            [[d.rule, d.declared, d.effective, inputs.config_label] for d in evaluation.downgrades],
        ),
        "",
        "## Findings",
        "",
        *_table(
            ["rule", "enforcement", "severity", "resource", "message", "controls"],
            [
                [f.rule, f.enforcement, f.severity, f"{f.name} ({f.type})", f.message, ", ".join(f.controls)]
                for f in findings
            ],
        ),
        "",
        "## Exemptions",
        "",
        *_table(
            ["rule", "resource", "reason", "approver", "expires", "status"],
            [
                [
                    r.exemption.rule,
                    r.exemption.resource,
                    r.exemption.reason,
                    r.exemption.approver,
                    r.exemption.expires.isoformat(),
                    f"{r.status} ({r.findings} findings)" if r.status == "applied" else r.status,
                ]
                for r in rows
            ],
        ),
        "",
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
                    a.use_case,
                    a.use_case_expires,
                ]
                for a in access_rows(plan, inputs.levels, inputs.group_names)
            ],
        ),
        "",
        "## Protected and locked resources",
        "",
        *_table(
            ["resource", "type", "level", "protection"],
            [[p.name, p.type, p.level, p.protection] for p in protected_rows(plan, inputs.levels)],
        ),
        "",
    ]
    return "\n".join(lines)
