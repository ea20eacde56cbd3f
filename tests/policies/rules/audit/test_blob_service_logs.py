"""audit-blob-service-logs: every storage account logs reads, writes and deletes of its blobs."""

from __future__ import annotations

from tests.policies.cases import (
    Case,
    chain,
    drop,
    impostor,
    point_ref,
    refer,
    rule_tests,
)

RULE = "audit-blob-service-logs"
ALL_LOGS = [{"categoryGroup": "allLogs", "enabled": True}]


def no_blob_service(scope: str) -> tuple[str, str]:
    return f"{scope}-blob-service", f"{scope}-blob-service-diag"


CASES = [
    Case(
        "blob service without diagnostic setting",
        drop("l3-blob-service-diag"),
        "the blob service has no diagnostic setting with categoryGroup audit or allLogs",
        "l3-storage",
        also=frozenset({"audit-diagnostics-present"}),
    ),
    Case(
        "account without a blob service (its containers still name it)",
        chain(*(drop(n) for n in no_blob_service("l3"))),
        "no BlobServiceProperties references this account, so blob access is not logged",
        "l3-storage",
        also=frozenset({"data-protection-blob-soft-delete", "data-protection-audit-immutability"}),
    ),
    Case(
        "two accounts without a blob service: both are reported",
        chain(*(drop(n) for scope in ("l1", "l3") for n in no_blob_service(scope))),
        "no BlobServiceProperties references this account",
        "l3-storage",
        also=frozenset({"data-protection-blob-soft-delete"}),
    ),
    Case(
        "the only blob service naming the account does so by another property",
        chain(
            *(drop(n) for n in no_blob_service("l3")),
            point_ref("l1-blob-service", "resourceGroupName", "l3-storage"),
        ),
        "no BlobServiceProperties references this account",
        "l3-storage",
        also=frozenset({"data-protection-blob-soft-delete", "data-protection-level-boundary"}),
    ),
    Case(
        "the blob service's logs reach it through a setting's other property",
        chain(
            drop("l3-blob-service-diag"), point_ref("l3-vault-diag", "storageAccountId", "l3-blob-service")
        ),
        "the blob service has no diagnostic setting",
        "l3-storage",
        also=frozenset({"audit-diagnostics-present", "audit-diagnostics-destination"}),
    ),
    Case(
        "something that is not a diagnostic setting names the blob service",
        chain(
            drop("l3-blob-service-diag"),
            impostor("l3-blob-lock", "l3", {"resourceUri": "l3-blob-service"}, logs=ALL_LOGS),
        ),
        "the blob service has no diagnostic setting",
        "l3-storage",
        also=frozenset(
            {
                "audit-diagnostics-present",
                "azure-api-conformance",
                "data-protection-prod-locks",
                "tagging-required-tags",
            }
        ),
    ),
    Case(
        "blob service's accountName names another account, its dependency kept",
        refer("l3-blob-service", "accountName", "l1-storage", "name"),
        "accountName names",
        "l3-blob-service",
        also=frozenset({"data-protection-blob-soft-delete"}),
        known_only=True,
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
