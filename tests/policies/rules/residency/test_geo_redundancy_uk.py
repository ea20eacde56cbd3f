"""residency-geo-redundancy-uk: storage replicates to the UK paired region, never readable there."""

from __future__ import annotations

from tests.policies.cases import (
    Case,
    Variant,
    rule_tests,
    set_prop,
    variant_tests,
)

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
    Case(
        "a made-up sku that ends like GRS",
        set_prop("l1-storage", "sku.name", "Standard_LRS_GRS"),
        "sku.name is 'Standard_LRS_GRS'; expected a GRS or GZRS sku",
        "l1-storage",
        also=frozenset({"azure-api-conformance"}),
    ),
]
VARIANTS = [Variant("GRS, written in capitals", set_prop("l1-storage", "sku.name", "STANDARD_GRS"))]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
test_compliant_variant = variant_tests(RULE, VARIANTS)
