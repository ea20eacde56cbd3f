"""network-subnet-nsg: every subnet has a network security group and no default outbound access."""

from __future__ import annotations

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policies.cases import (
    Case,
    Once,
    chain,
    computed_from,
    drop_ref,
    foreign,
    once_tests,
    outside,
    point_ref,
    refer,
    rule_tests,
    set_prop,
)

RULE = "network-subnet-nsg"

CASES = [
    Case(
        "default outbound access",
        set_prop("l3-subnet", "defaultOutboundAccess", True),
        "defaultOutboundAccess is true; expected false",
        "l3-subnet",
    ),
    Case(
        "NSG not applied to private endpoints",
        set_prop("l3-subnet", "privateEndpointNetworkPolicies", "Disabled"),
        "privateEndpointNetworkPolicies is 'Disabled'",
        "l3-subnet",
    ),
    Case(
        "NSG outside the stack",
        outside(
            "l3-subnet",
            "networkSecurityGroup",
            "networkSecurityGroup.id",
            foreign("Microsoft.Network/networkSecurityGroups/open"),
        ),
        "networkSecurityGroup.id does not reference a NetworkSecurityGroup",
        "l3-subnet",
    ),
    Case(
        "NSG id names another level's NSG, its dependency still its own",
        refer("l3-subnet", "networkSecurityGroup.id", "l1-nsg"),
        "networkSecurityGroup.id names Microsoft.Network/networkSecurityGroups 'l1-nsg' but was computed "
        "from NetworkSecurityGroup 'l3-nsg'",
        "l3-subnet",
        known_only=True,
    ),
    Case(
        "inline subnets",
        set_prop("l3-vnet", "subnets", [{"name": "inline", "addressPrefix": "10.43.0.64/26"}]),
        "subnets are declared inline",
        "l3-vnet",
    ),
]

CASES += [
    Case(
        "the NSG id unknown and computed from the virtual network, not an NSG",
        chain(
            computed_from("l3-subnet", "networkSecurityGroup.id", "l3-vnet"),
        ),
        "networkSecurityGroup.id is unknown and not computed from a NetworkSecurityGroup of this stack",
        "l3-subnet",
    ),
]

CASES += [
    Case(
        "an NSG id naming nothing in the stack, with a dependency only on a vault (no NSG)",
        chain(
            set_prop(
                "l3-subnet", "networkSecurityGroup.id", foreign("Microsoft.Network/networkSecurityGroups/x")
            ),
            point_ref("l3-subnet", "networkSecurityGroup", "l3-vault"),
        ),
        "networkSecurityGroup.id does not reference a NetworkSecurityGroup of this stack",
        "l3-subnet",
        known_only=True,  # unknown, its dependency on no NSG is the reference's own finding
    ),
]

test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)

# An NSG id unknown and computed from nothing is the reference's one finding (policies/references.py);
# the rule's own "does not reference" check adds nothing.
ONCE = [
    Once(
        "NSG id unknown and computed from nothing",
        chain(
            set_prop("l3-subnet", "networkSecurityGroup.id", UNKNOWN_STRING_VALUE),
            drop_ref("l3-subnet", "networkSecurityGroup"),
        ),
        RULE,
        "networkSecurityGroup.id is unknown and not computed from a NetworkSecurityGroup of this stack",
        "l3-subnet",
    )
]
test_reported_once = once_tests(RULE, ONCE)
