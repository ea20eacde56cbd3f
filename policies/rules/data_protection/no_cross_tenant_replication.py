"""data-protection-no-cross-tenant-replication: storage never replicates objects to another tenant."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import STORAGE_ACCOUNT
from policies.framework import Controls, Params, ResourceRule, RuleMeta
from policies.model import Resource
from policies.props import describe

META = RuleMeta(
    id="data-protection-no-cross-tenant-replication",
    title="Storage accounts disallow cross-tenant object replication",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("3", "2.3"), mcsb=("DP-2",), cis=("3.16",)),
    remediation="Set allowCrossTenantReplication to false.",
    docs="https://learn.microsoft.com/azure/storage/common/object-replication-prevent-cross-tenant-policies",
)


def check(resource: Resource, params: Params) -> Iterator[str]:
    """allowCrossTenantReplication is explicitly false.

    Object replication copies every new blob to an account that may sit in another organisation's
    tenant, outside our keys, logs and residency controls: a bulk exfiltration path needing only
    one replication policy.
    """
    value = resource.props.get("allowCrossTenantReplication")
    if value is not False:
        yield f"allowCrossTenantReplication is {describe(value)}; expected false"


RULE = ResourceRule(META, check, types=frozenset({STORAGE_ACCOUNT}))
