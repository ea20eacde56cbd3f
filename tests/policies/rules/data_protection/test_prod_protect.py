"""data-protection-prod-protect: Pulumi refuses to delete prod data and keys."""

from __future__ import annotations

from tests.policies.baselines import Stack
from tests.policies.cases import (
    Case,
    Mutation,
    chain,
    retag_environment,
    rule_tests,
)

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


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
