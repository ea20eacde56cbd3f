"""data-protection-prod-locks: Azure refuses to delete prod resource groups holding data or keys."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import RESOURCE_GROUP, RG_LOCK
from policies.framework import Controls, Params, RuleMeta, StackContext, StackRule
from policies.model import Violation
from policies.props import same
from policies.rules.data_protection.prod_protect import PROTECTED_TYPES

META = RuleMeta(
    id="data-protection-prod-locks",
    title="Prod resource groups holding data or keys have a CanNotDelete lock",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("2.6",), mcsb=("AM-3", "BR-2")),
    remediation=(
        "Declare a ManagementLockAtResourceGroupLevel with level CanNotDelete whose resourceGroupName is the "
        "resource group's name output."
    ),
    docs="https://learn.microsoft.com/azure/azure-resource-manager/management/lock-resources",
)


def check(context: StackContext, params: Params) -> Iterator[Violation]:
    """In prod, every resource group holding data-bearing or key-material resources has a CanNotDelete lock.

    Pulumi's protect only guards against Pulumi; the lock also stops a portal click, a script or a
    compromised pipeline from deleting the group and everything in it. Groups are found through
    resourceGroupName property dependencies, not names.
    """
    index = context.index
    if not index.is_prod:
        return
    for group in index.of_type(RESOURCE_GROUP):
        holds = [r for r in index.referrers(group, "resourceGroupName") if r.type in PROTECTED_TYPES]
        if not holds:
            continue
        locks = index.referrers(group, "resourceGroupName", RG_LOCK)
        if not any(same(lock.props.get("level"), "CanNotDelete") for lock in locks):
            names = ", ".join(sorted(r.name for r in holds))
            yield Violation(f"prod resource group holding {names} has no CanNotDelete lock", group.urn)


RULE = StackRule(META, check)
