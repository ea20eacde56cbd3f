"""Compare two plans (e.g. main's and a pull request's) and say what the change would delete or replace.

The offline plan has no prior state, so it cannot tell a reviewer that a change would replace the
level-3 storage account: two plans can. Resources are matched by URN (or by an ``aliases`` entry in
the new plan, as the engine does) and each difference is one :class:`Change`:

- ``added`` / ``deleted``: the URN is only in NEW / only in BASE. A new parent or logical name is a
  new URN, so it shows as a delete plus an add: exactly what Pulumi would do to the Azure resource.
- ``replaced``: an input that Azure fixes at creation changed (the catalog's ``replacement``), so Pulumi
  would delete the resource and create another.
- ``updated``: any other input change (inputs compared with secrets redacted alike), or ``protect``.
  Each changed input is listed with its value before and after (secrets redacted); a change to an
  input Azure never applies after creation (the catalog's ``ignored_after_create``) is marked
  "will not reach Azure".

An alias that names a BASE resource of another type is a replacement: the engine deletes the old
type's resource, so it is an alarm when that one holds data. Findings introduced and fixed come
from the ``findings.json`` written beside each plan, matched by rule and resource (through aliases).

A delete or replace of a data-bearing or key-material type (the catalog's ``data_loss``) is an alarm
unless an ``--allow-replace`` URN glob accepts it; one of a resource with ``protect: true`` in BASE
is always an alarm, because Pulumi would refuse it and no glob changes that. Everything else is
informational. All functions here are pure: reading the files is the command's job.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from policies.catalog import PROVIDER_PREFIX, Replacement, classify
from scripts.engine.errors import PreviewError, issue
from scripts.engine.export import is_secret, redacted
from scripts.engine.plan import Plan, PlanResource
from scripts.review.markup import markdown_cell, markdown_code, oneline
from scripts.review.report import fit


class Kind(StrEnum):
    ADDED = "added"
    UPDATED = "updated"
    REPLACED = "replaced"
    DELETED = "deleted"


def fallback_replacement(inputs: Mapping[str, Any]) -> Replacement:
    """For a type the catalog has no replacement inputs for: fail towards shouting.

    azure-native names every ARM path segment ``<something>Name`` (or just ``name``), so any such
    top-level input, plus ``resourceGroupName`` and ``location``, is treated as forcing replacement.
    """
    named = sorted(k for k in inputs if k == "name" or k.endswith("Name"))
    return Replacement(tuple(dict.fromkeys(["resourceGroupName", *named])))


# --- comparing inputs --------------------------------------------------------------------------

_MISSING: Final = object()


def canonical(value: Any) -> Any:
    """Secrets replaced by one redacted form, so two secrets compare equal whatever their encoding."""
    if is_secret(value):
        return redacted()
    if isinstance(value, Mapping):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def _same_leaf(old: Any, new: Any) -> bool:
    # The engine treats an input set to null as unset; and True == 1 in Python, but not in a plan.
    old = _MISSING if old is None else old
    new = _MISSING if new is None else new
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new
    return bool(old is new or old == new)


def _join(prefix: str, key: str) -> str:
    if any(c in key for c in '.[]" '):
        return f"{prefix}[{json.dumps(key)}]"
    return f"{prefix}.{key}" if prefix else key


def changed_leaves(old: Any, new: Any, prefix: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(path, before, after) of the leaves that differ (``a.b[0].c``); a list that changed length is one."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in sorted(set(old) | set(new)):
            yield from changed_leaves(old.get(key, _MISSING), new.get(key, _MISSING), _join(prefix, key))
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            yield from changed_leaves(a, b, f"{prefix}[{i}]")
    elif not _same_leaf(old, new):
        yield prefix, None if old is _MISSING else old, None if new is _MISSING else new


def changed_paths(old: Any, new: Any, prefix: str = "") -> Iterator[str]:
    """Paths of the leaves that differ (``a.b[0].c``); a list that changed length is one path."""
    return (path for path, _, _ in changed_leaves(old, new, prefix))


@dataclass(frozen=True)
class PropertyChange:
    """One changed input, before and after (secrets already redacted), and whether Azure would apply it."""

    path: str
    before: Any
    after: Any
    ignored: str = ""  # why Azure never applies this change ("" when it does)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "before": self.before,
            "after": self.after,
            "reachesAzure": not self.ignored,
            **({"note": f"will not reach Azure: {self.ignored}"} if self.ignored else {}),
        }


def ignored_reason(type_: str, path: str) -> str:
    """Why Azure never applies a change at ``path`` of a ``type_`` resource, or ""."""
    info = classify(type_)
    for prefix, why in info.ignored_after_create if info is not None else ():
        if path == prefix or path.startswith((f"{prefix}.", f"{prefix}[")):
            return why
    return ""


def property_changes(
    type_: str, old: Mapping[str, Any], new: Mapping[str, Any]
) -> tuple[PropertyChange, ...]:
    return tuple(
        PropertyChange(path, before, after, ignored_reason(type_, path))
        for path, before, after in changed_leaves(old, new)
    )


def value_at(inputs: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted table path, or ``None`` when any step is missing."""
    node: Any = inputs
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def shown(value: Any) -> str:
    if value is None:
        return "(unset)"
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= 100 else text[:97] + "..."


@dataclass(frozen=True)
class Forced:
    path: str
    old: Any
    new: Any
    why: str

    def describe(self) -> str:
        return f"{self.path} {shown(self.old)} -> {shown(self.new)} ({self.why})"


def replacement_for(resource: PlanResource, before: Mapping[str, Any] | None = None) -> Replacement | None:
    """The table entry; ``None`` where nothing can be replaced (components, providers).

    ``before``: the old inputs, so a name input an unknown type dropped still counts.
    """
    if not resource.custom or resource.type.startswith(PROVIDER_PREFIX):
        # Components have no cloud resource; a provider's config change is the provider's own diff.
        return None
    info = classify(resource.type)
    known = info.replacement if info is not None else None
    return known or fallback_replacement({**(before or {}), **resource.inputs})


def forced_changes(rule: Replacement, old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[Forced, ...]:
    pairs = ((path, why, value_at(old, path), value_at(new, path)) for path, why in rule.forcing())
    return tuple(Forced(path, a, b, why) for path, why, a, b in pairs if not _same_leaf(a, b))


# --- the diff ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    urn: str
    type: str
    change: Kind
    paths: tuple[str, ...]
    alarm: bool  # fails the diff (exit 1)
    allowed: bool  # would be an alarm, but an --allow-replace glob accepts it
    reason: str
    glob: str = ""  # the --allow-replace glob that matched a risky change (not in the JSON)
    properties: tuple[PropertyChange, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "change": self.change.value,
            "paths": list(self.paths),
            "alarm": self.alarm,
            "allowed": self.allowed,
            "reason": self.reason,
            "properties": [p.to_json() for p in self.properties],
        }


@dataclass(frozen=True)
class FindingRef:
    """A finding as ``findings.json`` records it: enough to say it appeared or went away."""

    rule: str
    urn: str
    enforcement: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"rule": self.rule, "urn": self.urn, "enforcement": self.enforcement, "message": self.message}


@dataclass(frozen=True)
class Diff:
    stack: str
    changes: tuple[Change, ...]  # sorted by URN, then kind
    unused_globs: tuple[str, ...]  # --allow-replace globs that accepted nothing (stale allowances)
    introduced: tuple[FindingRef, ...] = ()  # in NEW's findings.json, not in BASE's
    fixed: tuple[FindingRef, ...] = ()  # in BASE's, not in NEW's
    findings_known: bool = False  # both plans had a findings.json beside them

    @property
    def alarms(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.alarm)

    def count(self, kind: Kind) -> int:
        return sum(1 for c in self.changes if c.change is kind)


@dataclass(frozen=True)
class _Risk:
    alarm: bool
    allowed: bool
    notes: tuple[str, ...]
    glob: str  # the --allow-replace glob that matched, or ""


def _risk(old: PlanResource, urn: str, kind: Kind, allow: Sequence[str]) -> _Risk:
    """Alarm or not for a delete/replace of ``old`` (reported under ``urn``, its URN in NEW)."""
    data = data_loss(old.type)
    glob = next((g for g in allow if fnmatch.fnmatchcase(urn, g) or fnmatch.fnmatchcase(old.urn, g)), "")
    notes: list[str] = []
    if data:
        notes.append(f"data-bearing: {data}")
    if old.protect:
        verb = "delete" if kind is Kind.DELETED else "replace"
        notes.append(
            f"protect: true in BASE: Pulumi would refuse to {verb} it; "
            "unprotect it in a separate change first"
            + (f" (--allow-replace {glob} cannot override protect)" if glob else "")
        )
    elif data and glob:
        notes.append(f"allowed by --allow-replace {glob}")
    alarm = old.protect or (bool(data) and not glob)
    allowed = bool(data) and bool(glob) and not old.protect
    return _Risk(alarm, allowed, tuple(notes), glob if data or old.protect else "")


def _identity_key(resource: PlanResource) -> tuple[str, str] | None:
    """(type, ARM-id inputs) of a custom resource, to spot a rename that would delete the Azure resource."""
    rule = replacement_for(resource)
    if rule is None:
        return None
    values = {name: value_at(resource.inputs, name) for name in rule.identity}
    if not any(v is not None for v in values.values()):
        return None
    return resource.type, json.dumps(values, sort_keys=True)


def _deleted(old: PlanResource, allow: Sequence[str], twins: Mapping[tuple[str, str], str]) -> Change:
    reason = ["not in NEW: Pulumi would delete it"]
    key = _identity_key(old)
    if key is not None and key in twins:
        # Same ARM id under a new URN: Pulumi creates "the new one" (the same Azure resource), then
        # deletes the old URN, which deletes the Azure resource. An alias is what keeps it.
        reason.append(
            f"NEW adds {twins[key]} with the same ARM id: if this is a rename or move, give the new "
            "resource an alias for this URN (ResourceOptions(aliases=...)) so Pulumi keeps the Azure resource"
        )
    risk = _risk(old, old.urn, Kind.DELETED, allow)
    notes = "; ".join([*reason, *risk.notes])
    return Change(old.urn, old.type, Kind.DELETED, (), risk.alarm, risk.allowed, notes, risk.glob)


def _compared(old: PlanResource, new: PlanResource, allow: Sequence[str], renamed: bool) -> Change | None:
    """The change between two versions of one resource, or ``None`` when they are the same."""
    old_inputs, new_inputs = canonical(old.inputs), canonical(new.inputs)
    properties = property_changes(new.type, old_inputs, new_inputs)
    paths = tuple(p.path for p in properties)
    rule = replacement_for(new, old.inputs)
    forced = forced_changes(rule, old_inputs, new_inputs) if rule else ()
    reason: list[str] = [f"renamed from {old.urn} (alias)"] if renamed else []
    if old.type != new.type:
        # The engine replaces a resource whose type changed: the old type's resource is deleted.
        reason.append(f"its alias names {old.urn}, a {old.type}: a new type is a replacement")
    if forced or old.type != new.type:
        reason += [f"{f.describe()} forces replacement" for f in forced]
        risk = _risk(old, new.urn, Kind.REPLACED, allow)
        notes = "; ".join([*reason, *risk.notes])
        return Change(
            new.urn, new.type, Kind.REPLACED, paths, risk.alarm, risk.allowed, notes, risk.glob, properties
        )
    if old.protect != new.protect:
        reason.append(f"protect {str(old.protect).lower()} -> {str(new.protect).lower()}")
    if not (paths or reason):
        return None
    if paths:
        reason.insert(0, "inputs changed: " + ", ".join(paths))
    ignored = [p for p in properties if p.ignored]
    if ignored:
        reason.append(f"will not reach Azure: {', '.join(p.path for p in ignored)} ({ignored[0].ignored})")
    return Change(new.urn, new.type, Kind.UPDATED, paths, False, False, "; ".join(reason), "", properties)


def _alias_targets(base: Plan, new: Plan) -> dict[str, str]:
    """NEW URN -> the BASE URN it takes over, where NEW lacks the old URN itself (the engine's rule)."""
    targets: dict[str, str] = {}
    taken: set[str] = set()
    for resource in new.resources:
        if base.get(resource.urn) is not None:
            continue
        for alias in resource.aliases:
            if base.get(alias) is not None and new.get(alias) is None and alias not in taken:
                targets[resource.urn] = alias
                taken.add(alias)
                break
    return targets


def finding_changes(
    base: Sequence[FindingRef], new: Sequence[FindingRef], renamed: Mapping[str, str]
) -> tuple[tuple[FindingRef, ...], tuple[FindingRef, ...]]:
    """(introduced, fixed): findings by (rule, resource), BASE's URNs followed through NEW's aliases."""
    before = {(f.rule, renamed.get(f.urn, f.urn)) for f in base}
    after = {(f.rule, f.urn) for f in new}
    introduced = tuple(f for f in new if (f.rule, f.urn) not in before)
    fixed = tuple(f for f in base if (f.rule, renamed.get(f.urn, f.urn)) not in after)
    return introduced, fixed


def diff_plans(
    base: Plan,
    new: Plan,
    *,
    allow_replace: Sequence[str] = (),
    findings: tuple[Sequence[FindingRef], Sequence[FindingRef]] | None = None,
) -> Diff:
    """Every change from ``base`` to ``new``; plans of different stacks are bad input, not a diff."""
    if (base.stack, base.project) != (new.stack, new.project):
        raise PreviewError(
            issue(
                new.source,
                "",
                f"is a plan of stack {new.stack} (project {new.project}) but {base.source} is of stack "
                f"{base.stack} (project {base.project}): compare two plans of the same stack",
            )
        )
    aliased = _alias_targets(base, new)
    consumed = set(aliased.values())
    changes: list[Change] = []
    added: list[PlanResource] = []
    for resource in new.resources:
        old = base.get(resource.urn) or base.get(aliased.get(resource.urn, ""))
        if old is None:
            added.append(resource)
            continue
        consumed.add(old.urn)
        change = _compared(old, resource, allow_replace, renamed=old.urn != resource.urn)
        if change is not None:
            changes.append(change)
    twins = {key: r.urn for r in added if (key := _identity_key(r)) is not None}
    changes += [_deleted(r, allow_replace, twins) for r in base.resources if r.urn not in consumed]
    changes += [
        Change(r.urn, r.type, Kind.ADDED, (), False, False, "not in BASE: Pulumi would create it")
        for r in added
    ]
    ordered = tuple(sorted(changes, key=lambda c: (c.urn, c.change.value)))
    used = {c.glob for c in ordered}
    unused = tuple(g for g in dict.fromkeys(allow_replace) if g not in used)
    if findings is None:
        return Diff(new.stack, ordered, unused)
    introduced, fixed = finding_changes(*findings, {old: urn for urn, old in aliased.items()})
    return Diff(new.stack, ordered, unused, introduced, fixed, findings_known=True)


def read_findings(document: Any, source: str) -> tuple[FindingRef, ...]:
    """The findings of a ``findings.json`` (the summary document, or the bare list older plans wrote)."""
    items = document.get("findings") if isinstance(document, Mapping) else document
    if not isinstance(items, list):
        raise PreviewError(issue(source, "findings", "expected a list of findings"))
    found, problems = [], []
    for i, item in enumerate(items):
        fields = [
            item.get(k) if isinstance(item, Mapping) else None
            for k in ("rule", "urn", "enforcement", "message")
        ]
        if not all(isinstance(v, str) for v in fields):
            problems.append(
                issue(source, f"findings[{i}]", "expected rule, urn, enforcement and message strings")
            )
            continue
        found.append(FindingRef(*(str(v) for v in fields)))
    if problems:
        raise PreviewError(*problems)
    return tuple(found)


# --- output ------------------------------------------------------------------------------------

_GROUP_ORDER = (Kind.REPLACED, Kind.DELETED, Kind.ADDED, Kind.UPDATED)


def summary_line(diff: Diff) -> str:
    counts = ", ".join(
        f"{diff.count(k)} {k.value}" for k in (Kind.ADDED, Kind.UPDATED, Kind.REPLACED, Kind.DELETED)
    )
    allowed = sum(1 for c in diff.changes if c.allowed)
    extra = f", {allowed} allowed" if allowed else ""
    verdict = "FAIL" if diff.alarms else "PASS"
    return f"{diff.stack}: {counts}, {len(diff.alarms)} alarms{extra} -> {verdict}"


def _value(value: Any) -> str:
    return oneline(shown(value))


def _property_line(p: PropertyChange) -> str:
    note = f"  (will not reach Azure: {p.ignored})" if p.ignored else ""
    return f"             {oneline(p.path)}: {_value(p.before)} -> {_value(p.after)}{oneline(note)}"


def _entry(change: Change) -> list[str]:
    head = [
        f"  {change.change.value.upper():8} {oneline(change.urn)}",
        f"           {oneline(change.type)}: {oneline(change.reason)}",
    ]
    return head + [_property_line(p) for p in change.properties]


def _finding_line(f: FindingRef) -> str:
    return f"  {f.enforcement.upper():10} {oneline(f.rule)} on {oneline(f.urn)}: {oneline(f.message)}"


def findings_lines(diff: Diff) -> list[str]:
    if not diff.findings_known:
        return ["", "findings: not compared (a plan has no findings.json beside it)"]
    lines = ["", f"findings: {len(diff.introduced)} introduced, {len(diff.fixed)} fixed"]
    if diff.introduced:
        lines += ["introduced:", *(_finding_line(f) for f in diff.introduced)]
    if diff.fixed:
        lines += ["fixed:", *(_finding_line(f) for f in diff.fixed)]
    return lines


def diff_text(diff: Diff) -> str:
    """Summary, then alarms, then allowed ones, then the rest grouped by kind (most serious first)."""
    lines = [summary_line(diff)]
    sections: list[tuple[str, list[Change]]] = [
        ("ALARMS (data would be lost)", [c for c in diff.changes if c.alarm]),
        ("allowed by --allow-replace", [c for c in diff.changes if c.allowed]),
    ]
    rest = [c for c in diff.changes if not (c.alarm or c.allowed)]
    sections += [(kind.value, [c for c in rest if c.change is kind]) for kind in _GROUP_ORDER]
    for title, changes in sections:
        if changes:
            lines += ["", f"{title}:"]
            lines += [line for c in changes for line in _entry(c)]
    lines += findings_lines(diff)
    return "\n".join(lines) + "\n"


def diff_document(diff: Diff) -> dict[str, Any]:
    return {
        "stack": diff.stack,
        "summary": summary_line(diff),
        "alarms": len(diff.alarms),
        "changes": [c.to_json() for c in diff.changes],
        "findings": {
            "compared": diff.findings_known,
            "introduced": [f.to_json() for f in diff.introduced],
            "fixed": [f.to_json() for f in diff.fixed],
        },
    }


def diff_json(diff: Diff) -> str:
    return json.dumps(diff_document(diff), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _md_change(change: Change) -> list[str]:
    head = f"- **{change.change.value}** {markdown_code(change.urn)}: {markdown_cell(change.reason)}"
    rows = [
        f"  - {markdown_code(p.path)}: {markdown_code(shown(p.before))} → {markdown_code(shown(p.after))}"
        + (f" *(will not reach Azure: {markdown_cell(p.ignored)})*" if p.ignored else "")
        for p in change.properties
    ]
    return [head, *rows]


def diff_markdown(diff: Diff) -> str:
    """The pull-request comment: verdict, alarms, findings introduced and fixed, every change."""
    verdict = "FAIL: data would be lost" if diff.alarms else "PASS"
    sections: list[list[str]] = [
        [
            f"## Plan diff: {markdown_cell(diff.stack)}",
            "",
            f"**{verdict}**. {markdown_cell(summary_line(diff))}",
            "",
        ]
    ]
    alarms = [c for c in diff.changes if c.alarm]
    if alarms:
        sections.append(["### Alarms", "", *(line for c in alarms for line in _md_change(c)), ""])
    if diff.findings_known:
        block = [f"### Findings: {len(diff.introduced)} introduced, {len(diff.fixed)} fixed", ""]
        block += [
            f"- introduced: {markdown_cell(f.enforcement)} {markdown_code(f.rule)} "
            f"on {markdown_code(f.urn)}: " + markdown_cell(f.message)
            for f in diff.introduced
        ]
        block += [f"- fixed: {markdown_code(f.rule)} on {markdown_code(f.urn)}" for f in diff.fixed]
        sections.append([*block, ""])
    rest = [c for c in diff.changes if not c.alarm]
    for kind in _GROUP_ORDER:
        group = [c for c in rest if c.change is kind]
        if group:
            sections.append(
                [
                    f"### {kind.value.capitalize()} ({len(group)})",
                    "",
                    *(line for c in group for line in _md_change(c)),
                    "",
                ]
            )
    return fit(sections) + "\n"


def data_loss(type_: str) -> str | None:
    """Why deleting or replacing a resource of ``type_`` loses data (the catalog's reason), or None."""
    info = classify(type_)
    return info.data_loss if info is not None else None
