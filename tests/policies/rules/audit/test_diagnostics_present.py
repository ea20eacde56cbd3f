"""audit-diagnostics-present: every resource that can emit diagnostics has a diagnostic setting."""

from __future__ import annotations

from tests.policies.cases import (
    IMPOSTOR_ALSO,
    Case,
    Once,
    add,
    chain,
    drop,
    impostor,
    once_tests,
    refer,
    retarget,
    rule_tests,
)

RULE = "audit-diagnostics-present"

CASES = [
    Case(
        "vault without diagnostic setting",
        drop("l3-vault-diag"),
        "no diagnostic setting targets this",
        "l3-vault",
    ),
    Case(
        "diagnostic setting aimed elsewhere",
        retarget("l3-nsg-diag", "resourceUri", "resourceUri", "l1-nsg"),
        "no diagnostic setting targets this azure-native:network:NetworkSecurityGroup",
        "l3-nsg",
    ),
    # Every setting names the audit workspace as its destination; only a resourceUri counts.
    Case(
        "audit workspace without a setting of its own",
        drop("audit-workspace-diag"),
        "no diagnostic setting targets this azure-native:operationalinsights:Workspace",
        "audit-workspace",
    ),
    Case(
        "vault named in resourceUri by something that is not a diagnostic setting",
        chain(
            drop("l3-vault-diag"),
            impostor("l3-vault-lock", "l3", {"resourceUri": "l3-vault"}),
        ),
        "no diagnostic setting targets this azure-native:keyvault:Vault",
        "l3-vault",
        also=IMPOSTOR_ALSO,
    ),
    Case(
        "a type the catalog does not classify",
        add("azure-native:cache:Redis", "l3-cache", "l3", {"resourceGroupName": "rg-tvt-prod-l3"}),
        "resource type azure-native:cache:Redis is not classified in policies/catalog.py",
        "l3-cache",
        also=frozenset(
            {
                "encryption-unclassified-type",
                "azure-api-conformance",
                "tagging-required-tags",
                "residency-uk-only",
                "data-protection-level-boundary",
            }
        ),
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)

# A resourceUri that disagrees with its dependency is audit-diagnostics-destination's one finding: the
# NSG it was computed from is not reported again as having no setting.
ONCE = [
    Once(
        "diagnostic setting's resourceUri names another resource, its dependency kept",
        refer("l3-nsg-diag", "resourceUri", "l1-nsg"),
        "audit-diagnostics-destination",
        "but was computed from NetworkSecurityGroup 'l3-nsg'",
        "l3-nsg-diag",
    ),
]
test_reported_once = once_tests(RULE, ONCE)
