"""identity-role-allow-list: only the data roles the platform is designed around are ever assigned."""

from __future__ import annotations

import pytest

from tests.policies.baselines import role_id
from tests.policies.cases import Case, assert_baseline_passes, assert_case_trips, set_prop
from tests.policies.harness import Hit

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


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
