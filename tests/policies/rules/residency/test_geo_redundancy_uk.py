"""residency-geo-redundancy-uk: storage replicates to the UK paired region, never readable there."""

from __future__ import annotations

import pytest

from tests.policies.cases import Case, assert_baseline_passes, assert_case_trips, set_prop
from tests.policies.harness import Hit

RULE = "residency-geo-redundancy-uk"

CASES = [
    Case(
        "read-access GZRS",
        set_prop("l3-storage", "sku.name", "Standard_RAGZRS"),
        "sku.name is 'Standard_RAGZRS'",
        "l3-storage",
    ),
    Case(
        "locally redundant",
        set_prop("l1-storage", "sku.name", "Standard_LRS"),
        "expected a GRS or GZRS sku",
        "l1-storage",
    ),
]


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
