"""audit-blob-service-logs: every storage account logs reads, writes and deletes of its blobs."""

from __future__ import annotations

import pytest

from tests.policies.cases import Case, assert_baseline_passes, assert_case_trips, drop
from tests.policies.harness import Hit

RULE = "audit-blob-service-logs"

CASES = [
    Case(
        "blob service without diagnostic setting",
        drop("l3-blob-service-diag"),
        "the blob service has no diagnostic setting with categoryGroup audit or allLogs",
        "l3-storage",
        also=frozenset({"audit-diagnostics-present"}),
    ),
]


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
