"""encryption-key-strength: keys are strong, HSM-backed where required, rotated and expiring."""

from __future__ import annotations

from tests.policies.cases import Case, rule_tests, set_prop

RULE = "encryption-key-strength"

CASES = [
    Case(
        "RSA-2048",
        set_prop("l1-key", "properties.keySize", 2048),
        "keySize is 2048; expected at least 3072",
        "l1-key",
    ),
    Case(
        "level-3 key not in an HSM",
        set_prop("l3-key", "properties.kty", "RSA"),
        "key of data level 3 is not HSM-backed",
        "l3-key",
    ),
    Case(
        "no automatic rotation",
        set_prop("l1-key", "properties.rotationPolicy.lifetimeActions.0.action.type", "notify"),
        "no lifetimeAction of type rotate",
        "l1-key",
    ),
    Case(
        "no expiry",
        set_prop("l1-key", "properties.rotationPolicy.attributes.expiryTime"),
        "expiryTime is not set",
        "l1-key",
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
