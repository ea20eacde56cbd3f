"""network-private-endpoint: storage and vaults are reached through private endpoints of their level."""

from __future__ import annotations

from tests.policies.cases import Case, drop, point_ref, rule_tests

RULE = "network-private-endpoint"

CASES = [
    Case("HNS account without dfs endpoint", drop("l3-storage-dfs-pe"), "sub-resource(s) dfs", "l3-storage"),
    Case(
        "vault endpoint in another level's subnet",
        point_ref("l3-vault-pe", "subnet", "l1-subnet"),
        "private endpoint 'l3-vault-pe' for this level-3 resource sits in a subnet of level 1",
        "l3-vault",
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
