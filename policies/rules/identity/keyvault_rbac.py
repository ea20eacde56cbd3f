"""identity-keyvault-rbac: Key Vault permissions are Azure RBAC role assignments."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import VAULT
from policies.framework import Controls, Params, ResourceRule, RuleMeta
from policies.model import Resource
from policies.props import describe, dig

META = RuleMeta(
    id="identity-keyvault-rbac",
    title="Key vaults use Azure RBAC for data-plane authorisation",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("9", "10"), mcsb=("IM-1", "PA-7"), cis=("8.6",)),
    remediation="Set properties.enableRbacAuthorization true; grant key access with role assignments.",
    docs="https://learn.microsoft.com/azure/key-vault/general/rbac-guide",
)


def check(resource: Resource, params: Params) -> Iterator[str]:
    """properties.enableRbacAuthorization is true.

    Access policies live inside the vault, outside Privileged Identity Management and access
    reviews, and any Contributor on the vault can grant themselves key access; RBAC keeps every
    permission in one reviewable place.
    """
    value = dig(resource.props, "properties", "enableRbacAuthorization")
    if value is not True:
        yield f"properties.enableRbacAuthorization is {describe(value)}; expected true"


RULE = ResourceRule(META, check, types=frozenset({VAULT}))
