"""network-nsg-deny-internet-inbound: NSGs deny all inbound internet traffic and allow none."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import NSG
from policies.framework import Controls, Params, ResourceRule, RuleMeta
from policies.model import Resource
from policies.props import dig, items, same, text

META = RuleMeta(
    id="network-nsg-deny-internet-inbound",
    title="Network security groups deny all inbound traffic from the internet",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("11",), mcsb=("NS-1",), cis=("6.1", "6.2", "6.3", "6.4")),
    remediation=(
        "Keep an explicit Inbound Deny rule for source Internet, protocol *, any destination and port, "
        "and remove any Inbound Allow rule whose source is Internet, *, Any or 0.0.0.0/0."
    ),
    docs="https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview",
)

_ANYWHERE = ("internet", "*", "any", "0.0.0.0/0")


def _sources(rule: Any) -> list[str]:
    return [text(dig(rule, "sourceAddressPrefix")).casefold()] + [
        text(p).casefold() for p in items(dig(rule, "sourceAddressPrefixes"))
    ]


def _denies_internet(rule: Any) -> bool:
    return (
        same(dig(rule, "direction"), "Inbound")
        and same(dig(rule, "access"), "Deny")
        and any(s in _ANYWHERE for s in _sources(rule))
        and text(dig(rule, "protocol")) == "*"
        and text(dig(rule, "destinationAddressPrefix")) == "*"
        and text(dig(rule, "destinationPortRange")) == "*"
    )


def check(resource: Resource, params: Params) -> Iterator[str]:
    """The NSG explicitly denies inbound Internet traffic on all ports and allows none from anywhere.

    Nothing on the platform serves the internet. Azure's default rules already drop unsolicited
    traffic; the explicit deny states the intent in code, and any inbound allow from anywhere is
    refused outright because, at a lower priority number, it would win over that deny.
    """
    rules = items(resource.props.get("securityRules"))
    if not any(_denies_internet(r) for r in rules):
        yield "no Inbound Deny rule for source Internet with protocol, destination and port '*'"
    for rule in rules:
        if (
            same(dig(rule, "direction"), "Inbound")
            and same(dig(rule, "access"), "Allow")
            and any(s in _ANYWHERE for s in _sources(rule))
        ):
            yield f"security rule '{text(dig(rule, 'name')) or '?'}' allows inbound traffic from anywhere"


RULE = ResourceRule(META, check, types=frozenset({NSG}))
