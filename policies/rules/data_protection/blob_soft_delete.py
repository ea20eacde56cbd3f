"""data-protection-blob-soft-delete: deleted blobs and containers can be recovered."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import BLOB_SERVICE, STORAGE_ACCOUNT
from policies.framework import Controls, Param, Params, RuleMeta, StackContext, StackRule, Stricter
from policies.model import Resource, Violation
from policies.props import describe, dig, number

META = RuleMeta(
    id="data-protection-blob-soft-delete",
    title="Blob and container soft delete are enabled with enough retention",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("2.6",), mcsb=("BR-2",), cis=("3.11",)),
    remediation=(
        "Declare the account's BlobServiceProperties with deleteRetentionPolicy and "
        "containerDeleteRetentionPolicy enabled, days >= minimumDays (minimumDaysProd in prod)."
    ),
    docs="https://learn.microsoft.com/azure/storage/blobs/soft-delete-blob-overview",
    params=(
        Param(
            "minimumDays",
            {"type": "integer", "minimum": 1, "maximum": 365, "default": 7, "description": "days"},
            stricter=Stricter.HIGHER,
        ),
        Param(
            "minimumDaysProd",
            {"type": "integer", "minimum": 1, "maximum": 365, "default": 30, "description": "days"},
            stricter=Stricter.HIGHER,
        ),
    ),
)

POLICIES = ("deleteRetentionPolicy", "containerDeleteRetentionPolicy")


def check(context: StackContext, params: Params) -> Iterator[Violation]:
    """Each storage account's blob service enables blob and container soft delete for the minimum days.

    A mistaken or malicious delete of a partner extract must be reversible for long enough to be
    noticed; the environment is the stack's (its URNs and tags), as the blob service has no tags.
    """
    index = context.index
    minimum = float(params["minimumDaysProd" if index.is_prod else "minimumDays"])
    for account in index.of_type(STORAGE_ACCOUNT):
        services = index.referrers(account, "accountName", BLOB_SERVICE)
        if not services:
            yield Violation(
                "no BlobServiceProperties references this account, so soft delete is off", account.urn
            )
        for service in services:
            for problem in _problems(service, minimum, index.is_prod):
                yield Violation(problem, account.urn)


def _problems(service: Resource, minimum: float, prod: bool) -> Iterator[str]:
    for key in POLICIES:
        enabled = dig(service.props, key, "enabled")
        days = number(dig(service.props, key, "days"))
        if enabled is not True:
            yield f"blob service {key}.enabled is {describe(enabled)}; expected true"
        elif days is None or days < minimum:
            yield (
                f"blob service {key}.days is {describe(dig(service.props, key, 'days'))}; expected at least "
                f"{int(minimum)}{' in prod' if prod else ''}"
            )


RULE = StackRule(META, check)
