"""encryption-infrastructure: storage adds infrastructure (double) encryption."""

from __future__ import annotations

import pytest

from tests.policies.cases import Case, assert_baseline_passes, assert_case_trips, set_prop
from tests.policies.harness import Hit

RULE = "encryption-infrastructure"

CASES = [
    Case(
        "no infrastructure encryption",
        set_prop("l3-storage", "encryption.requireInfrastructureEncryption", False),
        "requireInfrastructureEncryption is false; expected true",
        "l3-storage",
    ),
]


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
