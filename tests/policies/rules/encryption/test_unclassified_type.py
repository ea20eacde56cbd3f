"""encryption-unclassified-type: every resource type is classified before it can be deployed."""

from __future__ import annotations

import pytest

from tests.policies.cases import Case, add, assert_baseline_passes, assert_case_trips
from tests.policies.harness import Hit

RULE = "encryption-unclassified-type"


SQL = "azure-native:sql:Server"


L3_TAGS = {
    "environment": "prod",
    "data-level": "3",
    "owner": "tvt-platform-team",
    "classification": "OFFICIAL-SENSITIVE",
}


CASES = [
    Case(
        "an unclassified resource type",
        add(SQL, "l3-sql", "l3", {"location": "uksouth", "tags": L3_TAGS}),
        "azure-native:sql:Server is not classified",
        "l3-sql",
        also=frozenset({"audit-diagnostics-present"}),
    ),
]


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
