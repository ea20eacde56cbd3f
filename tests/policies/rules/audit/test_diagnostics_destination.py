"""audit-diagnostics-destination: diagnostic settings send audit logs and metrics to the audit workspace."""

from __future__ import annotations

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policies.cases import (
    Case,
    Once,
    Variant,
    add,
    chain,
    computed_from,
    drop_ref,
    foreign,
    nothing,
    once_tests,
    outside,
    point_ref,
    refer,
    retarget,
    rule_tests,
    set_input,
    set_prop,
    variant_tests,
)

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
        "vault logs disabled in what is requested, enabled in the outputs",
        set_input("l3-vault-diag", "logs.0.enabled", False),
        "has logs but no enabled audit/allLogs categoryGroup",
        "l3-vault-diag",
    ),
    Case(
        "logs sent to a workspace outside the stack",
        outside(
            "l3-vault-diag",
            "workspaceId",
            "workspaceId",
            foreign("Microsoft.OperationalInsights/workspaces/x"),
        ),
        "workspaceId does not reference the stack's audit Log Analytics workspace",
        "l3-vault-diag",
    ),
    Case(
        "workspace id names another resource, its dependency still the audit workspace",
        refer("l3-vault-diag", "workspaceId", "l3-storage"),
        "workspaceId names Microsoft.Storage/storageAccounts 'sttvtprodl3' but was computed from "
        "Workspace 'audit-workspace'",
        "l3-vault-diag",
        known_only=True,
    ),
    Case(
        "prod setting without archive",
        chain(set_prop("l3-vnet-diag", "storageAccountId"), drop_ref("l3-vnet-diag", "storageAccountId")),
        "storageAccountId must reference the audit archive",
        "l3-vnet-diag",
    ),
    Case(
        "archived in a level's own account instead of the audit archive",
        retarget("l3-vnet-diag", "storageAccountId", "storageAccountId", "l3-storage"),
        "storageAccountId must reference the audit archive",
        "l3-vnet-diag",
        also=frozenset({"data-protection-audit-immutability"}),
    ),
    Case(
        "archive id names a foreign account, its dependency still the archive",
        set_prop("l3-vnet-diag", "storageAccountId", foreign("Microsoft.Storage/storageAccounts/exfil")),
        "storageAccountId names Microsoft.Storage/storageAccounts 'exfil' but was computed from "
        "StorageAccount 'audit-archive-account'",
        "l3-vnet-diag",
        known_only=True,
    ),
    Case(
        "the archive's own logs archived into the archive, which Azure Monitor refuses",
        retarget("audit-blob-service-diag", "storageAccountId", "storageAccountId", "audit-archive-account"),
        "storageAccountId references 'audit-archive-account', the account whose logs this setting sends",
        "audit-blob-service-diag",
    ),
    Case(
        "logs sent to an event hub",
        set_prop("l3-nsg-diag", "eventHubName", "exfil"),
        "eventHubName is set",
        "l3-nsg-diag",
    ),
    Case(
        "resourceUri names nothing in the stack",
        outside(
            "l1-nsg-diag", "resourceUri", "resourceUri", foreign("Microsoft.Network/networkSecurityGroups/x")
        ),
        "resourceUri does not reference a resource",
        "l1-nsg-diag",
        also=frozenset({"audit-diagnostics-present"}),
    ),
    Case(
        "resourceUri not an ARM id",
        set_prop("l1-nsg-diag", "resourceUri", "nsg-l1"),
        "resourceUri is 'nsg-l1', which is not an ARM id",
        "l1-nsg-diag",
        also=frozenset({"audit-diagnostics-present"}),
        known_only=True,
    ),
]


DESTINATIONS = {
    "eventHubAuthorizationRuleId": foreign("Microsoft.EventHub/namespaces/x/authorizationRules/send"),
    "marketplacePartnerId": foreign("Microsoft.Datadog/monitors/x"),
    "serviceBusRuleId": foreign("Microsoft.ServiceBus/namespaces/x/authorizationRules/send"),
}
CASES += [
    Case(f"logs sent through {key}", set_prop("l3-nsg-diag", key, value), f"{key} is set", "l3-nsg-diag")
    for key, value in DESTINATIONS.items()
]
CASES += [
    Case(
        "archived into the audit workspace, value and dependency agreeing",
        retarget("l3-vnet-diag", "storageAccountId", "storageAccountId", "audit-workspace"),
        "in prod, storageAccountId must reference the audit archive",
        "l3-vnet-diag",
    ),
    Case(
        "a setting on a type the catalog does not classify",
        chain(
            add("azure-native:cache:Redis", "l3-cache", "l3", {"resourceGroupName": "rg-tvt-prod-l3"}),
            # Catalogued types only have a known ARM id: this one's reference is its dependency.
            computed_from("l3-nsg-diag", "resourceUri", "l3-cache"),
        ),
        "resource type azure-native:cache:Redis is not classified",
        "l3-nsg-diag",
        also=frozenset(
            {
                "audit-diagnostics-present",
                "encryption-unclassified-type",
                "azure-api-conformance",
                "tagging-required-tags",
                "residency-uk-only",
                "data-protection-level-boundary",
            }
        ),
    ),
]

VARIANTS = [
    # The archive's own blob service settings may skip the archive however its account is found.
    Variant(
        "the archive's blob service named by its account and, first, by something else",
        point_ref("audit-blob-service", "accountName", "audit-workspace", "audit-archive-account"),
    ),
    Variant("dev settings need no archive", nothing, environment="dev"),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
test_compliant_variant = variant_tests(RULE, VARIANTS)

# A reference unknown and computed from nothing is this rule's one finding about it (through
# policies/references.py); its own "does not reference" checks add nothing.
ONCE = [
    Once(
        f"{key} unknown and computed from nothing",
        chain(set_prop("l3-vault-diag", key, UNKNOWN_STRING_VALUE), drop_ref("l3-vault-diag", key)),
        RULE,
        f"{key} is unknown and not computed from",
        "l3-vault-diag",
    )
    for key in ("resourceUri", "workspaceId", "storageAccountId")
]
test_reported_once = once_tests(RULE, ONCE)
