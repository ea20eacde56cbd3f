"""identity-no-privileged-roles: the program never grants Owner, Contributor or User Access Administrator."""

from __future__ import annotations

from tests.policies.baselines import OWNER_ROLE, role_id
from tests.policies.cases import Case, rule_tests, set_prop

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


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
