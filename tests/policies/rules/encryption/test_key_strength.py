"""encryption-key-strength: keys are strong, HSM-backed where required, rotated and expiring."""

from __future__ import annotations

import pytest

from policies.rules.encryption.key_strength import days
from tests.policies.cases import (
    Case,
    Variant,
    chain,
    rule_tests,
    set_input,
    set_prop,
    variant_tests,
)

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
        "level-3 key relabelled level 2 and taken out of the HSM",
        chain(set_prop("l3-key", "tags.data-level", "2"), set_prop("l3-key", "properties.kty", "RSA")),
        "key of data level 3 is not HSM-backed",
        "l3-key",
        also=frozenset({"data-protection-level-boundary"}),
    ),
    Case(
        "RSA-2048 requested while the outputs still show 3072",
        set_input("l1-key", "properties.keySize", 2048),
        "keySize is 2048; expected at least 3072",
        "l1-key",
    ),
    Case(
        "no automatic rotation",
        set_prop("l1-key", "properties.rotationPolicy.lifetimeActions.0.action.type", "notify"),
        "no lifetimeAction of type rotate",
        "l1-key",
    ),
    Case(
        "rotated versions never expire",
        set_prop("l1-key", "properties.rotationPolicy.attributes.expiryTime"),
        "expiryTime is not a duration like P13M",
        "l1-key",
    ),
    Case(
        "key material exportable",
        set_prop("l3-key", "properties.attributes.exportable", True),
        "properties.attributes.exportable is set; keys must never leave the vault",
        "l3-key",
    ),
    Case(
        "the first version never expires",
        set_prop("l3-key", "properties.attributes.expires"),
        "properties.attributes.expires is not set; the key's first version must expire",
        "l3-key",
    ),
    Case(
        "rotation timed after creation, which a fixed first expiry can beat",
        set_prop("l2-key", "properties.rotationPolicy.lifetimeActions.0.trigger", {"timeAfterCreate": "P1Y"}),
        "rotation is timed after creation; time it before expiry",
        "l2-key",
    ),
    Case(
        "rotation after the version has expired",
        set_prop("l2-key", "properties.rotationPolicy.lifetimeActions.0.trigger", {"timeAfterCreate": "P2Y"}),
        "rotation 730 days after creation comes after expiry (390 days)",
        "l2-key",
    ),
    Case(
        "rotation window longer than a version's life",
        set_prop(
            "l1-key", "properties.rotationPolicy.lifetimeActions.0.trigger", {"timeBeforeExpiry": "P14M"}
        ),
        "rotation 420 days before expiry is longer than a version's whole life (390 days)",
        "l1-key",
    ),
]

PROPS = "properties"
ROTATE = f"{PROPS}.rotationPolicy.lifetimeActions.0.trigger"
EC_KEY = chain(
    set_prop("l3-key", f"{PROPS}.kty", "EC-HSM"),
    set_prop("l3-key", f"{PROPS}.keySize"),
    set_prop("l3-key", f"{PROPS}.curveName", "P-384"),
)
CASES += [
    Case(
        "an elliptic-curve key on a weak curve",
        chain(EC_KEY, set_prop("l3-key", f"{PROPS}.curveName", "P-256")),
        "properties.curveName is 'P-256'; expected one of P-384, P-521",
        "l3-key",
        also=frozenset({"encryption-cmk-same-level"}),
    ),
    Case(
        "a symmetric key type",
        set_prop("l1-key", f"{PROPS}.kty", "oct"),
        "properties.kty is 'oct'; expected one of RSA, RSA-HSM, EC, EC-HSM",
        "l1-key",
        also=frozenset({"azure-api-conformance"}),
    ),
    Case(
        "a first version expiring at the epoch",
        set_prop("l1-key", f"{PROPS}.attributes.expires", 0),
        "properties.attributes.expires is not set",
        "l1-key",
    ),
    Case(
        "rotation after creation exactly at expiry",
        chain(
            set_prop("l1-key", f"{ROTATE}.timeBeforeExpiry"),
            set_prop("l1-key", f"{ROTATE}.timeAfterCreate", "P13M"),
        ),
        "rotation 390 days after creation comes after expiry (390 days)",
        "l1-key",
    ),
    Case(
        "rotation before expiry as long as a version's life",
        set_prop("l1-key", f"{ROTATE}.timeBeforeExpiry", "P1Y25D"),
        "rotation 390 days before expiry is longer than a version's whole life (390 days)",
        "l1-key",
    ),
]
VARIANTS = [
    Variant("a level-3 elliptic-curve key in an HSM on P-384", EC_KEY),
    # The boundary of "not set" (0, the SDK's empty value, or less): any later instant is an expiry.
    Variant(
        "the first version's expiry one second after the epoch",
        set_prop("l1-key", f"{PROPS}.attributes.expires", 1),
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
test_compliant_variant = variant_tests(RULE, VARIANTS)


@pytest.mark.parametrize(
    ("duration", "expected"),
    [("P13M", 390), ("P1Y", 365), ("P60D", 60), ("P1Y2M3D", 428), ("P", None), ("13M", None), ("", None)],
)
def test_durations_are_read_in_days(duration: str, expected: int | None) -> None:
    assert days(duration) == expected
