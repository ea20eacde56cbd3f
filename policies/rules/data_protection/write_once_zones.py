"""data-protection-write-once-zones: level 3's raw zone is write-once (WORM) for its retention period."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import BLOB_CONTAINER, IMMUTABILITY_POLICY, STORAGE_ACCOUNT
from policies.framework import Controls, Param, Params, RuleMeta, StackContext, StackRule, Stricter
from policies.model import Resource, Violation
from policies.props import describe, number
from policies.stack_index import StackIndex

META = RuleMeta(
    id="data-protection-write-once-zones",
    title="Level 3's raw zone is write-once: a time-based retention policy on its container",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("2.6", "13"), mcsb=("DP-8", "BR-2")),
    remediation=(
        "Declare a BlobContainerImmutabilityPolicy on the level-3 raw container (same account, "
        "containerName raw) with immutabilityPeriodSinceCreationInDays >= minimumRetentionDaysProd in "
        "prod (minimumRetentionDays in dev and test) and allowProtectedAppendWrites and "
        "allowProtectedAppendWritesAll not true."
    ),
    docs="https://learn.microsoft.com/azure/storage/blobs/immutable-time-based-retention-policy-overview",
    params=(
        Param(
            "minimumRetentionDaysProd",
            {"type": "integer", "minimum": 1, "maximum": 146000, "default": 365, "description": "days, prod"},
            stricter=Stricter.HIGHER,
        ),
        Param(
            "minimumRetentionDays",
            {
                "type": "integer",
                "minimum": 1,
                "maximum": 146000,
                "default": 1,
                "description": "days, dev/test",
            },
            stricter=Stricter.HIGHER,
        ),
    ),
)

# CONTEXT.md: level 3's raw is the immutable copy of what landed.
WRITE_ONCE = {"3": ("raw",)}
_APPEND = ("allowProtectedAppendWrites", "allowProtectedAppendWritesAll")


def check(context: StackContext, params: Params) -> Iterator[Violation]:
    """Each write-once container has a retention policy of at least the minimum days, append closed.

    Partner data that landed is evidence of what each partner shared: a grant that may write to
    the level must not be able to rewrite or delete the copy kept in raw. Azure creates the policy
    unlocked, so until an owner locks it (README) someone with control-plane rights on the account
    can still remove it; a plan cannot show the lock state, so this rule cannot require it.
    A time-based retention policy lets blobs be added and read, never changed or
    deleted until the period after each was written ends; appending to an append blob would
    change one, so neither append exception may be on.
    """
    index = context.index
    minimum = float(params["minimumRetentionDaysProd" if index.is_prod else "minimumRetentionDays"])
    for container in index.of_type(BLOB_CONTAINER):
        name = container.props.get("containerName")
        if not isinstance(name, str) or name not in WRITE_ONCE.get(index.level(container) or "", ()):
            continue
        policies = _policies(index, container, name)
        if not policies:
            yield Violation(
                f"level {index.level(container)} zone {name}: no BlobContainerImmutabilityPolicy on this "
                "container, so its blobs can be overwritten or deleted",
                container.urn,
            )
        for policy in policies:
            for problem in _problems(policy, minimum, index.is_prod):
                yield Violation(f"zone {name}: {problem}", container.urn)


def _policies(index: StackIndex, container: Resource, name: str) -> list[Resource]:
    """The retention policies on ``container``: the same account (by reference) and container name."""
    accounts = {a.urn for a in index.targets(container, "accountName", STORAGE_ACCOUNT)}
    return [
        policy
        for policy in index.of_type(IMMUTABILITY_POLICY)
        if policy.props.get("containerName") == name
        and accounts & {a.urn for a in index.targets(policy, "accountName", STORAGE_ACCOUNT)}
    ]


def _problems(policy: Resource, minimum: float, prod: bool) -> Iterator[str]:
    days = policy.props.get("immutabilityPeriodSinceCreationInDays")
    value = number(days)
    if value is None or value < minimum:
        yield (
            f"immutabilityPeriodSinceCreationInDays is {describe(days)}; expected at least "
            f"{int(minimum)}{' in prod' if prod else ''}"
        )
    for key in _APPEND:
        if policy.props.get(key) is True:
            yield f"{key} is true; expected false or absent (appending changes what landed)"


RULE = StackRule(META, check)
