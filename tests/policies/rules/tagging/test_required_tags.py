"""tagging-required-tags: taggable resources state environment, data level, owner and classification."""

from __future__ import annotations

import pytest

from tests.policies.cases import Case, assert_baseline_passes, assert_case_trips, set_prop
from tests.policies.harness import Hit

RULE = "tagging-required-tags"

CASES = [
    Case(
        "level-3 data labelled OFFICIAL",
        set_prop("l3-storage", "tags.classification", "OFFICIAL"),
        "classification is 'OFFICIAL' but data level 3 is OFFICIAL-SENSITIVE",
        "l3-storage",
    ),
    Case("no owner", set_prop("l1-vnet", "tags.owner"), "tag owner is <absent>", "l1-vnet"),
]


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
