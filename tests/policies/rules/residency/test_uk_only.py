"""residency-uk-only: every regional resource is in a UK region; "global" only where the type is global."""

from __future__ import annotations

from tests.policies.cases import Case, add, chain, rule_tests, set_prop

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


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
