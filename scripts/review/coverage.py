"""The control-coverage matrix: every NCSC principle and MCSB control, the rules that test it, and how
each fared (pass, fail, exempted) in this evaluation.

Controls come from the rules' own metadata (the policy tags ``ncsc-csp:<p>`` and ``mcsb:<id>``);
the NCSC principles are the pack's own list (``policies.framework.NCSC_PRINCIPLES``), so a principle
no rule tests still shows, with no rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from policies.framework import NCSC_FRAMEWORK, NCSC_PRINCIPLES
from scripts.engine.policy_config import PolicyInfo
from scripts.review.findings import Outcome, Result

NCSC_TAG, MCSB_TAG = "ncsc-csp:", "mcsb:"


@dataclass(frozen=True)
class ControlRow:
    framework: str
    control: str
    title: str
    rules: tuple[str, ...]
    passed: int
    failed: int
    exempted: int

    @property
    def short(self) -> str:
        return "NCSC" if self.framework == NCSC_FRAMEWORK else "MCSB"

    @property
    def status(self) -> str:
        if not self.rules:
            return "not tested"
        if self.failed:
            return "fail"
        if self.exempted:
            return "pass with exemptions"
        return "pass" if self.passed else "not applicable"


def _key(control: str) -> tuple[int | str, ...]:
    return tuple(int(p) if p.isdigit() else p for p in control.replace("-", ".").split("."))


def coverage_rows(policies: Mapping[str, PolicyInfo], results: Iterable[Result]) -> list[ControlRow]:
    tally: dict[str, dict[Outcome, int]] = {}
    for (rule, outcome), n in Counter((r.rule, r.outcome) for r in results).items():
        tally.setdefault(rule, dict.fromkeys(Outcome, 0))[outcome] += n
    tested: dict[tuple[str, str], list[str]] = {}
    for name, policy in policies.items():
        for tag in policy.controls:
            for prefix, framework in ((NCSC_TAG, "NCSC"), (MCSB_TAG, "MCSB")):
                if tag.startswith(prefix):
                    tested.setdefault((framework, tag.removeprefix(prefix)), []).append(name)
    controls = [("NCSC", p) for p in NCSC_PRINCIPLES]
    controls += sorted({c for c in tested if c[0] == "MCSB"}, key=lambda c: _key(c[1]))
    controls += sorted({c for c in tested if c[0] == "NCSC"} - set(controls), key=lambda c: _key(c[1]))
    rows = []
    for framework, control in controls:
        rules = tuple(tested.get((framework, control), ()))
        per_rule = [tally.get(rule, dict.fromkeys(Outcome, 0)) for rule in rules]
        rows.append(
            ControlRow(
                framework=NCSC_FRAMEWORK if framework == "NCSC" else "Microsoft cloud security benchmark",
                control=control,
                title=NCSC_PRINCIPLES.get(control, "") if framework == "NCSC" else "",
                rules=rules,
                passed=sum(c[Outcome.PASS] for c in per_rule),
                failed=sum(c[Outcome.FAIL] for c in per_rule),
                exempted=sum(c[Outcome.EXEMPTED] for c in per_rule),
            )
        )
    return rows
