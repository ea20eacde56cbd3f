"""network-private-endpoint: storage and vaults are reached through private endpoints of their level."""

from __future__ import annotations

from tests.policies.cases import Case, drop, refer, retarget, rule_tests

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


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
