"""network-no-public-blob: no anonymous read access to blobs, at account or container level."""

from __future__ import annotations

from tests.policies.cases import Case, rule_tests, set_prop

RULE = "network-no-public-blob"

CASES = [
    Case(
        "account allows anonymous blobs",
        set_prop("l3-storage", "allowBlobPublicAccess", True),
        "allowBlobPublicAccess is true",
        "l3-storage",
    ),
    Case(
        "container public",
        set_prop("l3-container-raw", "publicAccess", "Blob"),
        "publicAccess is 'Blob'",
        "l3-container-raw",
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
