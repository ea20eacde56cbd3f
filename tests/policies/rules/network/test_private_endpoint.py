"""network-private-endpoint: storage and vaults are reached through private endpoints of their level."""

from __future__ import annotations

import pytest

from tests.policies.cases import Case, assert_baseline_passes, assert_case_trips, drop, point_ref
from tests.policies.harness import Hit

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


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
