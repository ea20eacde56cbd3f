"""residency-uk-only: every regional resource is in a UK region; "global" only where the type is global."""

from __future__ import annotations

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policies.cases import (
    Case,
    Variant,
    add,
    chain,
    computed_from,
    rule_tests,
    set_prop,
    variant_tests,
)

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

NSG = "azure-native:network:NetworkSecurityGroup"
CASES += [
    Case(
        "an unclassified type is skipped, and the next resource is still judged",
        chain(
            add("azure-native:cache:Redis", "l3-cache", "l3", {"location": "westeurope"}),
            add(NSG, "l3-extra-nsg", "l3", {"resourceGroupName": "rg-tvt-prod-l3", "location": "westeurope"}),
        ),
        "location is 'westeurope'; expected one of uksouth, ukwest",
        "l3-extra-nsg",
        also=frozenset(
            {
                "encryption-unclassified-type",
                "azure-api-conformance",
                "audit-diagnostics-present",
                "tagging-required-tags",
                "data-protection-level-boundary",
                "network-nsg-deny-internet-inbound",
            }
        ),
    ),
    Case(
        "location unknown and computed from nothing",
        set_prop("l3-identity", "location", UNKNOWN_STRING_VALUE),
        "location is unknown and not computed from resources of this stack located in uksouth, ukwest",
        "l3-identity",
    ),
    Case(
        "a location computed from the group, and the next resource abroad",
        chain(
            computed_from("l3-identity", "location", "l3-rg"),
            set_prop("l3-storage", "location", "westeurope"),
        ),
        "location is 'westeurope'",
        "l3-storage",
    ),
    Case(
        "no location, and its group computed from a UK resource that is no resource group",
        chain(
            set_prop("l3-vault", "location"),
            computed_from("l3-vault", "resourceGroupName", "l3-storage"),
        ),
        "no location set and its resource group's location is not a UK region declared in this stack",
        "l3-vault",
        also=frozenset({"data-protection-level-boundary", "azure-api-conformance"}),
    ),
]
VARIANTS = [
    Variant("a location written as Azure displays it", set_prop("l3-storage", "location", "UK South")),
    Variant("no location: the UK resource group's", set_prop("l3-storage", "location")),
    Variant(
        "no location, the group's the only allowed region",
        set_prop("l3-storage", "location"),
        config={RULE: {"allowedLocations": ["uksouth"]}},
    ),
    Variant("a private DNS zone without a location", set_prop("audit-zone-blob", "location")),
    Variant(
        "a private DNS zone's location computed from another zone's",
        chain(
            computed_from("audit-zone-dfs", "location", "audit-zone-blob"),
        ),
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
test_compliant_variant = variant_tests(RULE, VARIANTS)
