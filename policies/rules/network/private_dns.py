"""network-private-dns: every private endpoint is registered in a private DNS zone."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import PRIVATE_DNS_ZONE_GROUP, PRIVATE_ENDPOINT, PRIVATE_ZONE
from policies.framework import Controls, Params, RuleMeta, StackContext, StackRule, reference_violations
from policies.model import Violation

META = RuleMeta(
    id="network-private-dns",
    title="Every private endpoint has a DNS zone group in a private DNS zone of this stack",
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("11",), mcsb=("NS-2",)),
    remediation=(
        "Declare a PrivateDnsZoneGroup per private endpoint (privateEndpointName from the endpoint) whose "
        "privateDnsZoneConfigs reference the matching privatelink.* PrivateZone ids."
    ),
    docs="https://learn.microsoft.com/azure/private-link/private-endpoint-dns",
)


def check(context: StackContext, params: Params) -> Iterator[Violation]:
    """Each private endpoint has a PrivateDnsZoneGroup pointing at a PrivateZone declared in this stack.

    Without the privatelink DNS record, clients resolve the service's public name; with public
    access disabled that fails, and the usual "fix" under pressure is to re-enable public access.
    """
    yield from reference_violations(context, META.id)
    index = context.index
    for endpoint in index.of_type(PRIVATE_ENDPOINT):
        groups = index.referrers(endpoint, "privateEndpointName", PRIVATE_DNS_ZONE_GROUP)
        if not groups:
            yield Violation("no PrivateDnsZoneGroup references this private endpoint", endpoint.urn)
        elif not any(index.targets(g, "privateDnsZoneConfigs", PRIVATE_ZONE) for g in groups):
            yield Violation(
                "the private endpoint's DNS zone group references no PrivateZone declared in this stack",
                endpoint.urn,
            )


RULE = StackRule(META, check)
