"""network-nsg-deny-internet-inbound: NSGs deny all inbound internet traffic and allow none."""

from __future__ import annotations

from typing import Any

import pytest

from policies.rules.network.nsg_deny_internet_inbound import is_private_source
from tests.policies.baselines import Stack
from tests.policies.cases import (
    Case,
    Mutation,
    Variant,
    chain,
    rule_tests,
    set_prop,
    variant_tests,
)

RULE = "network-nsg-deny-internet-inbound"


def allow_inbound_from(*sources: str, name: str = "allow-partner-sftp", **extra: Any) -> Mutation:
    """Add an inbound Allow rule to the level-3 NSG from ``sources`` (the explicit deny stays)."""

    def mutate(stack: Stack) -> None:
        prefixes: dict[str, Any] = (
            {"sourceAddressPrefix": sources[0]}
            if len(sources) == 1
            else {"sourceAddressPrefixes": list(sources)}
            if sources
            else {}
        )
        stack["l3-nsg"].props["securityRules"].append(
            {
                "name": name,
                "priority": 200,
                "direction": "Inbound",
                "access": "Allow",
                "protocol": "Tcp",
                "sourcePortRange": "*",
                "destinationAddressPrefix": "*",
                "destinationPortRange": "22",
                **prefixes,
                **extra,
            }
        )

    return mutate


CASES = [
    Case(
        "no explicit internet deny",
        set_prop("l3-nsg", "securityRules", []),
        "no Inbound Deny rule",
        "l3-nsg",
    ),
    Case(
        "allow from anywhere",
        set_prop("l3-nsg", "securityRules.0.access", "Allow"),
        "allows inbound traffic from anywhere",
        "l3-nsg",
    ),
    Case(
        "allow from a public range",
        allow_inbound_from("203.0.113.0/24"),
        "security rule 'allow-partner-sftp' allows inbound traffic from '203.0.113.0/24', which is not a "
        "private range",
        "l3-nsg",
    ),
    Case(
        "allow from half the internet among private prefixes",
        allow_inbound_from("10.0.0.0/8", "0.0.0.0/1"),
        "allows inbound traffic from '0.0.0.0/1', which is not a private range",
        "l3-nsg",
    ),
    Case(
        "allow from the Any tag",
        allow_inbound_from("Any"),
        "security rule 'allow-partner-sftp' allows inbound traffic from anywhere",
        "l3-nsg",
    ),
]

DENY = "l3-nsg"
CASES += [
    Case(
        "the internet deny is outbound",
        set_prop(DENY, "securityRules.0.direction", "Outbound"),
        "no Inbound Deny rule",
        DENY,
    ),
    Case(
        "the internet deny covers TCP only",
        set_prop(DENY, "securityRules.0.protocol", "Tcp"),
        "no Inbound Deny rule",
        DENY,
    ),
    Case(
        "the internet deny covers one destination only",
        set_prop(DENY, "securityRules.0.destinationAddressPrefix", "10.43.0.4"),
        "no Inbound Deny rule",
        DENY,
    ),
    Case(
        "the internet deny covers one port only",
        set_prop(DENY, "securityRules.0.destinationPortRange", "22"),
        "no Inbound Deny rule",
        DENY,
    ),
    Case(
        "the deny names a private range, not the internet",
        set_prop(DENY, "securityRules.0.sourceAddressPrefix", "10.0.0.0/8"),
        "no Inbound Deny rule",
        DENY,
    ),
    Case(
        "an allow from anywhere, then one from a public range: both are reported",
        chain(
            allow_inbound_from("Internet", name="allow-everyone"),
            allow_inbound_from("203.0.113.0/24", "198.51.100.0/24", name="allow-two-partners"),
        ),
        "security rule 'allow-two-partners' allows inbound traffic from '203.0.113.0/24', '198.51.100.0/24'",
        DENY,
    ),
    Case(
        "an allow with no source at all",
        allow_inbound_from(),
        "security rule 'allow-partner-sftp' allows inbound traffic from <no source>",
        DENY,
    ),
    Case(
        "an unnamed allow from a public range",
        allow_inbound_from("203.0.113.0/24", name=""),
        "security rule '?' allows inbound traffic from '203.0.113.0/24'",
        DENY,
    ),
    Case(
        "an allow from a public address written with host bits",
        allow_inbound_from("203.0.113.7/24"),
        "allows inbound traffic from '203.0.113.7/24'",
        DENY,
    ),
]
ASG = [
    {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/sftp"}
]
VARIANTS = [
    Variant(
        "the internet deny names the internet in sourceAddressPrefixes",
        chain(
            set_prop(DENY, "securityRules.0.sourceAddressPrefix"),
            set_prop(DENY, "securityRules.0.sourceAddressPrefixes", ["Internet"]),
        ),
    ),
    Variant("an outbound allow to the internet", allow_inbound_from("Internet", direction="Outbound")),
    Variant(
        "an inbound allow from application security groups",
        allow_inbound_from(sourceApplicationSecurityGroups=ASG),
    ),
    Variant(
        "an inbound allow from a private range written with host bits", allow_inbound_from("10.43.0.7/24")
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
test_compliant_variant = variant_tests(RULE, VARIANTS)


# Beyond the cases: which inbound Allow sources count as private.


@pytest.mark.parametrize(
    "source",
    [
        "10.0.0.0/8",
        "10.43.0.0/26",
        "10.43.0.7/24",  # host bits set: Azure accepts it as the network 10.43.0.0/24
        "172.16.0.0/12",
        "172.31.255.255",
        "192.168.1.0/24",
        "100.64.0.0/10",  # RFC 6598 shared address space
        "100.127.0.1",
        "VirtualNetwork",
        "virtualnetwork",
        "AzureLoadBalancer",
    ],
)
def test_private_sources(source: str) -> None:
    assert is_private_source(source)


@pytest.mark.parametrize(
    "source",
    [
        "203.0.113.0/24",
        "0.0.0.0/1",  # half the internet, looks narrow in review
        "0.0.0.0/0",
        "10.0.0.0/7",  # wider than 10/8
        "100.128.0.0/9",  # next to, not inside, 100.64/10
        "172.32.0.0/16",
        "*",
        "Any",
        "Internet",
        "AzureCloud",  # a service tag for every Azure public address
        "::/0",
        "fd00::/8",
        "10.0.0.0/33",
        "",
    ],
)
def test_public_or_unprovable_sources(source: str) -> None:
    assert not is_private_source(source)
