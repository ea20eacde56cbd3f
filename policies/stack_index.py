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


# A resource's level: its own ``data-level`` tag; else that of the first property dependency, in
# this key order, that leads to one; else its parent's. The listed keys name what the resource *is
# about* (the scope of a role assignment, the target of a diagnostic setting), whereas e.g.
# ``workspaceId`` merely names where its logs go, so they come first; other keys follow by name.
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
# What :meth:`StackIndex.summary_level` answers for a component over several levels, or none.
MIXED = "mixed"
UNASSIGNED = "unassigned"


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
        self._levels: dict[str, str | None] = {}  # urn -> resolved level (None: none reachable)
        self._summaries: dict[str, str] = {}
        self._children: dict[str, list[str]] = defaultdict(list)

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
        """The resource's data level (see ``_LEVEL_KEYS``), or None when nothing leads to a tagged one.

        The one resolver of levels: the rules and the ``tvt`` report both ask it. Memoised and
        resolved depth-first without recursion (reference chains can be long), so resolving every
        resource is linear in resources plus references.
        """
        self._resolve(resource.urn)
        return self._levels.get(resource.urn)

    def summary_level(self, resource: Resource) -> str:
        """:meth:`level`, or for a resource with none (a component) what its children hold:
        their one level, :data:`MIXED` when they differ, :data:`UNASSIGNED` when none has one."""
        return self._summary(resource.urn)

    def _candidates(self, resource: Resource) -> list[str]:
        """Where an untagged resource's level may come from, in order of precedence."""
        found = [
            dep
            for key in sorted(resource.property_dependencies, key=_key_rank)
            for dep in resource.property_dependencies[key]
        ]
        return [*found, resource.parent] if resource.parent else found

    def _resolve(self, start: str) -> None:
        # (urn, its candidates, how many of them are resolved); a cycle cannot lead anywhere new.
        pending: list[tuple[str, list[str], int]] = []
        on_path: set[str] = set()

        def enter(urn: str) -> None:
            resource = self._by_urn.get(urn)
            own = resource.tag(LEVEL_TAG) if resource is not None else None
            if resource is None or own:
                self._levels[urn] = own
            else:
                pending.append((urn, self._candidates(resource), 0))
                on_path.add(urn)

        if start not in self._levels:
            enter(start)
        while pending:
            urn, candidates, done = pending[-1]
            if done < len(candidates):
                pending[-1] = (urn, candidates, done + 1)
                nxt = candidates[done]
                if nxt not in self._levels and nxt not in on_path:
                    enter(nxt)
                continue
            pending.pop()
            on_path.discard(urn)
            self._levels[urn] = next((lv for c in candidates if (lv := self._levels.get(c))), None)

    def _summary(self, start: str) -> str:
        if start in self._summaries:
            return self._summaries[start]
        if not self._children:
            for r in self._by_urn.values():
                if r.parent:
                    self._children[r.parent].append(r.urn)
        # Post-order over the component tree (children before their parent), without recursion.
        order: list[str] = []
        todo = [start]
        while todo:
            urn = todo.pop()
            order.append(urn)
            todo.extend(c for c in self._children.get(urn, ()) if c not in self._summaries)
        for urn in reversed(order):
            resource = self._by_urn.get(urn)
            own = self.level(resource) if resource is not None else None
            if own is None:
                below = {self._summaries[c] for c in self._children.get(urn, ())} - {UNASSIGNED}
                own = next(iter(below)) if len(below) == 1 else (MIXED if below else UNASSIGNED)
            self._summaries[urn] = own
        return self._summaries[start]

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
