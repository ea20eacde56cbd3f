"""exemption-unused: an exemption that matches nothing in the stack is stale or mistyped."""

from __future__ import annotations

import pytest

from tests.policies.cases import Case, assert_baseline_passes, assert_case_trips, nothing
from tests.policies.harness import Hit

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
                        "resource": "urn:pulumi:prod::tvt-platform::*azure-native:sql:Server::*",
                        "reason": "Legacy SQL server pending migration to the data platform storage.",
                        "approver": "TVT Senior Information Risk Owner",
                        "expires": "2027-01-31",
                    }
                ]
            }
        },
    ),
]


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
