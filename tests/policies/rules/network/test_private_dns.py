"""network-private-dns: every private endpoint is registered in a private DNS zone."""

from __future__ import annotations

from tests.policies.cases import Case, drop, drop_ref, rule_tests

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


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
