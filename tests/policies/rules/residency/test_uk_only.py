"""residency-uk-only: every regional resource is in a UK region; "global" only where the type is global."""

from __future__ import annotations

import pytest

from tests.policies.cases import Case, add, assert_baseline_passes, assert_case_trips, chain, set_prop
from tests.policies.harness import Hit

RULE = "residency-uk-only"

CASES = [
    Case(
        "storage in the EU",
        set_prop("l3-storage", "location", "westeurope"),
        "location is 'westeurope'; expected one of uksouth, ukwest",
        "l3-storage",
    ),
    Case(
        "private DNS zone made regional",
        set_prop("audit-zone-blob", "location", "uksouth"),
        "expected global",
        "audit-zone-blob",
    ),
    Case(
        "no location, resource group abroad",
        chain(set_prop("l3-identity", "location"), set_prop("l3-rg", "location", "northeurope")),
        "no location set and its resource group's location is not a UK region",
        "l3-identity",
    ),
    Case(
        "provider defaulting outside the UK",
        add("pulumi:providers:azure-native", "default", "tvt", {"location": "eastus"}),
        "location is 'eastus'",
        "default",
    ),
]


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
