"""data-protection-prod-locks: Azure refuses to delete prod resource groups holding data or keys."""

from __future__ import annotations

from tests.policies.cases import (
    Case,
    chain,
    drop,
    retag_environment,
    rule_tests,
    set_prop,
)

RULE = "data-protection-prod-locks"

CASES = [
    Case("no lock", drop("l3-lock"), "has no CanNotDelete lock", "l3-rg"),
    Case(
        "prod stack tagged dev, lock dropped",
        chain(retag_environment("dev"), drop("l3-lock")),
        "has no CanNotDelete lock",
        "l3-rg",
    ),
    Case(
        "lock of the wrong level",
        set_prop("l1-lock", "level", "NotSpecified"),
        "has no CanNotDelete lock",
        "l1-rg",
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
