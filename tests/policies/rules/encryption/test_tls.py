"""encryption-tls: storage accepts only HTTPS with TLS 1.2 or later."""

from __future__ import annotations

import pytest

from tests.policies.cases import Case, assert_baseline_passes, assert_case_trips, set_prop
from tests.policies.harness import Hit

RULE = "encryption-tls"

CASES = [
    Case(
        "TLS 1.1 accepted",
        set_prop("l3-storage", "minimumTlsVersion", "TLS1_1"),
        "minimumTlsVersion is 'TLS1_1'",
        "l3-storage",
    ),
    Case(
        "plain HTTP accepted",
        set_prop("l1-storage", "enableHttpsTrafficOnly", False),
        "enableHttpsTrafficOnly is false",
        "l1-storage",
    ),
]


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
