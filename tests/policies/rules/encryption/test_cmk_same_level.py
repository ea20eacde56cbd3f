"""encryption-cmk-same-level: data at rest is encrypted with a customer-managed key of its own level."""

from __future__ import annotations

from tests.policies.cases import (
    Case,
    drop_ref,
    point_ref,
    rule_tests,
    set_prop,
)

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


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
