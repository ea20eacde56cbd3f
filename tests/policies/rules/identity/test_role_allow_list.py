"""identity-role-allow-list: only the data roles the platform is designed around are ever assigned."""

from __future__ import annotations

from tests.policies.baselines import role_id
from tests.policies.cases import Case, rule_tests, set_prop

RULE = "identity-role-allow-list"


READER_ROLE = "acdd72a7-3385-48ef-bd42-f606fba81ae7"  # built-in Reader: valid, but not a data role we allow


CASES = [
    Case(
        "Reader role",
        set_prop("l1-grant-vru-analysts", "roleDefinitionId", role_id(READER_ROLE)),
        f"({READER_ROLE}) is not in the allow-list",
        "l1-grant-vru-analysts",
    ),
    Case(
        "role name instead of id",
        set_prop("l1-grant-vru-analysts", "roleDefinitionId", "Storage Blob Data Reader"),
        "is not a role definition id",
        "l1-grant-vru-analysts",
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
