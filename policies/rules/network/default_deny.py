"""network-default-deny: storage and vault firewalls deny by default and allow no public IPs."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import STORAGE_ACCOUNT, VAULT
from policies.framework import Controls, Params, ResourceRule, RuleMeta
from policies.model import Resource
from policies.props import describe, dig, items, same

META = RuleMeta(
    id="network-default-deny",
    title="Storage and Key Vault network rules deny by default",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("11",), mcsb=("NS-2",), cis=("3.8", "8.7")),
    remediation="Set defaultAction Deny, no ipRules (storage networkRuleSet, vault properties.networkAcls).",
    docs="https://learn.microsoft.com/azure/key-vault/general/network-security",
)

_ACLS: dict[str, tuple[str, ...]] = {
    STORAGE_ACCOUNT: ("networkRuleSet",),
    VAULT: ("properties", "networkAcls"),
}


def check(resource: Resource, params: Params) -> Iterator[str]:
    """The firewall's defaultAction is Deny and no ipRules open it to public addresses.

    A second line behind disabled public access: should public access ever be re-enabled by
    mistake, a deny-by-default firewall still refuses the internet.
    """
    path = _ACLS[resource.type]
    acls = dig(resource.props, *path)
    where = ".".join(path)
    action = dig(acls, "defaultAction")
    if not same(action, "Deny"):
        yield f"{where}.defaultAction is {describe(action)}; expected Deny"
    rules = items(dig(acls, "ipRules"))
    if rules:
        yield f"{where}.ipRules allows {len(rules)} public address range(s); expected none"


RULE = ResourceRule(META, check, types=frozenset(_ACLS))
