"""Every security-relevant mutation of every example stack's compliant plan is caught (issue 7 §7)."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel

from policies.pack import RULES
from tests.mutation.catalogue import CATALOGUE, KINDS
from tests.mutation.harness import FAMILY, STACKS, Outcome

MANDATORY = sorted(r.meta.id for r in RULES if r.meta.enforcement is EnforcementLevel.MANDATORY)


def test_the_kill_rate_is_100_percent(outcomes: list[Outcome]) -> None:
    survivors = [
        f"{o.stack}: {o.mutant.name} (expected {FAMILY[o.mutant.rule]}; "
        f"new blocking: {sorted(o.new_blocking) or 'none'})"
        for o in outcomes
        if o.applied and not o.killed
    ]
    assert not survivors, "mutants no mandatory rule of their family caught:\n" + "\n".join(survivors)


def test_every_mutant_applies_to_the_prod_plan(outcomes: list[Outcome]) -> None:
    missing = [o.mutant.name for o in outcomes if o.stack == "prod" and not o.applied]
    assert not missing, f"the catalogue names resources the prod plan does not have: {missing}"


# The audit archive's diagnostic archive, protect and resource-group locks exist in prod only.
PROD_ONLY = {
    "diagnostic setting archives into a foreign account",
    "prod storage not protected",
    "prod resource group lock removed",
}


def test_every_stack_gets_the_whole_catalogue(outcomes: list[Outcome]) -> None:
    for stack in STACKS:
        missing = {o.mutant.name for o in outcomes if o.stack == stack and not o.applied}
        allowed = set() if stack == "prod" else PROD_ONLY
        assert missing <= allowed, f"{stack}: {sorted(missing - allowed)} do not apply"


def test_the_catalogue_covers_every_mandatory_rule(outcomes: list[Outcome]) -> None:
    """Each mandatory rule is named by a mutant it catches itself, not only by a sibling of its family."""
    covered = {o.mutant.rule for o in outcomes if o.applied and o.mutant.rule in o.new_blocking}
    assert sorted(set(MANDATORY) - covered) == []


def test_the_catalogue_spans_every_kind_of_mutation() -> None:
    assert {m.kind for m in CATALOGUE} == set(KINDS)
    assert len({m.name for m in CATALOGUE}) == len(CATALOGUE), "mutant names are unique"
    assert all(m.rule in FAMILY for m in CATALOGUE), "each mutant names a registered rule"
