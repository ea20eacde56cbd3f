"""identity-no-privileged-roles: the program never grants Owner, Contributor or User Access Administrator."""

from __future__ import annotations

from tests.policies.baselines import BLOBS, OWNER_ROLE, role_id
from tests.policies.cases import Case, chain, drop_ref, rule_tests, set_input, set_prop

RULE = "identity-no-privileged-roles"
GRANT = "l1-grant-vru-analysts"
ROLE = "l1-role-reader"
NOT_A_TVT_ROLE = frozenset({"identity-role-allow-list"})

CASES = [
    Case(
        "Owner to a group",
        chain(set_prop(GRANT, "roleDefinitionId", role_id(OWNER_ROLE)), drop_ref(GRANT, "roleDefinitionId")),
        "privileged role Owner assigned to principalType 'Group'",
        GRANT,
        also=NOT_A_TVT_ROLE,
    ),
    Case(
        "custom role with a wildcard data action",
        set_prop(ROLE, "permissions.0.dataActions", [f"{BLOBS}/*"]),
        f"custom role 'TVT prod level 1 reader' has wildcard permissions {BLOBS}/*",
        ROLE,
        also=NOT_A_TVT_ROLE,
    ),
    Case(
        "custom role that can hand out access",
        set_prop(ROLE, "permissions.0.actions", ["Microsoft.Authorization/roleAssignments/write"]),
        "can change access (Microsoft.Authorization/roleAssignments/write)",
        ROLE,
        also=NOT_A_TVT_ROLE,
    ),
    Case(
        "custom role requesting '*' while its outputs show none",
        set_input(ROLE, "permissions.0.actions", ["*"]),
        "has wildcard permissions *",
        ROLE,
        also=NOT_A_TVT_ROLE,
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
