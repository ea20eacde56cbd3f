"""The whole stack, indexed once per ``AnalyzeStack`` so every stack rule is linear in resources.

Stack rules follow *property dependencies* (which resource a property's value came from), never
names or ARM-id string parsing: a diagnostic setting covers a vault because its ``resourceUri``
was computed from that vault, which the engine records and a typo cannot fake.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cached_property

from pulumi_policy import PolicyResource

from policies.model import Resource

LEVEL_TAG = "data-level"
ENVIRONMENT_TAG = "environment"
# Strictest last. An environment value outside this list (or none at all) counts as prod: the
# prod-only rules must never be skipped because a tag was mistyped.
ENVIRONMENTS: tuple[str, ...] = ("dev", "test", "prod")
PROD = "prod"
NON_PROD: tuple[str, ...] = ("dev", "test")


def is_prod_environment(value: str | None) -> bool:
    """Fail closed: anything but an explicit non-prod environment (untagged, mistyped) counts as prod."""
    return value not in NON_PROD


_URN_PREFIX = "urn:pulumi:"


def urn_stack(urn: str) -> str | None:
    """The stack segment of ``urn:pulumi:<stack>::<project>::<type>::<name>``, or None for a non-URN."""
    if not urn.startswith(_URN_PREFIX):
        return None
    stack, separator, _ = urn.removeprefix(_URN_PREFIX).partition("::")
    return stack if separator else None


def is_prod_resource(resource: Resource) -> bool:
    """Prod if its ``environment`` tag is not an explicit dev/test *or* its URN says stack ``prod``.

    A tag is a property anyone can edit in a pull request; the stack a resource is deployed to is
    not. So a tag can make a resource stricter (prod), never laxer: a prod stack's resources tagged
    ``dev`` still get every prod rule.
    """
    return is_prod_environment(resource.tag(ENVIRONMENT_TAG)) or urn_stack(resource.urn) == PROD


# When a resource is not tagged, its level is that of the nearest tagged resource its properties
# reference. At equal distance these keys win, in this order: they name what the resource *is
# about* (the scope of a role assignment, the target of a diagnostic setting), whereas e.g.
# ``workspaceId`` merely names where its logs go.
_LEVEL_KEYS: tuple[str, ...] = (
    "scope",
    "resourceUri",
    "accountName",
    "vaultName",
    "privateEndpointName",
    "privateZoneName",
    "virtualNetworkName",
    "resourceGroupName",
)


def _key_rank(key: str) -> tuple[int, str]:
    return (_LEVEL_KEYS.index(key), "") if key in _LEVEL_KEYS else (len(_LEVEL_KEYS), key)


class StackIndex:
    """URN -> resource, type -> resources, and who references whom through which property."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self._by_urn: dict[str, Resource] = {}
        self._by_type: dict[str, list[Resource]] = defaultdict(list)
        for resource in resources:
            self._by_urn[resource.urn] = resource
            self._by_type[resource.type].append(resource)
        self._referrers: dict[str, list[tuple[str, Resource]]] = defaultdict(list)
        for resource in self._by_urn.values():
            for key, urns in resource.property_dependencies.items():
                for urn in urns:
                    if urn in self._by_urn:
                        self._referrers[urn].append((key, resource))
        # urn -> (distance, key rank, level) of the nearest tagged resource, or None
        self._levels: dict[str, tuple[int, tuple[int, str], str] | None] = {}

    @classmethod
    def from_policy_resources(cls, resources: Sequence[PolicyResource]) -> StackIndex:
        return cls(Resource.from_policy_resource(r) for r in resources)

    @property
    def resources(self) -> Sequence[Resource]:
        return list(self._by_urn.values())

    def get(self, urn: str) -> Resource | None:
        return self._by_urn.get(urn)

    def of_type(self, type_: str) -> Sequence[Resource]:
        return self._by_type.get(type_, [])

    def targets(self, resource: Resource, key: str, type_: str | None = None) -> list[Resource]:
        """The resources ``resource.<key>`` was computed from (optionally only those of ``type_``)."""
        found = (self._by_urn.get(urn) for urn in resource.property_dependencies.get(key, ()))
        return [r for r in found if r is not None and (type_ is None or r.type == type_)]

    def referrers(self, target: Resource, key: str | None = None, type_: str | None = None) -> list[Resource]:
        """The resources whose property ``key`` (any property when None) references ``target``."""
        return [
            r
            for k, r in self._referrers.get(target.urn, [])
            if (key is None or k == key) and (type_ is None or r.type == type_)
        ]

    def level(self, resource: Resource) -> str | None:
        """``data-level`` of the resource, else of the nearest tagged resource its properties reference.

        Memoised and resolved depth-first without recursion (reference chains can be long), so
        resolving every resource is linear in resources plus references. None means no reference
        chain reaches a tagged resource.
        """
        self._resolve(resource.urn)
        found = self._levels.get(resource.urn)
        return found[2] if found is not None else None

    def _resolve(self, start: str) -> None:
        pending: list[tuple[str, bool]] = [(start, False)]
        visiting: set[str] = set()
        while pending:
            urn, expanded = pending.pop()
            if urn in self._levels or urn not in self._by_urn:
                continue
            resource = self._by_urn[urn]
            own = resource.tag(LEVEL_TAG)
            if own:
                self._levels[urn] = (0, (0, ""), own)
            elif not expanded:
                visiting.add(urn)
                pending.append((urn, True))
                pending.extend(
                    (dep, False)
                    for urns in resource.property_dependencies.values()
                    for dep in urns
                    if dep not in self._levels and dep not in visiting  # a cycle cannot lead anywhere new
                )
            else:
                best: tuple[int, tuple[int, str], str] | None = None
                for key in sorted(resource.property_dependencies, key=_key_rank):
                    for dep in resource.property_dependencies[key]:
                        sub = self._levels.get(dep)
                        if sub is not None:
                            candidate = (sub[0] + 1, _key_rank(key), sub[2])
                            if best is None or candidate[:2] < best[:2]:
                                best = candidate
                self._levels[urn] = best
                visiting.discard(urn)

    @cached_property
    def environment(self) -> str:
        """The stack's environment: the strictest of the resources' ``environment`` tags and URN stacks.

        Prod when any resource's URN names stack ``prod`` (whatever the tags say), when any tag says
        prod, or when no resource carries a valid tag (untagged, mistyped): the prod-only rules are
        never skipped because of a tag.
        """
        if any(urn_stack(urn) == PROD for urn in self._by_urn):
            return PROD
        seen = {r.tag(ENVIRONMENT_TAG) for r in self._by_urn.values()} - {None}
        if not seen or any(env not in ENVIRONMENTS for env in seen):
            return PROD
        return max(seen, key=lambda env: ENVIRONMENTS.index(env or PROD)) or PROD

    @property
    def is_prod(self) -> bool:
        return self.environment == PROD
