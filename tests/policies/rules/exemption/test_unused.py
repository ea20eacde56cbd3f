"""exemption-unused: an exemption that matches nothing in the stack is stale or mistyped."""

from __future__ import annotations

from tests.policies.cases import Case, nothing, rule_tests

RULE = "exemption-unused"

CASES = [
    Case(
        "exemption for a resource that is gone",
        nothing,
        "matches no resource in this stack",
        config={
            "network-private-dns": {
                "exemptions": [
                    {
                        "resource": "urn:pulumi:prod::tvt-platform::azure-native:sql:Server::*",
                        "reason": "Legacy SQL server pending migration to the data platform storage.",
                        "approver": "TVT Senior Information Risk Owner",
                        "expires": "2027-01-31",
                    }
                ]
            }
        },
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
