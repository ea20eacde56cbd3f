"""network-private-dns: every private endpoint is registered in a private DNS zone."""

from __future__ import annotations

from tests.policies.cases import (
    IMPOSTOR_ALSO,
    Case,
    chain,
    computed_from,
    drop,
    foreign,
    impostor,
    outside,
    point_ref,
    refer,
    rule_tests,
)

RULE = "network-private-dns"
ZONE_ID = "privateDnsZoneConfigs.0.privateDnsZoneId"

CASES = [
    Case(
        "endpoint without DNS zone group",
        drop("l3-vault-pe-dns"),
        "no PrivateDnsZoneGroup references",
        "l3-vault-pe",
    ),
    Case(
        "zone group pointing at a zone outside the stack",
        outside(
            "l3-storage-blob-pe-dns",
            "privateDnsZoneConfigs",
            ZONE_ID,
            foreign("Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net"),
        ),
        "references no PrivateZone declared in this stack",
        "l3-storage-blob-pe",
    ),
    Case(
        "zone id names the dfs zone, its dependency still the blob zone",
        refer("l3-storage-blob-pe-dns", ZONE_ID, "audit-zone-dfs"),
        "privateDnsZoneConfigs[].privateDnsZoneId names Microsoft.Network/privateDnsZones "
        "'privatelink.dfs.core.windows.net' but was computed from PrivateZone 'audit-zone-blob'",
        "l3-storage-blob-pe-dns",
        known_only=True,
    ),
    Case(
        "zone linked to another level's network, its dependency still its own",
        refer("audit-link-blob-l3-vnet", "virtualNetwork.id", "l1-vnet"),
        "virtualNetwork.id names Microsoft.Network/virtualNetworks 'vnet-tvt-prod-l1' but was computed from "
        "VirtualNetwork 'l3-vnet'",
        "audit-link-blob-l3-vnet",
        known_only=True,
    ),
]


CASES += [
    Case(
        "the endpoint's only zone group names it in another property",
        chain(
            drop("l3-vault-pe-dns"), point_ref("l3-storage-blob-pe-dns", "resourceGroupName", "l3-vault-pe")
        ),
        "no PrivateDnsZoneGroup references this private endpoint",
        "l3-vault-pe",
        also=frozenset({"data-protection-level-boundary"}),
    ),
    Case(
        "something that is not a zone group names the endpoint",
        chain(
            drop("l3-vault-pe-dns"),
            impostor("l3-pe-lock", "l3", {"privateEndpointName": "l3-vault-pe"}),
        ),
        "no PrivateDnsZoneGroup references this private endpoint",
        "l3-vault-pe",
        also=IMPOSTOR_ALSO,
    ),
    Case(
        "the zone group's zone computed from a virtual network",
        chain(
            computed_from("l3-vault-pe-dns", ZONE_ID, "l3-vnet"),
        ),
        "the private endpoint's DNS zone group references no PrivateZone declared in this stack",
        "l3-vault-pe",
    ),
]

test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
