"""residency-geo-redundancy-uk: storage replicates to the UK paired region, never readable there."""

from __future__ import annotations

from tests.policies.cases import Case, rule_tests, set_prop

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


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
