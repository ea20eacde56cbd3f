"""Which data level (``"1"``, ``"2"``, ``"3"``, ``"shared"``) each resource of a plan belongs to.

A resource's level is its own ``data-level`` tag; an untaggable resource (subnet, container, role
assignment, diagnostic setting, lock) takes the level of what its property dependencies lead to
(``resourceUri``/``scope`` first, they name the target; then ``resourceGroupName``; then the rest),
else its parent's. A component without a tag takes its children's level when they agree
(``"mixed"`` when they do not, e.g. the platform component over all levels). Everything is
memoized over one index, so the cost is linear in resources plus dependency edges, never
resources x resources.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from scripts.preview.plan import Plan, PlanResource

LEVEL_TAG = "data-level"
UNASSIGNED = "unassigned"
MIXED = "mixed"
# Target-naming keys first: a diagnostic setting's level is its target's, not the workspace's.
_PREFERRED_KEYS = ("resourceUri", "scope", "resourceGroupName")


def tag_level(resource: PlanResource) -> str | None:
    tags = resource.inputs.get("tags")
    level = tags.get(LEVEL_TAG) if isinstance(tags, Mapping) else None
    return str(level) if isinstance(level, str | int) else None


def _ordered_keys(resource: PlanResource) -> list[str]:
    rest = sorted(k for k in resource.property_dependencies if k not in _PREFERRED_KEYS)
    return [k for k in _PREFERRED_KEYS if k in resource.property_dependencies] + rest


@dataclass
class LevelIndex:
    """Resolves levels lazily with memoization; build once per plan."""

    plan: Plan

    def __post_init__(self) -> None:
        self._memo: dict[str, str | None] = {}
        self._resolved: dict[str, str] = {}
        self._children: dict[str, list[str]] = {}
        for r in self.plan.resources:
            if r.parent:
                self._children.setdefault(r.parent, []).append(r.urn)

    def _inherited(self, urn: str, visiting: set[str]) -> str | None:
        """Tag, then property dependencies, then parent; ``None`` when none leads to a level."""
        if urn in self._memo:
            return self._memo[urn]
        resource = self.plan.get(urn)
        if resource is None or urn in visiting:
            return None
        visiting.add(urn)
        level = tag_level(resource)
        for key in _ordered_keys(resource) if level is None else ():
            for dep in resource.property_dependencies[key]:
                level = self._inherited(dep, visiting)
                if level is not None:
                    break
            if level is not None:
                break
        if level is None and resource.parent:
            level = self._inherited(resource.parent, visiting)
        visiting.discard(urn)
        self._memo[urn] = level
        return level

    def level(self, urn: str) -> str:
        if urn in self._resolved:
            return self._resolved[urn]
        level = self._inherited(urn, set())
        if level is None:  # a component: what its children (recursively) hold
            children = {self.level(c) for c in self._children.get(urn, [])} - {UNASSIGNED}
            level = next(iter(children)) if len(children) == 1 else (MIXED if children else UNASSIGNED)
        self._resolved[urn] = level
        return level

    def all_levels(self) -> dict[str, str]:
        return {r.urn: self.level(r.urn) for r in self.plan.resources}
