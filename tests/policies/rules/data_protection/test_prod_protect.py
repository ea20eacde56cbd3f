"""data-protection-prod-protect: Pulumi refuses to delete prod data and keys."""

from __future__ import annotations

import pytest

from tests.policies.baselines import Stack
from tests.policies.cases import (
    Case,
    Mutation,
    assert_baseline_passes,
    assert_case_trips,
    chain,
    retag_environment,
)
from tests.policies.harness import Hit

RULE = "data-protection-prod-protect"


def unprotect(name: str) -> Mutation:
    def mutate(stack: Stack) -> None:
        stack[name].protect = False

    return mutate


CASES = [
    Case("prod storage unprotected", unprotect("l3-storage"), "protect is not set", "l3-storage"),
    Case("prod key unprotected", unprotect("audit-key"), "protect is not set", "audit-key"),
    Case(
        "prod storage tagged dev and unprotected",
        chain(retag_environment("dev"), unprotect("l3-storage")),
        "protect is not set",
        "l3-storage",
    ),
]


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
