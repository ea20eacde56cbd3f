"""encryption-tls: storage accepts only HTTPS with TLS 1.2 or later."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import STORAGE_ACCOUNT
from policies.framework import Controls, Params, ResourceRule, RuleMeta
from policies.model import Resource
from policies.props import describe

META = RuleMeta(
    id="encryption-tls",
    title="Storage accepts HTTPS only, with TLS 1.2 or later",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("1",), mcsb=("DP-3",), cis=("3.1", "3.15")),
    remediation="Set minimumTlsVersion to storage.MinimumTlsVersion.TLS1_2 and enableHttpsTrafficOnly true.",
    docs="https://learn.microsoft.com/azure/storage/common/transport-layer-security-configure-minimum-version",
)

ACCEPTED_TLS = ("TLS1_2", "TLS1_3")


def check(resource: Resource, params: Params) -> Iterator[str]:
    """Storage accounts refuse plain HTTP and TLS below 1.2.

    Partner extracts travel to the platform over the network; older TLS versions have known
    weaknesses. The secure values must be explicit: an absent setting shows nothing in review and
    its default has changed between API versions.
    """
    tls = resource.props.get("minimumTlsVersion")
    if tls not in ACCEPTED_TLS:
        yield f"minimumTlsVersion is {describe(tls)}; expected {' or '.join(ACCEPTED_TLS)}"
    https = resource.props.get("enableHttpsTrafficOnly")
    if https is not True:
        yield f"enableHttpsTrafficOnly is {describe(https)}; expected true"


RULE = ResourceRule(META, check, types=frozenset({STORAGE_ACCOUNT}))
