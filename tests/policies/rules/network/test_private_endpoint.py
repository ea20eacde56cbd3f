"""network-private-endpoint: storage and vaults are reached through private endpoints of their level."""

from __future__ import annotations

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policies.cases import (
    Case,
    chain,
    computed_from,
    drop,
    refer,
    retarget,
    rule_tests,
    set_prop,
)

RULE = "network-private-endpoint"
SERVICE_ID = "privateLinkServiceConnections.0.privateLinkServiceId"

CASES = [
    Case("HNS account without dfs endpoint", drop("l3-storage-dfs-pe"), "sub-resource(s) dfs", "l3-storage"),
    Case(
        "vault endpoint in another level's subnet",
        retarget("l3-vault-pe", "subnet", "subnet.id", "l1-subnet"),
        "private endpoint 'l3-vault-pe' for this level-3 resource sits in a subnet of level 1",
        "l3-vault",
    ),
    Case(
        "endpoint's subnet id names another level's subnet, its dependency still its own",
        refer("l3-vault-pe", "subnet.id", "l1-subnet"),
        "subnet.id names Microsoft.Network/virtualNetworks/subnets 'snet-private-endpoints' but was computed "
        "from Subnet 'l3-subnet'",
        "l3-vault-pe",
        also=frozenset(),
        known_only=True,
    ),
    Case(
        "endpoint's service id names another level's vault, its dependency still its own",
        refer("l3-vault-pe", SERVICE_ID, "l1-vault"),
        "names Microsoft.KeyVault/vaults 'kv-tvt-prod-l1' but was computed from Vault 'l3-vault'",
        "l3-vault-pe",
        known_only=True,
    ),
]


CASES += [
    Case(
        "vault without its endpoint",
        chain(drop("l3-vault-pe"), drop("l3-vault-pe-dns")),
        "no private endpoint for sub-resource(s) vault references this azure-native:keyvault:Vault",
        "l3-vault",
    ),
    Case(
        "an endpoint's subnet computed from the virtual network, not a subnet",
        chain(
            computed_from("l3-vault-pe", "subnet.id", "l3-vnet"),
        ),
        "for this level-3 resource sits in a subnet of level no subnet in this stack",
        "l3-vault",
    ),
    Case(
        "HNS unknown during preview and no dfs endpoint",
        chain(set_prop("l3-storage", "isHnsEnabled", UNKNOWN_STRING_VALUE), drop("l3-storage-dfs-pe")),
        "sub-resource(s) dfs",
        "l3-storage",
    ),
]

test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
