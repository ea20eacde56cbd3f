"""exemption-expired: an exemption past its expiry is itself a finding."""

from __future__ import annotations

from tests.policies.cases import Case, nothing, rule_tests

RULE = "exemption-expired"


EXPIRED_WORKSPACE_EXEMPTION = {
    "encryption-cmk-same-level": {
        "exemptions": [
            {
                "resource": "urn:pulumi:prod::tvt-platform::azure-native:operationalinsights:Workspace::*",
                "reason": "Dedicated cluster needed for CMK; volume too low to justify one at the moment.",
                "approver": "TVT Senior Information Risk Owner",
                "expires": "2026-01-31",
            }
        ]
    }
}


CASES = [
    Case(
        "workspace CMK exemption lapsed",
        nothing,
        "exemption from encryption-cmk-same-level for urn:pulumi:prod::tvt-platform::azure-native:"
        "operationalinsights:Workspace::* approved by TVT Senior Information Risk Owner "
        "expired 2026-01-31",
        also=frozenset({"encryption-cmk-same-level"}),
        config=EXPIRED_WORKSPACE_EXEMPTION,
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
