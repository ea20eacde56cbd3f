"""What ``tvt plan``, ``tvt check`` and ``tvt report`` print: the verdict first, then what failed and
how to fix it. Drawn with rich (colour on a terminal, plain text anywhere else, never wrapped);
every value passes through :func:`~scripts.review.markup.oneline`, so config and plan text cannot
forge a line or move the cursor. The by-type and posture tables live in the reports.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TextIO

from rich.console import Console
from rich.text import Text

from scripts.review.findings import Finding, Outcome, Review
from scripts.review.markup import oneline, visible
from scripts.review.report import (
    ReportInputs,
    by_level,
    by_rule,
    counted_resources,
    downgrade_lines,
    exemption_rows,
)

_VERDICT_STYLE = {"PASS": "bold green", "FAIL": "bold red"}


def console(stream: TextIO) -> Console:
    return Console(file=stream, highlight=False, markup=False, emoji=False, soft_wrap=True)


def verdict_line(command: str, stack: str, review: Review, tail: str = "") -> Text:
    mandatory = len(review.mandatory)
    line = Text(f"{command}: stack {oneline(stack)}: ")
    line.append(review.verdict, style=_VERDICT_STYLE[review.verdict])
    line.append(
        f" ({mandatory} mandatory violation{'' if mandatory == 1 else 's'}, {len(review.findings)} findings)"
    )
    return line.append(tail)


def finding_lines(f: Finding, *, detail: bool) -> list[Text]:
    exempted_rule = f.shown_enforcement != f.enforcement  # an exempted finding of a stronger rule
    label = "EXEMPTED" if exempted_rule else f.enforcement.upper()
    head = Text(f"{label:10} ", style="red" if f.blocking else "yellow")
    level = f", {f.rule_enforcement} rule" if exempted_rule else ""
    head.append(f"{oneline(f.rule)} ({oneline(f.severity)}{level}) {oneline(f.type)} {oneline(f.name)}")
    if f.exemption is not None:
        e = f.exemption.exemption
        state = "exempted" if f.exempted else "exemption expired"
        head.append(f" [{state}: approved by {oneline(e.approver)} until {e.expires.isoformat()}]")
    head.append(f": {oneline(f.message)}")
    lines = [head]
    if detail:
        if f.remediation:
            lines.append(Text(f"  fix: {oneline(f.remediation)}"))
        if f.url:
            lines.append(Text(f"  docs: {oneline(f.url)}"))
        where = [f"declared at {oneline(str(f.source))}"] if f.source else []
        where += [f"config {', '.join(oneline(k) for k in f.config_keys)}"] if f.config_keys else []
        if where:
            lines.append(Text("  " + "; ".join(where)))
    return lines


def _print(out: Console, lines: Iterable[Text | str]) -> None:
    for line in lines:
        out.print(line)


def evaluation_line(review: Review) -> str:
    counts = Counter(r.outcome for r in review.results)
    return (
        f"evaluations (rule x resource): {counts[Outcome.PASS]} pass, {counts[Outcome.FAIL]} fail, "
        f"{counts[Outcome.EXEMPTED]} exempted, {counts[Outcome.NOT_APPLICABLE]} not applicable"
    )


def print_summary(stream: TextIO, command: str, inputs: ReportInputs, written: str) -> None:
    """The plan/report summary: verdict, failures with remediation, then counts and exemptions."""
    out = console(stream)
    plan, review, judged = inputs.plan, inputs.review, inputs.judged
    pack = review.evaluation.pack
    findings = review.findings
    levels = ", ".join(f"{k}: {v}" for k, v in by_level(plan, inputs.levels).items())
    lines: list[Text | str] = [
        verdict_line(command, plan.stack, review, f" -> {oneline(written)}"),
        f"  {len(counted_resources(plan))} resources, by level: {levels}",
        f"  policy pack {oneline(pack.name)} {oneline(pack.version)} ({oneline(judged.config_label)}), "
        f"judged {judged.today}",
        f"  {evaluation_line(review)}",
    ]
    for f in review.mandatory:
        lines += finding_lines(f, detail=True)
    exempted = sum(1 for f in findings if f.exempted)
    other = len(findings) - len(review.mandatory)
    lines.append(f"findings: {len(review.mandatory)} mandatory, {other} other ({exempted} exempted)")
    lines += [f"  {oneline(rule)} [{level}]: {count}" for (rule, level), count in by_rule(findings).items()]
    lines += [visible(line) for line in downgrade_lines(review.evaluation, judged.config_label)]
    rows = exemption_rows(review)
    status = Counter(r.status for r in rows)
    lines.append(
        f"exemptions: {status['applied']} applied, {status['unused']} unused, {status['expired']} expired"
    )
    lines += [
        f"  {oneline(r.exemption.rule)} on {oneline(r.exemption.resource)}: approved by "
        f"{oneline(r.exemption.approver)} until {r.exemption.expires} ({r.status}, {r.days_left} days left)"
        for r in rows
    ]
    _print(out, lines)


def print_check(stream: TextIO, inputs: ReportInputs) -> None:
    """``tvt check`` in text: the verdict, every finding (mandatory ones with their fix), downgrades."""
    out = console(stream)
    review = inputs.review
    lines: list[Text | str] = [
        verdict_line("tvt check", inputs.plan.stack, review),
        f"  {evaluation_line(review)}",
    ]
    for f in review.findings:
        lines += finding_lines(f, detail=f.blocking)
    lines += [visible(line) for line in downgrade_lines(review.evaluation, inputs.judged.config_label)]
    _print(out, lines)


def print_downgrades(stream: TextIO, inputs: ReportInputs) -> None:
    _print(
        console(stream),
        # oneline folds whitespace, so the indentation that nests a rule under the heading is kept aside.
        [
            " " * (len(line) - len(line.lstrip(" "))) + oneline(line)
            for line in downgrade_lines(inputs.review.evaluation, inputs.judged.config_label)
        ],
    )
