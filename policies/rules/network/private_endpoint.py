"""network-private-endpoint: storage and vaults are reached through private endpoints of their level."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import PRIVATE_ENDPOINT, STORAGE_ACCOUNT, SUBNET, VAULT
from policies.framework import Controls, Params, RuleMeta, StackContext, StackRule, reference_violations
from policies.model import Resource, Violation
from policies.props import dig, is_unknown, items, peek, text

META = RuleMeta(
    id="network-private-endpoint",
    title="Storage accounts and key vaults have private endpoints in their own level's network",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("11", "3"), mcsb=("NS-2",), cis=("3.10", "8.7")),
    remediation=(
        "Declare a PrivateEndpoint per sub-resource (vault; blob, and dfs when isHnsEnabled) whose "
        "privateLinkServiceId is the target's id output, in a subnet of the target's own level."
    ),
    docs="https://learn.microsoft.com/azure/storage/common/storage-private-endpoints",
)

_CONNECTION_KEYS = ("privateLinkServiceConnections", "manualPrivateLinkServiceConnections")


def check(context: StackContext, params: Params) -> Iterator[Violation]:
    """Vaults and storage accounts are privateLinkServiceId targets of endpoints for each sub-resource.

    With public access disabled, a missing endpoint means an unusable service, and an endpoint for
    "blob" alone leaves an HNS account's "dfs" (Data Lake) endpoint unreachable or, worse, tempts
    someone to re-open public access. An endpoint placed in another level's subnet would let that
    level's network reach this level's data, so its subnet must resolve to the same level.
    """
    yield from reference_violations(context, META.id)
    index = context.index
    groups: dict[str, set[str]] = defaultdict(set)
    for endpoint in index.of_type(PRIVATE_ENDPOINT):
        ids = {
            text(group).casefold()
            for key in _CONNECTION_KEYS
            for connection in items(endpoint.props.get(key))
            for group in items(dig(connection, "groupIds"))
        }
        subnet_levels = {index.level(s) for s in index.targets(endpoint, "subnet", SUBNET)}
        for key in _CONNECTION_KEYS:
            for target in index.targets(endpoint, key):
                groups[target.urn] |= ids
                target_level = index.level(target)
                if target.type in (VAULT, STORAGE_ACCOUNT) and subnet_levels != {target_level}:
                    shown = (
                        ", ".join(sorted(str(level) for level in subnet_levels)) or "no subnet in this stack"
                    )
                    yield Violation(
                        f"private endpoint '{endpoint.name}' for this level-{target_level} resource sits in "
                        f"a subnet of level {shown}",
                        target.urn,
                    )
    for target in [*index.of_type(VAULT), *index.of_type(STORAGE_ACCOUNT)]:
        missing = [g for g in _required(target) if g not in groups.get(target.urn, set())]
        if missing:
            yield Violation(
                f"no private endpoint for sub-resource(s) {', '.join(missing)} references this "
                f"{target.type} through privateLinkServiceId",
                target.urn,
            )


def _required(target: Resource) -> list[str]:
    if target.type == VAULT:
        return ["vault"]
    # Unknown counts as HNS: then a missing dfs endpoint is reported rather than assumed unneeded.
    hns = peek(target.props, "isHnsEnabled")
    return ["blob", "dfs"] if hns is True or is_unknown(hns) else ["blob"]


RULE = StackRule(META, check)
