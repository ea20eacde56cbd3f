"""Private networking: a scope's virtual network, and private endpoints into it.

Nothing in TVT is reachable from the internet: every vault and storage account has public network
access disabled and is reached only through a private endpoint in its scope's private-endpoint
subnet, resolved through the shared private DNS zones.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import pulumi
from pulumi_azure_native import network, privatedns

from components.diagnostics import Diagnostics, attach_diagnostics
from components.naming import Namer
from components.placement import Placement

GLOBAL = "global"  # private DNS zones, their links and private link scopes are global resources

PRIVATE_DNS_ZONES: Mapping[str, str] = MappingProxyType(
    {
        "blob": "privatelink.blob.core.windows.net",
        "dfs": "privatelink.dfs.core.windows.net",
        "vault": "privatelink.vaultcore.azure.net",
        "monitor": "privatelink.monitor.azure.com",
        "oms": "privatelink.oms.opinsights.azure.com",
        "ods": "privatelink.ods.opinsights.azure.com",
        "agentsvc": "privatelink.agentsvc.azure-automation.net",
    }
)
"""Zone key -> a private DNS zone the stack declares (the key is the group id for one-zone groups)."""

PRIVATE_LINK_ZONES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "blob": ("blob",),
        "dfs": ("dfs",),
        "vault": ("vault",),
        # An Azure Monitor Private Link Scope answers on the global monitor endpoints, the
        # workspace's query (oms) and ingestion (ods) endpoints, the agent service, and the blob
        # storage holding agent solution packs; all of them must resolve privately.
        "azuremonitor": ("monitor", "oms", "ods", "agentsvc", "blob"),
    }
)
"""Private endpoint group id -> the keys of the private DNS zones its records go in."""

DENY_INTERNET_INBOUND = "deny-internet-inbound"
# Lowest precedence a custom rule can have: it backs up Azure's own DenyAllInBound (65500) without
# shadowing a narrower allow rule someone adds on purpose, which still shows up in review.
_DENY_PRIORITY = 4096


@dataclass(frozen=True)
class PrivateNetworkArgs:
    placement: Placement
    address_space: str
    private_endpoint_subnet: str
    diagnostics: Diagnostics

    def __post_init__(self) -> None:
        space = ipaddress.ip_network(self.address_space)
        subnet = ipaddress.ip_network(self.private_endpoint_subnet)
        if space.version != subnet.version or not subnet.subnet_of(space):  # type: ignore[arg-type]
            raise ValueError(
                f"network {self.placement.namer.virtual_network()}: subnet {subnet} is not inside {space}"
            )


class PrivateNetwork(pulumi.ComponentResource):
    """A virtual network whose only subnet holds private endpoints behind an NSG denying the internet."""

    def __init__(
        self, name: str, args: PrivateNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("tvt:network:PrivateNetwork", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        place = args.placement
        namer = place.namer
        self.scope = namer.scope
        self.virtual_network_name = namer.virtual_network()

        self.nsg = network.NetworkSecurityGroup(
            f"{name}-nsg",
            network_security_group_name=namer.nsg(),
            resource_group_name=place.resource_group_name,
            location=place.location,
            tags=place.tags,
            security_rules=[
                network.SecurityRuleArgs(
                    name=DENY_INTERNET_INBOUND,
                    description="Nothing in TVT is reachable from the internet; access is private only.",
                    priority=_DENY_PRIORITY,
                    direction=network.SecurityRuleDirection.INBOUND,
                    access=network.SecurityRuleAccess.DENY,
                    protocol=network.SecurityRuleProtocol.ASTERISK,
                    source_address_prefix="Internet",
                    source_port_range="*",
                    destination_address_prefix="*",
                    destination_port_range="*",
                )
            ],
            opts=child,
        )
        # Subnets are separate resources, never inline, so changing one never rewrites the network.
        self.virtual_network = network.VirtualNetwork(
            f"{name}-vnet",
            virtual_network_name=self.virtual_network_name,
            resource_group_name=place.resource_group_name,
            location=place.location,
            tags=place.tags,
            address_space=network.AddressSpaceArgs(address_prefixes=[args.address_space]),
            opts=child,
        )
        self.subnet = network.Subnet(
            f"{name}-subnet",
            subnet_name=namer.subnet(),
            virtual_network_name=self.virtual_network.name,
            resource_group_name=place.resource_group_name,
            address_prefix=args.private_endpoint_subnet,
            network_security_group=network.NetworkSecurityGroupArgs(id=self.nsg.id),
            # Enabled so the NSG applies to the private endpoints themselves, not only to other NICs.
            private_endpoint_network_policies=network.VirtualNetworkPrivateEndpointNetworkPolicies.ENABLED,
            default_outbound_access=False,
            opts=child,
        )
        for resource in (self.nsg, self.virtual_network):
            attach_diagnostics(resource, args.diagnostics, parent=self)

        self.register_outputs(
            {
                "resourceId": self.virtual_network.id,
                "name": self.virtual_network.name,
                "subnetId": self.subnet.id,
                "networkSecurityGroupId": self.nsg.id,
            }
        )


@dataclass(frozen=True)
class PrivateEndpointSpec:
    """AVM's ``private_endpoints`` entry: one endpoint for one sub-resource of a component's target."""

    subresource: str  # private link group id: "blob", "dfs", "vault", "azuremonitor"
    subnet_id: pulumi.Input[str]
    private_dns_zone_ids: Mapping[str, pulumi.Input[str]]
    """Zone key (of :data:`PRIVATE_DNS_ZONES`) -> zone id, one per zone of the sub-resource."""

    def __post_init__(self) -> None:
        if self.subresource not in PRIVATE_LINK_ZONES:
            raise ValueError(f"private endpoint sub-resource {self.subresource!r} has no private DNS zone")
        if set(self.private_dns_zone_ids) != set(PRIVATE_LINK_ZONES[self.subresource]):
            raise ValueError(
                f"private endpoint sub-resource {self.subresource!r} needs private DNS zone ids for "
                f"{list(PRIVATE_LINK_ZONES[self.subresource])}, got {sorted(self.private_dns_zone_ids)}"
            )


def private_endpoint_specs(
    subnet_id: pulumi.Input[str], dns_zone_ids: Mapping[str, pulumi.Input[str]], subresources: Iterable[str]
) -> tuple[PrivateEndpointSpec, ...]:
    """One endpoint per sub-resource, in ``subnet_id``, registered in the matching DNS zones."""
    subresources = tuple(subresources)
    unknown = [s for s in subresources if s not in PRIVATE_LINK_ZONES]
    if unknown:
        raise ValueError(f"private endpoint sub-resource(s) {', '.join(unknown)} have no private DNS zone")
    missing = [z for s in subresources for z in PRIVATE_LINK_ZONES[s] if z not in dns_zone_ids]
    if missing:
        raise ValueError(f"no private DNS zone id for {', '.join(missing)}")
    return tuple(
        PrivateEndpointSpec(s, subnet_id, {z: dns_zone_ids[z] for z in PRIVATE_LINK_ZONES[s]})
        for s in subresources
    )


def check_endpoints(specs: tuple[PrivateEndpointSpec, ...], allowed: Iterable[str], what: str) -> None:
    """Public access is off everywhere, so a target without an endpoint would be unreachable."""
    allowed = tuple(allowed)
    if not specs:
        raise ValueError(f"{what}: public network access is disabled, so it needs a private endpoint")
    wrong = sorted({s.subresource for s in specs} - set(allowed))
    if wrong:
        raise ValueError(f"{what}: private endpoint sub-resources {wrong} not among {list(allowed)}")
    subresources = [s.subresource for s in specs]
    if len(set(subresources)) != len(subresources):
        raise ValueError(f"{what}: more than one private endpoint per sub-resource in {subresources}")


def add_private_endpoint(
    name: str,
    spec: PrivateEndpointSpec,
    *,
    target: pulumi.CustomResource,
    target_name: str,
    placement: Placement,
    parent: pulumi.Resource,
) -> network.PrivateEndpoint:
    """A private endpoint to ``target``'s ``spec.subresource`` plus the DNS zone group naming its zones."""
    endpoint_name = placement.namer.private_endpoint(target_name, spec.subresource)
    child = pulumi.ResourceOptions(parent=parent)
    endpoint = network.PrivateEndpoint(
        name,
        private_endpoint_name=endpoint_name,
        resource_group_name=placement.resource_group_name,
        location=placement.location,
        tags=placement.tags,
        # A bare reference: SubnetArgs would add its own defaults, which describe no subnet of ours.
        subnet=network.SubnetArgsDict(id=spec.subnet_id),
        private_link_service_connections=[
            network.PrivateLinkServiceConnectionArgs(
                name=endpoint_name,
                private_link_service_id=target.id,
                group_ids=[spec.subresource],
            )
        ],
        opts=child,
    )
    network.PrivateDnsZoneGroup(
        f"{name}-dns",
        private_dns_zone_group_name="default",
        private_endpoint_name=endpoint.name,
        resource_group_name=placement.resource_group_name,
        private_dns_zone_configs=[
            network.PrivateDnsZoneConfigArgs(
                name=PRIVATE_DNS_ZONES[zone].replace(".", "-"),
                private_dns_zone_id=zone_id,
            )
            for zone, zone_id in spec.private_dns_zone_ids.items()
        ],
        opts=child,
    )
    return endpoint


@dataclass(frozen=True)
class PrivateDnsZones:
    """The stack's private DNS zones (declared by the audit services), as a scope's network uses them.

    ``owner`` is the component that declares the zones: links a scope creates for its own network
    carry an alias to it, because the links were once its children and must not be recreated.
    """

    ids: Mapping[str, pulumi.Input[str]]  # zone key (of PRIVATE_DNS_ZONES) -> zone id
    names: Mapping[str, pulumi.Input[str]]  # zone key -> zone name
    resource_group_name: pulumi.Input[str]
    namer: Namer  # the owner's: links are named in the zones' scope
    owner: pulumi.Resource
    prefix: str  # logical-name prefix of the links, the owner's name


def link_private_dns(
    zones: PrivateDnsZones,
    network_: PrivateNetwork,
    tags: Mapping[str, str],
    parent: pulumi.Resource,
    name: str,
) -> tuple[privatedns.VirtualNetworkLink, ...]:
    """Link every private DNS zone to ``network_`` so its endpoints resolve to private addresses.

    The component that owns the network owns its links (``parent``, logical names ``<name>-dns-<zone>-link``),
    and they carry its ``tags``: a link exists for that scope's network. They were once declared by the
    zones' owner as ``<owner>-dns-<zone>-link-<scope>``; the alias keeps the deployed links in place.
    Registration stays off: only the private endpoints' zone groups write records.
    """

    def was(group: str) -> pulumi.Alias:
        return pulumi.Alias(name=f"{zones.prefix}-dns-{group}-link-{network_.scope}", parent=zones.owner)

    return tuple(
        privatedns.VirtualNetworkLink(
            f"{name}-dns-{group}-link",
            virtual_network_link_name=zones.namer.private_dns_link(network_.virtual_network_name),
            private_zone_name=zone_name,
            resource_group_name=zones.resource_group_name,
            location=GLOBAL,
            registration_enabled=False,
            virtual_network=privatedns.SubResourceArgs(id=network_.virtual_network.id),
            tags=dict(tags),
            opts=pulumi.ResourceOptions(
                parent=parent,
                aliases=[was(group)],
            ),
        )
        for group, zone_name in zones.names.items()
    )
