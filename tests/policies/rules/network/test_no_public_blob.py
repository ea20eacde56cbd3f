"""network-no-public-blob: no anonymous read access to blobs, at account or container level."""

from __future__ import annotations

import pytest

from tests.policies.cases import Case, assert_baseline_passes, assert_case_trips, set_prop
from tests.policies.harness import Hit

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


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
