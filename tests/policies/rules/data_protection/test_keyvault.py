"""data-protection-keyvault: a deleted vault or key can be recovered and cannot be purged early."""

from __future__ import annotations

import pytest

from tests.policies.cases import (
    Case,
    assert_baseline_passes,
    assert_case_trips,
    chain,
    retag_environment,
    set_prop,
)
from tests.policies.harness import Hit

RULE = "data-protection-keyvault"

CASES = [
    Case(
        "no purge protection",
        set_prop("l3-vault", "properties.enablePurgeProtection", False),
        "enablePurgeProtection is false; expected true",
        "l3-vault",
    ),
    Case(
        "short retention in prod",
        set_prop("l3-vault", "properties.softDeleteRetentionInDays", 30),
        "softDeleteRetentionInDays is 30; expected at least 90 in prod",
        "l3-vault",
    ),
    Case(
        "prod vault tagged dev to get the dev minimum",
        chain(retag_environment("dev"), set_prop("l3-vault", "properties.softDeleteRetentionInDays", 7)),
        "softDeleteRetentionInDays is 7; expected at least 90 in prod",
        "l3-vault",
    ),
]


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
