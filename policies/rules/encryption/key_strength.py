"""encryption-key-strength: keys are strong, HSM-backed where required, rotated and expiring."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import KEY
from policies.framework import Controls, Param, Params, ResourceRule, RuleMeta
from policies.model import Resource
from policies.props import describe, dig, items, number, same, text

META = RuleMeta(
    id="encryption-key-strength",
    title="Key Vault keys are strong, HSM-backed at high levels, rotated automatically and expire",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("2.3",), mcsb=("DP-6",), cis=("8.1", "8.8")),
    remediation=(
        "Use kty RSA-HSM (premium vault) at level 3 and for shared audit keys, RSA otherwise, keySize "
        ">= 3072, and a rotationPolicy with attributes.expiryTime and a lifetimeAction of type rotate "
        "with a trigger."
    ),
    docs="https://learn.microsoft.com/azure/key-vault/keys/how-to-configure-key-rotation",
    params=(
        Param(
            "minimumRsaKeySize", {"type": "integer", "minimum": 2048, "default": 3072, "description": "bits"}
        ),
        Param(
            "hsmLevels",
            {
                "type": "array",
                "items": {"type": "string", "enum": ["1", "2", "3", "shared"]},
                "default": ["3", "shared"],
                "description": "data levels whose keys must be HSM-backed",
            },
        ),
    ),
)

RSA_TYPES = ("RSA", "RSA-HSM")
EC_TYPES = ("EC", "EC-HSM")
STRONG_CURVES = ("P-384", "P-521")


def check(resource: Resource, params: Params) -> Iterator[str]:
    """Keys are RSA >= 3072 bits (or EC P-384/P-521), HSM-backed at level 3, auto-rotated and given an expiry.

    NCSC and NIST guidance puts RSA-2048 at the end of its life for data kept for years; level-3
    data is identifiable and special-category, so its keys never leave an HSM. Rotation with an
    expiry bounds how much data one key protects and how long a leaked key stays useful.
    """
    props = resource.props.get("properties")
    kty = text(dig(props, "kty"))
    level = resource.tag("data-level")
    if kty in RSA_TYPES:
        size = number(dig(props, "keySize"))
        minimum = number(params["minimumRsaKeySize"]) or 3072.0
        if size is None or size < minimum:
            shown = describe(dig(props, "keySize"))
            yield f"properties.keySize is {shown}; expected at least {int(minimum)} bits"
    elif kty in EC_TYPES:
        curve = dig(props, "curveName")
        if curve not in STRONG_CURVES:
            yield f"properties.curveName is {describe(curve)}; expected one of {', '.join(STRONG_CURVES)}"
    else:
        expected = ", ".join(RSA_TYPES + EC_TYPES)
        yield f"properties.kty is {describe(dig(props, 'kty'))}; expected one of {expected}"
    # An untagged key's level is unknown: require the HSM rather than guess it is low.
    if (level is None or level in params["hsmLevels"]) and not kty.endswith("-HSM"):
        shown = level or "<untagged>"
        yield f"key of data level {shown} is not HSM-backed (kty {describe(kty or None)}); expected RSA-HSM"
    policy = dig(props, "rotationPolicy")
    if not text(dig(policy, "attributes", "expiryTime")):
        yield "properties.rotationPolicy.attributes.expiryTime is not set; keys must expire"
    rotate = [a for a in items(dig(policy, "lifetimeActions")) if same(dig(a, "action", "type"), "rotate")]
    if not rotate:
        yield "properties.rotationPolicy has no lifetimeAction of type rotate; keys must rotate automatically"
    elif not any(
        text(dig(a, "trigger", "timeAfterCreate")) or text(dig(a, "trigger", "timeBeforeExpiry"))
        for a in rotate
    ):
        yield "the rotate lifetimeAction has no trigger (timeAfterCreate or timeBeforeExpiry)"


RULE = ResourceRule(META, check, types=frozenset({KEY}))
