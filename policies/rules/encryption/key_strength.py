"""encryption-key-strength: keys are strong, HSM-backed where required, rotated and expiring."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import KEY
from policies.framework import Controls, Param, Params, RuleMeta, StackContext, StackRule, Stricter
from policies.model import Resource, Violation
from policies.props import describe, dig, items, number, same, text

META = RuleMeta(
    id="encryption-key-strength",
    title="Key Vault keys are strong, HSM-backed at high levels, rotated automatically and expire",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("2.3",), mcsb=("DP-6",), cis=("8.1", "8.8")),
    remediation=(
        "Use kty RSA-HSM (premium vault) at level 3 and for shared audit keys, RSA otherwise, keySize "
        ">= 3072, attributes.expires for the first version, and a rotationPolicy with "
        "attributes.expiryTime and a rotate lifetimeAction timed before expiry (timeBeforeExpiry)."
    ),
    docs="https://learn.microsoft.com/azure/key-vault/keys/how-to-configure-key-rotation",
    params=(
        Param(
            "minimumRsaKeySize",
            {"type": "integer", "minimum": 2048, "default": 3072, "description": "bits"},
            stricter=Stricter.HIGHER,
        ),
        Param(
            "hsmLevels",
            {
                "type": "array",
                "items": {"type": "string", "enum": ["1", "2", "3", "shared"]},
                "default": ["3", "shared"],
                "description": "data levels whose keys must be HSM-backed",
            },
            stricter=Stricter.MORE,
        ),
    ),
)

RSA_TYPES = ("RSA", "RSA-HSM")
EC_TYPES = ("EC", "EC-HSM")
STRONG_CURVES = ("P-384", "P-521")


def check(context: StackContext, params: Params) -> Iterator[Violation]:
    """Keys are RSA >= 3072 bits (or EC P-384/P-521), HSM-backed at level 3, auto-rotated and given an expiry.

    NCSC and NIST guidance puts RSA-2048 at the end of its life for data kept for years; level-3
    data is identifiable and special-category, so its keys never leave an HSM. Rotation with an
    expiry bounds how much data one key protects and how long a leaked key stays useful. A key's
    level is its structure's (the level it is declared and placed in), never its editable tag.
    """
    index = context.index
    for key in index.of_type(KEY):
        for message in _problems(key, index.level(key), params):
            yield Violation(message, key.urn)


def _problems(resource: Resource, level: str | None, params: Params) -> Iterator[str]:
    props = resource.props.get("properties")
    kty = text(dig(props, "kty"))
    if kty in RSA_TYPES:
        size = number(dig(props, "keySize"))
        minimum = float(params["minimumRsaKeySize"])
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
    # A key whose structure gives no level is not assumed to be low: it needs the HSM.
    if (level is None or level in params["hsmLevels"]) and not kty.endswith("-HSM"):
        shown = level or "<none from structure>"
        yield f"key of data level {shown} is not HSM-backed (kty {describe(kty or None)}); expected RSA-HSM"
    # Key material that can leave the vault is no longer protected by its HSM or its RBAC.
    if dig(props, "attributes", "exportable") not in (None, False):
        yield "properties.attributes.exportable is set; keys must never leave the vault"
    yield from _expiry_and_rotation(props)


def _expiry_and_rotation(props: object) -> Iterator[str]:
    """The first version expires, every later one too, and rotation comes before each expiry.

    Key Vault gives a key's first version only the expiry set when the key is created
    (``attributes.expires``); the rotation policy's ``expiryTime`` applies to versions rotation makes.
    """
    expires = number(dig(props, "attributes", "expires"))
    if expires is None or expires <= 0:
        yield "properties.attributes.expires is not set; the key's first version must expire"
    policy = dig(props, "rotationPolicy")
    lifetime = days(text(dig(policy, "attributes", "expiryTime")))
    if lifetime is None:
        yield "properties.rotationPolicy.attributes.expiryTime is not a duration like P13M; keys must expire"
    rotate = [a for a in items(dig(policy, "lifetimeActions")) if same(dig(a, "action", "type"), "rotate")]
    if not rotate:
        yield "properties.rotationPolicy has no lifetimeAction of type rotate; keys must rotate automatically"
        return
    for action in rotate:
        after, before = (
            days(text(dig(action, "trigger", k))) for k in ("timeAfterCreate", "timeBeforeExpiry")
        )
        if after is None and before is None:
            yield "the rotate lifetimeAction has no trigger (timeAfterCreate or timeBeforeExpiry)"
        elif after is not None and lifetime is not None and after >= lifetime:
            yield (
                f"rotation {after} days after creation comes after expiry ({lifetime} days): a version would "
                "expire before it is replaced"
            )
        elif after is not None:
            # The first version's expiry is a fixed date: only a trigger relative to expiry is sure to
            # fire before it, whenever the key was created.
            yield (
                "rotation is timed after creation; time it before expiry (timeBeforeExpiry) so it "
                "precedes the first version's fixed expiry"
            )
        elif before is not None and lifetime is not None and before >= lifetime:
            yield (
                f"rotation {before} days before expiry is longer than a version's whole life "
                f"({lifetime} days)"
            )


_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$")


def days(value: str) -> int | None:
    """An ISO 8601 date duration (``P1Y``, ``P13M``, ``P60D``) in days (a month as 30), or None."""
    match = _DURATION.match(value)
    if match is None or not any(match.groups()):
        return None
    years, months, days_ = (int(g or 0) for g in match.groups())
    return years * 365 + months * 30 + days_


RULE = StackRule(META, check)
