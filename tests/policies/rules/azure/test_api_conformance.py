"""azure-api-conformance: every resource's inputs are a body Azure's own definition accepts.

The cases are the issue's self-test: each injects one kind of bad input into the compliant baseline
(an unknown property, a read-only one, a missing required one, a wrong type, an out-of-range
integer, a closed-enum typo, an over-long string, a pattern mismatch, a type with no definition)
and must see it caught with the input path, the ARM path, the API version and what Azure expects.
"""

from __future__ import annotations

from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UNKNOWN_STRING_VALUE

from policies.catalog import STORAGE_ACCOUNT
from policies.model import NotApplicable
from policies.rules.azure.api_conformance import problems
from tests.policies.cases import BASELINE, Case, add, rule_tests, set_prop

RULE = "azure-api-conformance"

STORAGE = "Microsoft.Storage/storageAccounts 2024-01-01"

CASES = [
    Case(
        "unknown property (a misspelt input)",
        set_prop("l1-storage", "allowBlobPublicAcess", False),
        f"allowBlobPublicAcess: Azure's StorageAccountCreateParameters defines no such property ({STORAGE})",
        "l1-storage",
    ),
    Case(
        "read-only property",
        set_prop("audit-workspace", "customerId", "00000000-0000-0000-0000-000000000000"),
        "customerId: is read-only: Azure sets it and refuses it in a request (Microsoft.OperationalInsights/"
        "workspaces 2023-09-01, checked with the 2022-10-01 definition, properties.customerId)",
        "audit-workspace",
    ),
    Case(
        "missing required property",
        set_prop("l1-vault", "properties.tenantId"),
        "properties.tenantId: is required, but absent "
        "(Microsoft.KeyVault/vaults 2024-11-01, properties.tenantId)",
        "l1-vault",
    ),
    Case(
        "wrong type",
        set_prop("audit-lock", "notes", 42),
        "notes: expected a string, got 42 (Microsoft.Authorization/locks 2020-05-01, properties.notes)",
        "audit-lock",
    ),
    Case(
        "out-of-range integer",
        set_prop("l1-blob-service", "deleteRetentionPolicy.days", 400),
        "deleteRetentionPolicy.days: 400 is above the maximum 365 (Microsoft.Storage/storageAccounts/"
        "blobServices 2024-01-01, properties.deleteRetentionPolicy.days)",
        "l1-blob-service",
    ),
    Case(
        "closed-enum typo",
        set_prop("l1-vault", "properties.sku.family", "B"),
        "properties.sku.family: 'B' is not one of A "
        "(Microsoft.KeyVault/vaults 2024-11-01, properties.sku.family)",
        "l1-vault",
    ),
    Case(
        "over-long string",
        set_prop("l1-container-aggregated", "containerName", "aggregated-" + "x" * 60),
        "is 71 characters long, more than the maximum 63 (Microsoft.Storage/storageAccounts/blobServices/"
        "containers 2024-01-01, URL parameter {containerName})",
        "l1-container-aggregated",
    ),
    Case(
        "pattern mismatch",
        set_prop("audit-workspace", "workspaceName", "log-tvt-prod-audit-"),
        "workspaceName: 'log-tvt-prod-audit-' does not match the pattern "
        "^[A-Za-z0-9][A-Za-z0-9-]+[A-Za-z0-9]$ "
        "(Microsoft.OperationalInsights/workspaces 2023-09-01, checked with the 2022-10-01 definition, "
        "URL parameter {workspaceName})",
        "audit-workspace",
    ),
    Case(
        "a type with no definition fails closed",
        add(
            "azure-native:storage:ImmutabilityPolicy",
            "l1-immutability",
            "l1-secure-storage",
            {"resourceGroupName": "rg", "accountName": "sttvtprodl1", "containerName": "aggregated"},
        ),
        "azure-native:storage:ImmutabilityPolicy has no Azure type definition to check its inputs against",
        "l1-immutability",
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)


def test_values_unknown_during_preview_are_skipped_but_their_names_are_checked() -> None:
    props = {
        **BASELINE["l1-storage"].props,
        "minimumTlsVersion": UNKNOWN_STRING_VALUE,  # would be a wrong value if it were known
        "allowBlobPublicAcess": UNKNOWN_BOOLEAN_VALUE,
    }
    found = problems(STORAGE_ACCOUNT, props)
    assert not isinstance(found, NotApplicable)
    assert [f.split(":")[0] for f in found] == ["allowBlobPublicAcess"]


def test_a_wrong_value_inside_a_list_names_its_index() -> None:
    props = BASELINE.copy()["l1-nsg"].props
    props["securityRules"][0]["access"] = "Denied"
    found = problems("azure-native:network:NetworkSecurityGroup", props)
    assert found == [
        "securityRules[0].access: 'Denied' is not one of Allow, Deny "
        "(Microsoft.Network/networkSecurityGroups 2024-05-01, properties.securityRules[0].properties.access)"
    ]


def test_components_and_providers_are_not_azure_resources() -> None:
    for type_ in ("tvt:level:DataLevel", "pulumi:pulumi:Stack", "pulumi:providers:azure-native"):
        assert isinstance(problems(type_, {}), NotApplicable), type_


def test_an_uncatalogued_type_fails_closed() -> None:
    assert problems("azure-native:sql:Server", {"location": "uksouth"}) == [
        "resource type azure-native:sql:Server is not in policies/catalog.py: its ARM id and Azure "
        "definition are unknown, so its inputs cannot be checked against Azure's types"
    ]


def test_values_that_combine_are_checked_part_by_part() -> None:
    props = BASELINE.copy()["l1-storage"].props
    props["networkRuleSet"]["bypass"] = "Logging, Metrics"  # the model's docs: "any combination of"
    assert problems(STORAGE_ACCOUNT, props) == []
    props["networkRuleSet"]["bypass"] = "Logging, Metrix"
    assert problems(STORAGE_ACCOUNT, props) == [
        "networkRuleSet.bypass: 'Logging, Metrix' is not a combination of None, Logging, Metrics, "
        "AzureServices (Microsoft.Storage/storageAccounts 2024-01-01, properties.networkAcls.bypass)"
    ]


def test_item_limits_apply_to_the_list_and_value_limits_to_each_item() -> None:
    # A diagnostic setting's retention days (minimum 0) inside its list of log settings.
    setting = {
        "name": "diag",
        "resourceUri": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
        "logs": [
            {"categoryGroup": "allLogs", "enabled": True, "retentionPolicy": {"enabled": False, "days": -1}}
        ],
    }
    assert problems("azure-native:monitor:DiagnosticSetting", setting) == [
        "logs[0].retentionPolicy.days: -1 is below the minimum 0 (Microsoft.Insights/diagnosticSettings "
        "2021-05-01-preview, properties.logs[0].retentionPolicy.days)"
    ]
