"""network-default-deny: storage and vault firewalls deny by default and admit no address or network."""

from __future__ import annotations

from tests.policies.cases import (
    Case,
    Variant,
    rule_tests,
    set_prop,
    variant_tests,
)

RULE = "network-default-deny"

CASES = [
    Case(
        "storage firewall allows",
        set_prop("l3-storage", "networkRuleSet.defaultAction", "Allow"),
        "networkRuleSet.defaultAction is 'Allow'; expected Deny",
        "l3-storage",
    ),
    Case(
        "vault firewall opened to an IP",
        set_prop("l3-vault", "properties.networkAcls.ipRules", [{"value": "203.0.113.7"}]),
        "properties.networkAcls.ipRules allows 1 public address range(s)",
        "l3-vault",
    ),
    Case(
        "archive firewall allows while trusted services bypass it",
        set_prop("audit-archive-account", "networkRuleSet.defaultAction", "Allow"),
        "networkRuleSet.defaultAction is 'Allow'; expected Deny",
        "audit-archive-account",
    ),
    Case(
        "archive firewall opened to an IP",
        set_prop("audit-archive-account", "networkRuleSet.ipRules", [{"iPAddressOrRange": "203.0.113.7"}]),
        "networkRuleSet.ipRules allows 1 public address range(s); expected none",
        "audit-archive-account",
    ),
    Case(
        "storage firewall admits a subnet",
        set_prop(
            "l3-storage",
            "networkRuleSet.virtualNetworkRules",
            [{"virtualNetworkResourceId": "id-of-l1-subnet", "action": "Allow"}],
        ),
        "networkRuleSet.virtualNetworkRules allows 1 virtual network subnet(s); expected none",
        "l3-storage",
    ),
    Case(
        "storage firewall admits a resource instance",
        set_prop(
            "l3-storage",
            "networkRuleSet.resourceAccessRules",
            [{"tenantId": "22222222-2222-2222-2222-222222222222", "resourceId": "/subscriptions/x/any"}],
        ),
        "networkRuleSet.resourceAccessRules allows 1 resource instance(s); expected none",
        "l3-storage",
    ),
    Case(
        "vault firewall admits a subnet",
        set_prop("l3-vault", "properties.networkAcls.virtualNetworkRules", [{"id": "id-of-l1-subnet"}]),
        "properties.networkAcls.virtualNetworkRules allows 1 virtual network subnet(s); expected none",
        "l3-vault",
    ),
    Case(
        "logs and metrics readable from any network",
        set_prop("l1-storage", "networkRuleSet.bypass", "Logging, Metrics"),
        "networkRuleSet.bypass is 'Logging, Metrics'; expected None or AzureServices",
        "l1-storage",
    ),
]


VARIANTS = [
    Variant(
        "bypass as a comma-separated list of accepted values",
        set_prop("l3-storage", "networkRuleSet.bypass", "None, AzureServices"),
    ),
]

test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
test_compliant_variant = variant_tests(RULE, VARIANTS)
