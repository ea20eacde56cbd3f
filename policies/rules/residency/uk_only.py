"""residency-uk-only: every regional resource is in a UK region; "global" only where the type is global."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import RESOURCE_GROUP, Geography, classify
from policies.framework import Controls, Param, Params, RuleMeta, StackContext, StackRule, Stricter
from policies.model import UNVERIFIABLE_PREFIX, Resource, Violation
from policies.props import describe, is_unknown, peek, text
from policies.stack_index import StackIndex

META = RuleMeta(
    id="residency-uk-only",
    title="Resources are located in UK regions only",
    severity=Severity.CRITICAL,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("2.1",)),
    remediation=(
        "Set location to uksouth or ukwest (regional types, or their resource group), 'global' only "
        "for global-only types (private DNS, private link scopes), and keep the provider's default location "
        "in the UK."
    ),
    docs="https://learn.microsoft.com/azure/reliability/cross-region-replication-azure",
    params=(
        Param(
            "allowedLocations",
            {
                "type": "array",
                "items": {"type": "string", "enum": ["uksouth", "ukwest"]},
                "minItems": 1,
                "default": ["uksouth", "ukwest"],
                "description": "regions resources may be placed in",
            },
            stricter=Stricter.FEWER,
        ),
    ),
)


def normalise(location: Any) -> str:
    """ARM accepts 'UK South' and 'uksouth' alike; compare the canonical form."""
    return text(location).replace(" ", "").casefold()


def check(context: StackContext, params: Params) -> Iterator[Violation]:
    """location is uksouth/ukwest (set, or from the resource group); 'global' only for global-only types.

    Partner data includes law-enforcement and health records that partners may only share on
    the basis that it stays in the UK. A resource without a location of its own lands in its
    resource group's region (azure-native's default), so that is what is checked then; if neither
    is known, the resource fails closed.
    """
    allowed = {normalise(loc) for loc in params["allowedLocations"]}
    index = context.index
    for resource in index.resources:
        info = classify(resource.type)
        if info is None:
            continue  # encryption-unclassified-type already blocks it
        raw = peek(resource.props, "location")
        if is_unknown(raw):
            yield from _computed(
                index, resource, {"global"} if info.geography is Geography.GLOBAL else allowed
            )
            continue
        location = normalise(raw)
        if info.geography is Geography.GLOBAL:
            if location not in ("", "global"):
                yield Violation(
                    f"location is {describe(resource.props.get('location'))}; expected global", resource.urn
                )
        elif info.geography is Geography.REGIONAL:
            yield from _regional(index, resource, location, allowed)
        elif location and location not in allowed:
            # Types without a placement of their own, notably providers: a default location outside
            # the UK would place every resource that omits one there.
            yield Violation(
                f"location is {describe(resource.props.get('location'))}; expected one of {_shown(allowed)}",
                resource.urn,
            )


def _regional(index: StackIndex, resource: Resource, location: str, allowed: set[str]) -> Iterator[Violation]:
    if location:
        if location not in allowed:
            yield Violation(
                f"location is {describe(resource.props.get('location'))}; expected one of {_shown(allowed)}",
                resource.urn,
            )
        return
    groups = index.targets(resource, "resourceGroupName", RESOURCE_GROUP)
    inherited = {normalise(g.props.get("location")) for g in groups}
    if not groups or not inherited <= allowed:
        yield Violation(
            "no location set and its resource group's location is not a UK region declared in this stack",
            resource.urn,
        )


def _computed(index: StackIndex, resource: Resource, allowed: set[str]) -> Iterator[Violation]:
    """A location unknown during preview (``location=rg.location``): judged by what it was computed from."""
    sources = index.targets(resource, "location")
    found = {normalise(peek(s.props, "location")) for s in sources}
    if not sources or not found <= allowed:
        yield Violation(
            f"{UNVERIFIABLE_PREFIX}location is unknown and not computed from resources of this stack "
            f"located in {_shown(allowed)}",
            resource.urn,
        )


def _shown(allowed: set[str]) -> str:
    return ", ".join(sorted(allowed))


RULE = StackRule(META, check)
