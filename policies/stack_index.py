"""The whole stack, indexed once per ``AnalyzeStack`` so every stack rule is linear in resources.

Two things are resolved here and nowhere else:

- **References.** A property that names another resource (``policies/references.py``) is resolved
  from its property dependency *and* its value: the dependency decides while the value is unknown
  (a first preview), the value decides when there is no dependency (compared with the ids, URIs
  and names the plan holds), and when both are present they must agree. :meth:`StackIndex.targets`
  answers only what agrees; :meth:`StackIndex.reference_problems` says what did not.
- **Data levels.** A resource's level comes from structure: the scope component it is declared in
  (``tvt:level:DataLevel`` ``l<n>``, or the shared ``tvt:audit:AuditServices``) and the resource
  group it is placed in. Its ``data-level`` tag is a label anyone can edit, so it never decides;
  :meth:`StackIndex.level_problems` reports a tag that disagrees with the structure.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pulumi_policy import PolicyResource

from policies.arm import parse_arm_id, parse_guid, parse_vault_uri, vault_uri_of
from policies.catalog import RESOURCE_GROUP, STORAGE_ACCOUNT, VAULT, VIRTUAL_NETWORK, DataClass, classify
from policies.model import UNVERIFIABLE_PREFIX, Resource
from policies.props import UNKNOWN, describe, is_unknown, items, peek, text
from policies.references import EACH, Kind, Reference, references

LEVEL_TAG = "data-level"
ENVIRONMENT_TAG = "environment"
# Strictest last. An environment value outside this list (or none at all) counts as prod: the
# prod-only rules must never be skipped because a tag was mistyped.
ENVIRONMENTS: tuple[str, ...] = ("dev", "test", "prod")
PROD = "prod"
NON_PROD: tuple[str, ...] = ("dev", "test")
SHARED = "shared"
LEVEL_COMPONENT = "tvt:level:DataLevel"
AUDIT_COMPONENT = "tvt:audit:AuditServices"
_LEVEL_NAME = re.compile(r"^l([123])$")


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


def scope_level(resource: Resource) -> str | None:
    """The level a scope component stands for (``l3`` -> "3", the audit services -> "shared"), else None."""
    if resource.type == LEVEL_COMPONENT:
        match = _LEVEL_NAME.match(resource.name)
        return match[1] if match else None
    return SHARED if resource.type == AUDIT_COMPONENT else None


def is_scope_component(resource: Resource) -> bool:
    return resource.type in (LEVEL_COMPONENT, AUDIT_COMPONENT)


# A resource outside every scope component takes the level of what it is *about* (the scope of a
# role assignment, the target of a diagnostic setting) before that of where it merely points (a
# workspace it logs to), in this key order; other keys follow by name, then its parent.
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
# Where a resource is placed, besides the component that declares it: all must be of its level.
_PLACEMENT_KEYS: dict[str, tuple[str, str]] = {
    "resourceGroupName": (RESOURCE_GROUP, "a resource group"),
    "accountName": (STORAGE_ACCOUNT, "a storage account"),
    "vaultName": (VAULT, "a key vault"),
    "virtualNetworkName": (VIRTUAL_NETWORK, "a virtual network"),
}
# What :meth:`StackIndex.summary_level` answers for a component over several levels, or none.
MIXED = "mixed"
UNASSIGNED = "unassigned"


def _key_rank(key: str) -> tuple[int, str]:
    return (_LEVEL_KEYS.index(key), "") if key in _LEVEL_KEYS else (len(_LEVEL_KEYS), key)


def values_at(props: Any, reference: Reference) -> list[Any]:
    """The values at ``reference``'s path (one per list element under ``*``); UNKNOWN where unknown."""
    found: list[Any] = [peek(props, reference.key)]
    for step in reference.path:
        nxt: list[Any] = []
        for value in found:
            if is_unknown(value):
                nxt.append(UNKNOWN)
            elif step == EACH:
                nxt += items(value)
            else:
                nxt.append(peek(value, step))
        found = nxt
    return [v for v in found if is_unknown(v) or (v is not None and v != "")]


def canonical(kind: Kind, value: Any) -> tuple[str, str] | None:
    """(the comparable form, how a finding shows it) of a value naming a resource; None: not a ``kind``."""
    if kind is Kind.ARM_ID:
        arm = parse_arm_id(value)
        return (arm.key, arm.describe()) if arm else None
    if kind is Kind.VAULT_URI:
        uri = parse_vault_uri(value)
        return (uri.key, uri.describe()) if uri else None
    if kind is Kind.PRINCIPAL_ID:
        guid = parse_guid(value)
        return (guid, f"principal {guid}") if guid else None
    name = text(value)
    return (name.casefold(), repr(name)) if name else None


def identity(target: Resource, kind: Kind) -> str | None:
    """What a value of ``kind`` must equal to name ``target`` (canonical), or None while unknown."""
    props = target.props
    if kind is Kind.ARM_ID:
        arm = parse_arm_id(peek(props, "id"))
        return arm.key if arm else None
    if kind is Kind.PRINCIPAL_ID:
        return parse_guid(peek(props, "principalId"))
    name = azure_name(target)
    if kind is Kind.VAULT_URI:
        uri = parse_vault_uri(peek(props, "properties", "vaultUri"))
        if uri is not None:
            return uri.key
        return vault_uri_of(name) if name else None
    return name.casefold() if name else None


def azure_name(resource: Resource) -> str:
    """The resource's Azure name: its name input (``policies/catalog.py``), else its ``name`` output."""
    info = classify(resource.type)
    name_input = info.arm_id.name_input if info is not None and info.arm_id is not None else ""
    for value in (peek(resource.props, name_input) if name_input else None, peek(resource.props, "name")):
        if isinstance(value, str) and value and not is_unknown(value):
            return value
    return ""


@dataclass(frozen=True)
class ReferenceProblem:
    """A reference whose value and property dependency disagree, or whose value names nothing."""

    resource: Resource
    reference: Reference
    message: str


class StackIndex:
    """URN -> resource, type -> resources, references resolved by value and dependency, and levels."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self._by_urn: dict[str, Resource] = {}
        self._by_type: dict[str, list[Resource]] = defaultdict(list)
        for resource in resources:
            self._by_urn[resource.urn] = resource
            self._by_type[resource.type].append(resource)
        self._by_identity: dict[tuple[Kind, str], list[Resource]] = defaultdict(list)
        # Each resource's identities, worked out once: a reference checked against its dependency
        # asks for the dependency's again (a role assignment's scope, a setting's target).
        self._identities: dict[tuple[str, Kind], str | None] = {}
        for resource in self._by_urn.values():
            for kind in Kind:
                key = self._identities[(resource.urn, kind)] = identity(resource, kind)
                if key is not None:
                    self._by_identity[(kind, key)].append(resource)
        self._resolved: dict[str, dict[str, list[Resource]]] = {}
        self._problems: dict[str, list[ReferenceProblem]] = defaultdict(list)
        self._referrers: dict[str, list[tuple[str, Resource]]] = defaultdict(list)
        for resource in self._by_urn.values():
            resolved = self._resolve_references(resource)
            self._resolved[resource.urn] = resolved
            for key, targets in resolved.items():
                for target in targets:
                    self._referrers[target.urn].append((key, resource))
        self._levels: dict[str, str | None] = {}  # urn -> resolved level (None: none reachable)
        self._homes: dict[str, tuple[bool, str | None]] = {}
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

    # -- references ------------------------------------------------------------------------------

    def targets(self, resource: Resource, key: str, type_: str | None = None) -> list[Resource]:
        """The resources ``resource.<key>`` names (optionally only those of ``type_``), value and
        dependency agreeing (see the module docstring)."""
        found = self._resolved.get(resource.urn)
        if found is None:  # not indexed: resolve it on its own
            found = self._resolve_references(resource, record=False)
        return [r for r in found.get(key, ()) if type_ is None or r.type == type_]

    def referrers(self, target: Resource, key: str | None = None, type_: str | None = None) -> list[Resource]:
        """The resources whose property ``key`` (any property when None) names ``target``."""
        return [
            r
            for k, r in self._referrers.get(target.urn, [])
            if (key is None or k == key) and (type_ is None or r.type == type_)
        ]

    def reference_problems(self, resource: Resource, key: str | None = None) -> list[ReferenceProblem]:
        """Where ``resource``'s references (under ``key``, or all) disagree with their dependencies."""
        return [p for p in self._problems.get(resource.urn, ()) if key is None or p.reference.key == key]

    def disputed(self, resource: Resource, key: str) -> bool:
        """Whether a reference under ``key`` has a problem, which its own rule (``Reference.rule``)
        reports: another rule that finds it naming nothing stays silent, so it is reported once."""
        return any(p.reference.key == key for p in self._problems.get(resource.urn, ()))

    def problems_reported_by(self, rule: str) -> list[ReferenceProblem]:
        """Every reference problem of the stack that ``rule`` reports (``Reference.rule``)."""
        return [p for problems in self._problems.values() for p in problems if p.reference.rule == rule]

    def _resolve_references(self, resource: Resource, *, record: bool = True) -> dict[str, list[Resource]]:
        deps = resource.property_dependencies
        judged = references(resource.type)
        resolved: dict[str, list[Resource]] = {}
        for key, urns in deps.items():
            covered = {t for ref in judged if ref.key == key for t in (ref.types or ())}
            whole = any(ref.key == key and ref.types is None for ref in judged)
            # Dependencies no listed reference judges are taken as they are.
            resolved[key] = [
                r
                for u in urns
                if (r := self._by_urn.get(u)) is not None and not whole and r.type not in covered
            ]
        for ref in judged:
            agreed, problems = self._resolve(resource, ref)
            resolved.setdefault(ref.key, [])
            resolved[ref.key] += [r for r in agreed if r not in resolved[ref.key]]
            if record:
                self._problems[resource.urn] += problems
        return resolved

    def _identity(self, resource: Resource, kind: Kind) -> str | None:
        """:func:`identity` of an indexed resource, as worked out when it was indexed."""
        return self._identities[(resource.urn, kind)]

    def _resolve(self, resource: Resource, ref: Reference) -> tuple[list[Resource], list[ReferenceProblem]]:
        deps = [
            r
            for u in resource.property_dependencies.get(ref.key, ())
            if (r := self._by_urn.get(u)) is not None and (ref.types is None or r.type in ref.types)
        ]
        agreed: list[Resource] = []
        problems: list[ReferenceProblem] = []
        for value in values_at(resource.props, ref):
            if is_unknown(value):
                if deps:
                    agreed += deps  # unknown during preview: the dependency decides
                else:  # nothing decides: fail closed, once, by the reference's own rule
                    problems.append(
                        ReferenceProblem(
                            resource,
                            ref,
                            f"{UNVERIFIABLE_PREFIX}{ref.shown} is unknown and not computed from "
                            f"{_named(ref)} of this stack, so nothing shows what it names",
                        )
                    )
                continue
            # From here on a problem is reported once, by ``ref.rule``; every other rule sees what the
            # dependency names (as while the value is unknown), so none reports it a second time.
            parsed = canonical(ref.kind, value)
            if parsed is None:
                problems.append(
                    ReferenceProblem(
                        resource, ref, f"{ref.shown} is {describe(value)}, which is not a{_an(ref.kind)}"
                    )
                )
                agreed += deps
                continue
            key, shown = parsed
            if not deps:  # no dependency: the value decides
                agreed += [
                    r
                    for r in self._by_identity.get((ref.kind, key), ())
                    if ref.types is None or r.type in ref.types
                ]
                continue
            matching = [d for d in deps if self._identity(d, ref.kind) == key]
            if matching:
                agreed += matching
                continue
            identities = [self._identity(d, ref.kind) for d in deps]
            unknown = [d for d, found in zip(deps, identities, strict=True) if found is None]
            sources = ", ".join(f"{d.kind} '{d.name}'" for d in deps)
            message = (
                f"{UNVERIFIABLE_PREFIX}{ref.shown} is {describe(value)} but the {ref.kind} of "
                f"{sources}, which it was computed from, is unknown"
                if unknown
                else f"{ref.shown} names {shown} but was computed from {sources}, whose {ref.kind} is "
                f"{', '.join(repr(found) for found in identities)}; value and dependency must agree"
            )
            problems.append(ReferenceProblem(resource, ref, message))
            agreed += deps
        return list({r.urn: r for r in agreed}.values()), problems

    # -- data levels -----------------------------------------------------------------------------

    def home(self, resource: Resource) -> tuple[bool, str | None]:
        """(whether ``resource`` is declared inside a scope component, that component's level)."""
        urn: str | None = resource.urn
        path: list[str] = []
        answer: tuple[bool, str | None] = (False, None)
        seen: set[str] = set()
        while urn and urn not in seen:
            if urn in self._homes:
                answer = self._homes[urn]
                break
            seen.add(urn)
            current = self._by_urn.get(urn) if urn != resource.urn else resource
            if current is None:
                break
            path.append(urn)
            if is_scope_component(current):
                answer = (True, scope_level(current))
                break
            urn = current.parent
        for visited in path:
            self._homes[visited] = answer
        return answer

    def group_level(self, resource: Resource) -> tuple[bool, str | None]:
        """(whether ``resource`` is placed in a resource group of this stack, that group's level)."""
        return self._placed(resource, "resourceGroupName")

    def _placed(self, resource: Resource, key: str) -> tuple[bool, str | None]:
        """(whether ``resource.<key>`` names a holder of this stack, the level that one is declared in)."""
        holder_type, _ = _PLACEMENT_KEYS[key]
        holders = [h for h in self.targets(resource, key, holder_type) if h is not resource]
        if not holders:
            return (False, None)
        levels = {self.home(h)[1] for h in holders}
        return (True, levels.pop() if len(levels) == 1 else None)

    def level(self, resource: Resource) -> str | None:
        """The resource's data level from structure, or None when structure gives none (or two).

        Inside a scope component: that component's level, which its resource group must share.
        Outside: the level of what it references (see ``_LEVEL_KEYS``), else its parent's. Memoised
        and resolved without recursion (reference chains can be long): linear in resources plus
        references. The one resolver of levels: the rules and the ``tvt`` report both ask it.
        """
        self._resolve_level(resource)
        return self._levels.get(resource.urn)

    def level_problems(self, resource: Resource) -> list[str]:
        """Why ``resource``'s structure and its ``data-level`` tag do not tell one consistent level."""
        inside, home = self.home(resource)
        problems = []
        if inside and home is None:
            problems.append("it is declared in a scope component whose name gives no data level")
        placement = self._placement_problem(resource)
        if placement is not None:
            problems.append(placement)
        tag = resource.tag(LEVEL_TAG)
        level = self.level(resource)
        if tag is not None and tag != level:
            problems.append(
                f"its data-level tag says {tag!r} but its structure (component, resource group) says "
                f"{repr(level) if level else 'no level'}"
            )
        return problems

    def summary_level(self, resource: Resource) -> str:
        """:meth:`level`, or for a resource with none (a component) what its children hold:
        their one level, :data:`MIXED` when they differ, :data:`UNASSIGNED` when none has one."""
        return self._summary(resource.urn)

    def _own_level(self, resource: Resource) -> tuple[bool, str | None]:
        """(decided by structure, the level) for a resource inside a scope component or group."""
        inside, home = self.home(resource)
        placed, group = self.group_level(resource)
        if inside:
            return True, home if self._placement_problem(resource) is None else None
        if placed:
            return True, group
        return False, None

    def _placement_problem(self, resource: Resource) -> str | None:
        """Why a resource declared in a scope component is placed outside it: in another level's
        resource group, account, vault or network (``_PLACEMENT_KEYS``).

        Its own level's group is right; the shared audit group is right too for a type that holds no
        data (the private DNS zones live there, so every level's links to them do as well).
        """
        inside, home = self.home(resource)
        if not inside or home is None:
            return None
        info = classify(resource.type)
        dataless = info is not None and info.data is DataClass.NONE
        for key, (_, what) in _PLACEMENT_KEYS.items():
            placed, level = self._placed(resource, key)
            if not placed or level == home:
                continue
            if key == "resourceGroupName" and level == SHARED and dataless:
                continue
            return (
                f"it is declared in the level-{home} component but placed in {what} of level {level or '?'}"
            )
        return None

    def _candidates(self, resource: Resource) -> list[str]:
        """Where a resource outside every scope component may take its level from, in order."""
        found = [
            target.urn
            for key in sorted(self._resolved.get(resource.urn, {}), key=_key_rank)
            for target in self.targets(resource, key)
        ]
        return [*found, resource.parent] if resource.parent else found

    def _resolve_level(self, start: Resource) -> None:
        # (urn, its candidates, how many of them are resolved); a cycle cannot lead anywhere new.
        pending: list[tuple[str, list[str], int]] = []
        on_path: set[str] = set()

        def enter(urn: str) -> None:
            resource = self._by_urn.get(urn) if urn != start.urn else start
            if resource is None:
                self._levels[urn] = None
                return
            decided, level = self._own_level(resource)
            if decided:
                self._levels[urn] = level
            else:
                pending.append((urn, self._candidates(resource), 0))
                on_path.add(urn)

        if start.urn not in self._levels:
            enter(start.urn)
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
        # Each resource once: a parent chain that loops (the engine refuses one; a hostile request
        # could hold one) ends the walk instead of growing it for ever.
        order: list[str] = []
        todo, queued = [start], {start}
        while todo:
            urn = todo.pop()
            order.append(urn)
            for child in self._children.get(urn, ()):
                if child not in self._summaries and child not in queued:
                    queued.add(child)
                    todo.append(child)
        for urn in reversed(order):
            resource = self._by_urn.get(urn)
            own = self.level(resource) if resource is not None else None
            if own is None:
                below = {self._summaries.get(c, UNASSIGNED) for c in self._children.get(urn, ())} - {
                    UNASSIGNED
                }
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


def _named(ref: Reference) -> str:
    """What ``ref`` may name, for a finding: "a Vault", "a Subnet or a Vault", "a resource"."""
    if ref.types is None:
        return "a resource"
    return " or ".join(f"a {t.rpartition(':')[2]}" for t in sorted(ref.types))


def _an(kind: Kind) -> str:
    return f"n {kind}" if str(kind)[0] in "AEIOU" else f" {kind}"
