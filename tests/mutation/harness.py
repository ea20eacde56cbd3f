"""Run the catalogue against each example stack's compliant plan, as ``tvt plan`` makes and judges it.

The compliant plan comes from ``tvt plan`` itself (in-process analyzer); each mutant is that plan
document edited by one catalogue entry and evaluated afresh by the real pack, with the stack's own
policy config and stack config, exactly as ``tvt check`` would. A mutant is killed when it brings
a blocking (mandatory, not exempted) finding of a rule in the family of the rule it names.
"""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.config.load import read_stack_file, stack_file
from policies.pack import RULES
from scripts.commands.pipeline import PlanOptions, run_plan
from scripts.engine.analyzer import open_analyzer
from scripts.engine.evaluate import evaluate
from scripts.engine.plan import parse_plan
from scripts.review.findings import Review, review
from tests.mutation.catalogue import CATALOGUE, Doc, Mutant

REPO = Path(__file__).resolve().parents[2]
STACKS = ("dev", "test", "prod")
FAMILY = {rule.meta.id: rule.check.__module__.split(".")[2] for rule in RULES}


@dataclass(frozen=True)
class Outcome:
    stack: str
    mutant: Mutant
    applied: bool
    new_blocking: frozenset[str]  # rules with a blocking finding the compliant plan did not have

    @property
    def killed(self) -> bool:
        """Caught by a mandatory rule of the family of the rule the mutant names."""
        return any(FAMILY.get(r) == FAMILY[self.mutant.rule] for r in self.new_blocking)


def _blocking(verdict: Review) -> set[tuple[str, str, str]]:
    return {(f.rule, f.urn, f.message) for f in verdict.findings if f.blocking}


@dataclass
class StackRun:
    """One example stack: its compliant plan from ``tvt plan``, configs, and how it was judged."""

    stack: str
    document: dict[str, Any]
    stack_config: dict[str, Any]
    policy_config: Path
    baseline: set[tuple[str, str, str]]

    @classmethod
    def make(cls, stack: str, out: Path) -> StackRun:
        code = run_plan(
            PlanOptions(stack=stack, out=out, analyzer="inprocess"), out=io.StringIO(), err=io.StringIO()
        )
        assert code == 0, f"tvt plan --stack {stack} did not pass"
        document = json.loads((out / "plan.json").read_text())
        config = read_stack_file(stack_file(stack, REPO), root=REPO)
        policy = REPO / "policies" / "config" / f"{stack}.json"
        run = cls(stack, document, config, policy, set())
        run.baseline = _blocking(run.judge(document, policy))
        return run

    def judge(self, document: dict[str, Any], policy_config: Path) -> Review:
        plan = parse_plan(document, "plan.json")
        with open_analyzer("inprocess", REPO / "policies") as analyzer:
            return review(evaluate(plan, analyzer, policy_config, stack_config=self.stack_config), plan)

    def mutate(self, mutant: Mutant, scratch: Path) -> Outcome:
        document = copy.deepcopy(self.document)
        if not mutant.mutate(Doc(document)):
            return Outcome(self.stack, mutant, False, frozenset())
        policy = self.policy_config
        if mutant.policy_config is not None:
            config = json.loads(policy.read_text())
            mutant.policy_config(config)
            policy = scratch / f"{self.stack}-policy.json"
            policy.write_text(json.dumps(config))
        found = _blocking(self.judge(document, policy)) - self.baseline
        return Outcome(self.stack, mutant, True, frozenset(rule for rule, _, _ in found))


def run_catalogue(run: StackRun, scratch: Path) -> Iterator[Outcome]:
    for mutant in CATALOGUE:
        yield run.mutate(mutant, scratch)


def summary(outcomes: list[Outcome]) -> str:
    applied = [o for o in outcomes if o.applied]
    killed = [o for o in applied if o.killed]
    rate = 100.0 * len(killed) / len(applied) if applied else 0.0
    stacks = ", ".join(sorted({o.stack for o in applied}))
    return (
        f"plan mutation harness: {len(killed)}/{len(applied)} mutants killed ({rate:.1f}%) over {stacks}; "
        f"{len(CATALOGUE)} mutations in the catalogue"
    )
