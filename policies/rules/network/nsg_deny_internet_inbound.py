"""network-nsg-deny-internet-inbound: NSGs deny all inbound internet traffic and allow none."""

from __future__ import annotations

import ipaddress
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
        "and allow inbound traffic only from private ranges (RFC 1918, RFC 6598 100.64.0.0/10) or the "
        "VirtualNetwork and AzureLoadBalancer service tags: never from Internet, *, Any or a public range."
    ),
    docs="https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview",
)

_ANYWHERE = ("internet", "*", "any", "0.0.0.0/0")
# Sources an inbound Allow may name: the private address space and the two service tags that
# stand for it (the VNet's own address space and Azure's health probes, which come from
# 168.63.129.16 and never carry user traffic).
PRIVATE_RANGES: tuple[ipaddress.IPv4Network, ...] = tuple(
    ipaddress.IPv4Network(r) for r in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
)
PRIVATE_TAGS = ("virtualnetwork", "azureloadbalancer")


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


def is_private_source(source: str) -> bool:
    """A private address, CIDR range or service tag: every address it covers is in the private space."""
    if source.casefold() in PRIVATE_TAGS:
        return True
    try:
        network = ipaddress.ip_network(source.strip(), strict=False)
    except ValueError:
        return False  # Internet, *, Any, other service tags, typos: not provably private
    return isinstance(network, ipaddress.IPv4Network) and any(network.subnet_of(r) for r in PRIVATE_RANGES)


def _raw_sources(rule: Any) -> list[str]:
    single = text(dig(rule, "sourceAddressPrefix"))
    return ([single] if single else []) + [text(p) for p in items(dig(rule, "sourceAddressPrefixes"))]


def check(resource: Resource, params: Params) -> Iterator[str]:
    """The NSG explicitly denies inbound Internet traffic and allows inbound only from private sources.

    Nothing on the platform serves the internet. Azure's default rules already drop unsolicited
    traffic; the explicit deny states the intent in code, and an inbound allow from anything but
    the private address space (RFC 1918, RFC 6598) or the VirtualNetwork / AzureLoadBalancer tags
    is refused outright because, at a lower priority number, it would win over that deny. That
    covers the obvious "Internet" and "*" as well as a public range such as 203.0.113.0/24 or a
    split 0.0.0.0/1 that reads like a narrow rule in review.
    """
    rules = items(resource.props.get("securityRules"))
    if not any(_denies_internet(r) for r in rules):
        yield "no Inbound Deny rule for source Internet with protocol, destination and port '*'"
    for rule in rules:
        if not (same(dig(rule, "direction"), "Inbound") and same(dig(rule, "access"), "Allow")):
            continue
        name = text(dig(rule, "name")) or "?"
        sources = _raw_sources(rule)
        if any(s.casefold() in _ANYWHERE for s in sources):
            yield f"security rule '{name}' allows inbound traffic from anywhere"
            continue
        public = [s for s in sources if not is_private_source(s)]
        # A rule may name application security groups instead of prefixes: those are our own NICs.
        if public or not (sources or items(dig(rule, "sourceApplicationSecurityGroups"))):
            shown = ", ".join(repr(s) for s in public) or "<no source>"
            yield (
                f"security rule '{name}' allows inbound traffic from {shown}, which is not a private range "
                "(RFC 1918, RFC 6598) or the VirtualNetwork/AzureLoadBalancer service tag"
            )


RULE = ResourceRule(META, check, types=frozenset({NSG}))
