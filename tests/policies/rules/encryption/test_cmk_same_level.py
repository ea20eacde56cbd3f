"""encryption-cmk-same-level: data at rest is encrypted with a customer-managed key of its own level."""

from __future__ import annotations

import pytest

from tests.policies.cases import (
    Case,
    assert_baseline_passes,
    assert_case_trips,
    drop_ref,
    point_ref,
    set_prop,
)
from tests.policies.harness import Hit

RULE = "encryption-cmk-same-level"

CASES = [
    Case(
        "storage with Microsoft-managed keys",
        set_prop("l3-storage", "encryption.keySource", "Microsoft.Storage"),
        "Microsoft-managed keys",
        "l3-storage",
    ),
    Case(
        "level-3 storage keyed by the level-1 vault",
        point_ref("l3-storage", "encryption", "l1-vault", "l1-key", "l3-identity"),
        "level-3 storage account is encrypted with Vault 'l1-vault' of level 1",
        "l3-storage",
    ),
    Case(
        "key reference not a property dependency",
        drop_ref("l3-storage", "encryption"),
        "does not reference a Key and Key Vault declared in this stack",
        "l3-storage",
    ),
]


def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
    assert_baseline_passes(RULE, baseline_findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
    assert_case_trips(RULE, case, baseline_findings)
