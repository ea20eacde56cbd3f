"""encryption-infrastructure: storage adds infrastructure (double) encryption."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import STORAGE_ACCOUNT
from policies.framework import Controls, Params, ResourceRule, RuleMeta
from policies.model import Resource
from policies.props import describe, dig

META = RuleMeta(
    id="encryption-infrastructure",
    title="Storage accounts enable infrastructure (double) encryption",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("2.3",), mcsb=("DP-4",), cis=("3.2",)),
    remediation="Set encryption.requireInfrastructureEncryption to true (only possible at account creation).",
    docs="https://learn.microsoft.com/azure/storage/common/infrastructure-encryption-enable",
)


def check(resource: Resource, params: Params) -> Iterator[str]:
    """Storage accounts require infrastructure encryption as a second, independent layer.

    A flaw in one encryption layer or key must not expose partner data; the setting cannot be
    turned on after creation, so it is checked before the account exists.
    """
    value = dig(resource.props, "encryption", "requireInfrastructureEncryption")
    if value is not True:
        yield f"encryption.requireInfrastructureEncryption is {describe(value)}; expected true"


RULE = ResourceRule(META, check, types=frozenset({STORAGE_ACCOUNT}))
