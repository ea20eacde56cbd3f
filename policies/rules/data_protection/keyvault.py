"""data-protection-keyvault: a deleted vault or key can be recovered and cannot be purged early."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import VAULT
from policies.framework import Controls, Param, Params, ResourceRule, RuleMeta, Stricter
from policies.model import Resource
from policies.props import describe, dig, number
from policies.stack_index import is_prod_resource

META = RuleMeta(
    id="data-protection-keyvault",
    title="Key vaults enable purge protection and soft delete with enough retention",
    severity=Severity.CRITICAL,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("2.3", "2.6"), mcsb=("DP-8", "BR-2"), cis=("8.5",)),
    remediation=(
        "Set properties.enablePurgeProtection true, enableSoftDelete true and "
        "softDeleteRetentionInDays to at least 90 in prod (7 elsewhere)."
    ),
    docs="https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview",
    params=(
        Param(
            "minimumRetentionDaysProd",
            {"type": "integer", "minimum": 7, "maximum": 90, "default": 90, "description": "days"},
            stricter=Stricter.HIGHER,
        ),
        Param(
            "minimumRetentionDays",
            {"type": "integer", "minimum": 7, "maximum": 90, "default": 7, "description": "days"},
            stricter=Stricter.HIGHER,
        ),
    ),
)


def check(resource: Resource, params: Params) -> Iterator[str]:
    """Purge protection and soft delete are on; softDeleteRetentionInDays is >= 90 in prod, >= 7 elsewhere.

    Deleting (or purging) a customer-managed key makes every byte it protects unreadable, for
    good. Purge protection means not even an administrator, or an attacker with their
    credentials, can make that deletion final before the retention ends. A vault not tagged
    dev or test counts as prod, and so does any vault of the prod stack (its URN), whatever its tag.
    """
    props = resource.props.get("properties")
    for key in ("enablePurgeProtection", "enableSoftDelete"):
        value = dig(props, key)
        if value is not True:
            yield f"properties.{key} is {describe(value)}; expected true"
    prod = is_prod_resource(resource)
    minimum = float(params["minimumRetentionDaysProd" if prod else "minimumRetentionDays"])
    value = dig(props, "softDeleteRetentionInDays")
    days = number(value)
    if days is None or days < minimum:
        where = " in prod" if prod else ""
        shown = describe(value)
        yield f"properties.softDeleteRetentionInDays is {shown}; expected at least {int(minimum)}{where}"


RULE = ResourceRule(META, check, types=frozenset({VAULT}))
