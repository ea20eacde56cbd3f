"""data-protection-prod-locks: Azure refuses to delete prod resource groups holding data or keys."""

from __future__ import annotations

import pytest

from tests.policies.cases import (
    Case,
    assert_baseline_passes,
    assert_case_trips,
    chain,
    drop,
    retag_environment,
    set_prop,
)
from tests.policies.harness import Hit

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


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
