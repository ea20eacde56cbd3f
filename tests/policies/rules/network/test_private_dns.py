"""network-private-dns: every private endpoint is registered in a private DNS zone."""

from __future__ import annotations

import pytest

from tests.policies.cases import Case, assert_baseline_passes, assert_case_trips, drop, drop_ref
from tests.policies.harness import Hit

RULE = "network-private-dns"

CASES = [
    Case(
        "endpoint without DNS zone group",
        drop("l3-vault-pe-dns"),
        "no PrivateDnsZoneGroup references",
        "l3-vault-pe",
    ),
    Case(
        "zone group pointing at no zone",
        drop_ref("l3-storage-blob-pe-dns", "privateDnsZoneConfigs"),
        "references no PrivateZone declared in this stack",
        "l3-storage-blob-pe",
    ),
]


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
