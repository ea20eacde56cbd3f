"""network-public-access-disabled: data and key services are unreachable from the internet."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import STORAGE_ACCOUNT, VAULT, WORKSPACE
from policies.framework import Controls, Params, ResourceRule, RuleMeta
from policies.model import Resource
from policies.props import describe, dig, same

META = RuleMeta(
    id="network-public-access-disabled",
    title="Storage, Key Vault and Log Analytics disable public network access",
    severity=Severity.CRITICAL,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("11",), mcsb=("NS-2",), cis=("3.7",)),
    remediation=(
        "Set publicNetworkAccess to Disabled (storage, and properties.publicNetworkAccess on vaults) "
        "and publicNetworkAccessForIngestion/ForQuery to Disabled on workspaces; reach them through "
        "private endpoints."
    ),
    docs="https://learn.microsoft.com/azure/storage/common/storage-network-security",
)

# Per type, the properties that must read "Disabled".
_SETTINGS: dict[str, tuple[tuple[str, ...], ...]] = {
    STORAGE_ACCOUNT: (("publicNetworkAccess",),),
    VAULT: (("properties", "publicNetworkAccess"),),
    WORKSPACE: (("publicNetworkAccessForIngestion",), ("publicNetworkAccessForQuery",)),
}


def check(resource: Resource, params: Params) -> Iterator[str]:
    """publicNetworkAccess is explicitly Disabled on storage accounts, key vaults and workspaces.

    With public access off, stolen credentials alone are not enough: an attacker also needs a
    foothold inside a TVT network. Firewall rules are not a substitute, as they are one edit away
    from "allow all".
    """
    for path in _SETTINGS[resource.type]:
        value = dig(resource.props, *path)
        if not same(value, "Disabled"):
            yield f"{'.'.join(path)} is {describe(value)}; expected Disabled"


RULE = ResourceRule(META, check, types=frozenset(_SETTINGS))
