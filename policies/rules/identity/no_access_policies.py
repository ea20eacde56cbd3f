"""identity-no-access-policies: no Key Vault access policies, inline or as resources."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import ACCESS_POLICY, VAULT
from policies.framework import Controls, Params, ResourceRule, RuleMeta
from policies.model import Resource
from policies.props import dig, items

META = RuleMeta(
    id="identity-no-access-policies",
    title="No Key Vault access policies are declared",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("9", "10"), mcsb=("PA-7",), cis=("8.6",)),
    remediation="Remove properties.accessPolicies and AccessPolicy resources; use RoleAssignments instead.",
    docs="https://learn.microsoft.com/azure/key-vault/general/rbac-migration",
)


def check(resource: Resource, params: Params) -> Iterator[str]:
    """Vaults carry no accessPolicies and no keyvault:AccessPolicy resource exists.

    With RBAC enabled Azure ignores access policies, so declaring them is dead configuration that
    silently grants keys the moment someone switches RBAC off.
    """
    if resource.type == ACCESS_POLICY:
        yield "a Key Vault access policy resource is declared; grant access with role assignments"
        return
    policies = items(dig(resource.props, "properties", "accessPolicies"))
    if policies:
        yield f"properties.accessPolicies has {len(policies)} access polic(ies); expected none"


RULE = ResourceRule(META, check, types=frozenset({VAULT, ACCESS_POLICY}))
