"""network-subnet-nsg: every subnet has a network security group and no default outbound access."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import NSG, SUBNET, VIRTUAL_NETWORK
from policies.framework import Controls, Params, RuleMeta, StackContext, StackRule, reference_violations
from policies.model import Violation
from policies.props import describe, items, same

META = RuleMeta(
    id="network-subnet-nsg",
    title="Subnets are separate resources with an NSG, NSG-enforced endpoints and no default outbound access",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("11", "3"), mcsb=("NS-1",)),
    remediation=(
        "Declare subnets as Subnet resources with networkSecurityGroup.id from the level's NSG, "
        "privateEndpointNetworkPolicies Enabled and defaultOutboundAccess false; no inline subnets on "
        "the VNet."
    ),
    docs="https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview",
)


def check(context: StackContext, params: Params) -> Iterator[Violation]:
    """Subnets reference an NSG of this stack, apply it to private endpoints and have no default outbound.

    The NSG is the level's boundary; by default Azure does not apply NSG rules to private
    endpoints, and default outbound access gives every workload an implicit route to the internet
    for exfiltration. Inline subnets on a VirtualNetwork escape these per-subnet checks, so they
    are refused.
    """
    yield from reference_violations(context, META.id)
    index = context.index
    for vnet in index.of_type(VIRTUAL_NETWORK):
        if items(vnet.props.get("subnets")):
            yield Violation(
                "subnets are declared inline on the virtual network; declare Subnet resources", vnet.urn
            )
    for subnet in index.of_type(SUBNET):
        # The NSG's id is unknown until it exists; the property dependency is known in every preview.
        # Unknown and not computed from an NSG, the reference's own finding (above) says so.
        if not index.targets(subnet, "networkSecurityGroup", NSG) and not index.disputed(
            subnet, "networkSecurityGroup"
        ):
            yield Violation(
                "networkSecurityGroup.id does not reference a NetworkSecurityGroup of this stack", subnet.urn
            )
        policies = subnet.props.get("privateEndpointNetworkPolicies")
        if not same(policies, "Enabled"):
            yield Violation(
                f"privateEndpointNetworkPolicies is {describe(policies)}; expected Enabled", subnet.urn
            )
        outbound = subnet.props.get("defaultOutboundAccess")
        if outbound is not False:
            yield Violation(f"defaultOutboundAccess is {describe(outbound)}; expected false", subnet.urn)


RULE = StackRule(META, check)
