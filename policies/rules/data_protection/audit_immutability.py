"""data-protection-audit-immutability: the audit archive is write-once (WORM) for its retention period."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import (
    BLOB_SERVICE,
    DIAGNOSTIC_SETTING,
    STORAGE_ACCOUNT,
    SUBSCRIPTION_DIAGNOSTIC_SETTING,
)
from policies.framework import Controls, Param, Params, RuleMeta, StackContext, StackRule, Stricter
from policies.model import Resource, Violation
from policies.props import describe, dig, number, same
from policies.stack_index import StackIndex

META = RuleMeta(
    id="data-protection-audit-immutability",
    title="The audit archive has version-level immutability, locked in prod",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("13", "2.6"), mcsb=("LT-6", "BR-2")),
    remediation=(
        "On the archive account set immutableStorageWithVersioning.enabled true with an "
        "immutabilityPolicy of immutabilityPeriodSinceCreationInDays >= minimumImmutabilityDaysProd in prod "
        "(minimumImmutabilityDays in dev and test), "
        "allowProtectedAppendWrites true and state Locked in prod; enable blob versioning on its "
        "BlobServiceProperties."
    ),
    docs="https://learn.microsoft.com/azure/storage/blobs/immutable-storage-overview",
    params=(
        Param(
            "minimumImmutabilityDaysProd",
            {"type": "integer", "minimum": 1, "maximum": 146000, "default": 365, "description": "days, prod"},
            stricter=Stricter.HIGHER,
        ),
        Param(
            "minimumImmutabilityDays",
            {
                "type": "integer",
                "minimum": 1,
                "maximum": 146000,
                "default": 90,
                "description": "days, dev/test",
            },
            stricter=Stricter.HIGHER,
        ),
    ),
)


def check(context: StackContext, params: Params) -> Iterator[Violation]:
    """Accounts that diagnostic settings and the activity-log export write to are WORM for the minimum days.

    Audit logs are evidence: someone who misused partner data, or an attacker holding an
    administrator's credentials, must not be able to delete or rewrite them. A Locked policy
    cannot be shortened or removed, even by the subscription owner; append writes must stay
    allowed because diagnostic logs are append blobs.
    """
    index = context.index
    minimum = float(params["minimumImmutabilityDaysProd" if index.is_prod else "minimumImmutabilityDays"])
    archives: dict[str, Resource] = {}
    for type_ in (DIAGNOSTIC_SETTING, SUBSCRIPTION_DIAGNOSTIC_SETTING):
        for setting in index.of_type(type_):
            for account in index.targets(setting, "storageAccountId", STORAGE_ACCOUNT):
                archives[account.urn] = account
    for account in archives.values():
        for problem in _problems(index, account, minimum):
            yield Violation(f"audit archive: {problem}", account.urn)


def _problems(index: StackIndex, account: Resource, minimum: float) -> Iterator[str]:
    worm = account.props.get("immutableStorageWithVersioning")
    if dig(worm, "enabled") is not True:
        yield f"immutableStorageWithVersioning.enabled is {describe(dig(worm, 'enabled'))}; expected true"
        return
    policy = dig(worm, "immutabilityPolicy")
    days = dig(policy, "immutabilityPeriodSinceCreationInDays")
    found = number(days)
    if found is None or found < minimum:
        yield f"immutabilityPeriodSinceCreationInDays is {describe(days)}; expected at least {int(minimum)}"
    if dig(policy, "allowProtectedAppendWrites") is not True:
        yield "allowProtectedAppendWrites is not true, so diagnostic logs (append blobs) cannot be written"
    state = dig(policy, "state")
    expected = ("Locked",) if index.is_prod else ("Locked", "Unlocked")
    if not any(same(state, s) for s in expected):
        where = " in prod" if index.is_prod else ""
        yield f"immutabilityPolicy.state is {describe(state)}; expected {' or '.join(expected)}{where}"
    services = index.referrers(account, "accountName", BLOB_SERVICE)
    if not any(s.props.get("isVersioningEnabled") is True for s in services):
        yield "BlobServiceProperties.isVersioningEnabled is not true; version-level immutability needs it"


RULE = StackRule(META, check)
