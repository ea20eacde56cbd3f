"""identity-role-assignment-groups: people get access through groups; only our identity gets the CMK role."""

from __future__ import annotations

from tests.policies.baselines import role_id
from tests.policies.cases import (
    Case,
    Once,
    chain,
    computed_from,
    once_tests,
    outside,
    point_ref,
    rule_tests,
    set_prop,
)

RULE = "identity-role-assignment-groups"

CASES = [
    Case(
        "grant to a user",
        set_prop("l3-grant-tvp-analysts", "principalType", "User"),
        "principalType is 'User'; expected Group",
        "l3-grant-tvp-analysts",
    ),
    Case(
        "service principal not ours",
        outside("l3-key-access", "principalId", "principalId", "5e6f7a8b-9c0d-4e5f-8a6b-7c8d9e0f1a2b"),
        "principalId is not a UserAssignedIdentity declared in this stack",
        "l3-key-access",
        also=frozenset({"identity-cmk-grant-scope"}),
    ),
    Case(
        "our identity with a data role",
        set_prop("l3-key-access", "roleDefinitionId", role_id("2a2b9908-6ea1-4ae2-8e65-a410df84e7d1")),
        "role Storage Blob Data Reader is not the crypto service encryption role",
        "l3-key-access",
        also=frozenset({"identity-role-allow-list"}),
    ),
]

CASES += [
    Case(
        "a key grant's principal id naming nothing, with a dependency only on a vault",
        chain(
            set_prop("l3-key-access", "principalId", "12345678-1234-4234-8234-123456789abc"),
            point_ref("l3-key-access", "principalId", "l1-vault"),
        ),
        "service principal assignment not allowed: principalId is not a UserAssignedIdentity declared",
        "l3-key-access",
        also=frozenset({"identity-cmk-grant-scope"}),
        known_only=True,  # unknown, its dependency on no identity is identity-grant-scope's finding
    ),
    Case(
        "a grant to a user after a key grant whose principal identity-grant-scope reports",
        chain(
            computed_from("audit-key-access", "principalId", "audit-vault"),
            set_prop("l3-grant-tvp-data-ingest-upload", "principalType", "User"),
        ),
        "principalType is 'User'; expected Group",
        "l3-grant-tvp-data-ingest-upload",
        also=frozenset({"identity-grant-scope", "identity-level3-use-case"}),
    ),
]

# What the principal id fails to name is identity-grant-scope's one finding; this rule adds nothing.
ONCE = [
    Once(
        "the key grant's principal computed from the vault, not an identity",
        computed_from("l3-key-access", "principalId", "l3-vault"),  # no identity: the vault
        "identity-grant-scope",
        "principalId is unknown and not computed from a UserAssignedIdentity of this stack",
        "l3-key-access",
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
test_reported_once = once_tests(RULE, ONCE)
