"""residency-geo-redundancy-uk: storage replicates to the UK paired region, never readable there."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import STORAGE_ACCOUNT
from policies.framework import Controls, Params, ResourceRule, RuleMeta
from policies.model import Resource
from policies.props import describe, dig, same

META = RuleMeta(
    id="residency-geo-redundancy-uk",
    title="Storage uses GRS or GZRS (not read-access) redundancy",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("2.1", "2.6"), mcsb=("BR-1",)),
    remediation="Use sku.name Standard_GZRS (uksouth) or Standard_GRS (ukwest); not RA-, LRS or ZRS.",
    docs="https://learn.microsoft.com/azure/storage/common/storage-redundancy",
)

# The whole sku name: only the Standard tier offers geo-redundancy, and nothing else may ride along.
GEO_REDUNDANT = ("Standard_GRS", "Standard_GZRS")


def check(resource: Resource, params: Params) -> Iterator[str]:
    """sku.name is in the GRS/GZRS family and not an RA- (read-access secondary) variant.

    Geo-redundancy survives the loss of a region, and from a UK region the paired region is the
    other UK region, so the copy stays in the UK. Read-access variants publish a second,
    '-secondary' endpoint that the private endpoints and DNS here do not cover.
    """
    value = dig(resource.props, "sku", "name")
    if not any(same(value, sku) for sku in GEO_REDUNDANT):
        yield f"sku.name is {describe(value)}; expected a GRS or GZRS sku (not RA-GRS/RA-GZRS, LRS or ZRS)"


RULE = ResourceRule(META, check, types=frozenset({STORAGE_ACCOUNT}))
