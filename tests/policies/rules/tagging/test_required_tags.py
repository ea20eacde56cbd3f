"""tagging-required-tags: taggable resources state environment, data level, owner and classification."""

from __future__ import annotations

from tests.policies.cases import Case, rule_tests, set_prop

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


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
