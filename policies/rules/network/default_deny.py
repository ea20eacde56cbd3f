"""network-default-deny: storage and vault firewalls deny by default and admit no address or network."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import STORAGE_ACCOUNT, VAULT
from policies.framework import Controls, Params, ResourceRule, RuleMeta
from policies.model import Resource
from policies.props import describe, dig, is_list, same, text

META = RuleMeta(
    id="network-default-deny",
    title="Storage and Key Vault network rules deny by default and admit no address or network",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("11",), mcsb=("NS-2",), cis=("3.8", "8.7")),
    remediation=(
        "Set defaultAction Deny with no ipRules or virtualNetworkRules (storage networkRuleSet, vault "
        "properties.networkAcls) and, on storage, no resourceAccessRules; bypass may be None or "
        "AzureServices. Reach the service through its private endpoints."
    ),
    docs="https://learn.microsoft.com/azure/storage/common/storage-network-security",
)

_ACLS: dict[str, tuple[str, ...]] = {
    STORAGE_ACCOUNT: ("networkRuleSet",),
    VAULT: ("properties", "networkAcls"),
}
# The allow-lists each firewall has: every entry is a way in besides the private endpoints.
_ALLOW_LISTS: dict[str, tuple[tuple[str, str], ...]] = {
    STORAGE_ACCOUNT: (
        ("ipRules", "public address range(s)"),
        ("virtualNetworkRules", "virtual network subnet(s)"),
        ("resourceAccessRules", "resource instance(s)"),
    ),
    VAULT: (
        ("ipRules", "public address range(s)"),
        ("virtualNetworkRules", "virtual network subnet(s)"),
    ),
}
# "AzureServices" lets trusted Microsoft services (Azure Monitor writing logs, storage unwrapping
# its key) through; with defaultAction Deny nothing else gets in. Logging/Metrics bypasses would
# open the account's logs and metrics to any network, so they are refused.
ACCEPTED_BYPASS = ("None", "AzureServices")


def check(resource: Resource, params: Params) -> Iterator[str]:
    """The firewall's defaultAction is Deny and no IP, virtual network or resource instance rule opens it.

    A second line behind disabled public access, and the only line where public access must stay
    enabled for Azure Monitor to write (the audit archive): with defaultAction Deny and empty
    allow-lists, only the private endpoints and, with bypass AzureServices, trusted Microsoft
    services get in. A virtual network rule would admit a whole subnet around the private
    endpoints, and a resource access rule any instance of a resource type, possibly in another
    tenant.
    """
    path = _ACLS[resource.type]
    acls = dig(resource.props, *path)
    where = ".".join(path)
    action = dig(acls, "defaultAction")
    if not same(action, "Deny"):
        yield f"{where}.defaultAction is {describe(action)}; expected Deny"
    for key, what in _ALLOW_LISTS[resource.type]:
        value = dig(acls, key)
        count = len(value) if is_list(value) else 0
        if count:
            yield f"{where}.{key} allows {count} {what}; expected none"
    bypass = dig(acls, "bypass")
    parts = [p.strip() for p in text(bypass).split(",") if p.strip()]
    if bypass is not None and (not parts or not all(any(same(p, a) for a in ACCEPTED_BYPASS) for p in parts)):
        yield f"{where}.bypass is {describe(bypass)}; expected {' or '.join(ACCEPTED_BYPASS)}"


RULE = ResourceRule(META, check, types=frozenset(_ACLS))
