"""audit-diagnostics-destination: diagnostic settings send audit logs and metrics to the audit workspace."""

from __future__ import annotations

from tests.policies.cases import Case, chain, drop_ref, point_ref, rule_tests, set_prop

RULE = "audit-diagnostics-destination"

CASES = [
    Case(
        "vault logs disabled",
        set_prop("l3-vault-diag", "logs.0.enabled", False),
        "has logs but no enabled audit/allLogs categoryGroup",
        "l3-vault-diag",
    ),
    Case(
        "vault metrics missing",
        set_prop("l3-vault-diag", "metrics"),
        "has metrics but category AllMetrics is not enabled",
        "l3-vault-diag",
    ),
    Case(
        "storage sent AllMetrics, which Azure rejects for storage",
        set_prop("l3-storage-diag", "metrics", [{"category": "AllMetrics", "enabled": True}]),
        "metric category AllMetrics is not supported by azure-native:storage:StorageAccount "
        "'l3-storage' and Azure would reject the setting; supported categories: Transaction, Capacity",
        "l3-storage-diag",
    ),
    Case(
        "blob service without Transaction metrics",
        set_prop("l3-blob-service-diag", "metrics", [{"category": "Capacity", "enabled": True}]),
        "has metrics but category Transaction is not enabled",
        "l3-blob-service-diag",
    ),
    Case(
        "workspace not referenced",
        drop_ref("l3-vault-diag", "workspaceId"),
        "workspaceId does not reference the stack's audit Log Analytics workspace",
        "l3-vault-diag",
    ),
    Case(
        "prod setting without archive",
        drop_ref("l3-vnet-diag", "storageAccountId"),
        "storageAccountId must reference the audit archive",
        "l3-vnet-diag",
    ),
    Case(
        "the archive's own logs archived into the archive, which Azure Monitor refuses",
        chain(
            set_prop("audit-archive-blob-service-diag", "storageAccountId", "id-of-audit-storage"),
            point_ref("audit-archive-blob-service-diag", "storageAccountId", "audit-archive-account"),
        ),
        "storageAccountId references 'audit-archive-account', the account whose logs this setting sends",
        "audit-archive-blob-service-diag",
    ),
    Case(
        "logs sent to an event hub",
        set_prop("l3-nsg-diag", "eventHubName", "exfil"),
        "eventHubName is set",
        "l3-nsg-diag",
    ),
    Case(
        "resourceUri not a reference",
        drop_ref("l1-nsg-diag", "resourceUri"),
        "resourceUri does not reference a resource",
        "l1-nsg-diag",
        also=frozenset({"audit-diagnostics-present"}),
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
