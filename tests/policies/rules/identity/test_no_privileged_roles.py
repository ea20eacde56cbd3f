"""identity-no-privileged-roles: the program never grants Owner, Contributor or User Access Administrator."""

from __future__ import annotations

import pytest

from tests.policies.baselines import OWNER_ROLE, role_id
from tests.policies.cases import Case, assert_baseline_passes, assert_case_trips, set_prop
from tests.policies.harness import Hit

RULE = "identity-no-privileged-roles"

CASES = [
    Case(
        "Owner to a group",
        set_prop("l1-grant-vru-analysts", "roleDefinitionId", role_id(OWNER_ROLE)),
        "privileged role Owner assigned to principalType 'Group'",
        "l1-grant-vru-analysts",
        also=frozenset({"identity-role-allow-list"}),
    ),
]


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
