"""network-no-public-blob: no anonymous read access to blobs, at account or container level."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import BLOB_CONTAINER, STORAGE_ACCOUNT
from policies.framework import Controls, Params, ResourceRule, RuleMeta
from policies.model import Resource
from policies.props import describe, same

META = RuleMeta(
    id="network-no-public-blob",
    title="Storage accounts and containers allow no anonymous blob access",
    severity=Severity.CRITICAL,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("11", "9"), mcsb=("NS-2", "DP-2"), cis=("3.17",)),
    remediation="Set allowBlobPublicAccess false on accounts and publicAccess None (or unset) on containers.",
    docs="https://learn.microsoft.com/azure/storage/blobs/anonymous-read-access-prevent",
)


def check(resource: Resource, params: Params) -> Iterator[str]:
    """allowBlobPublicAccess is false on accounts and no container grants public access.

    Anonymous access needs no identity at all, so none of the identity or audit controls would
    tell who downloaded the data.
    """
    if resource.type == STORAGE_ACCOUNT:
        value = resource.props.get("allowBlobPublicAccess")
        if value is not False:
            yield f"allowBlobPublicAccess is {describe(value)}; expected false"
    else:
        access = resource.props.get("publicAccess")
        if access is not None and not same(access, "None"):
            yield f"publicAccess is {describe(access)}; expected None"


RULE = ResourceRule(META, check, types=frozenset({STORAGE_ACCOUNT, BLOB_CONTAINER}))
