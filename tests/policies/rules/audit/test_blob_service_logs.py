"""audit-blob-service-logs: every storage account logs reads, writes and deletes of its blobs."""

from __future__ import annotations

from tests.policies.cases import Case, drop, rule_tests

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


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
