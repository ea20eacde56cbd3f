"""The data-access matrix: who can read which level of data, through which grant, until when.

One row per group role assignment in the plan: the group (display name from the stack config, and
its objectId), level and zone, the TVT role and the Azure role, whether it reads data, the use case
(with its title from the config), the approval reference, the use case's expiry, the moment Azure
itself ends the access (the ABAC ``UtcNow`` bound) and whether reads must come over private link.
Grants repeat their conditions, so each (role definition, condition) pair is read once per matrix.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from policies import abac, roles
from policies.catalog import BLOB_CONTAINER, ROLE_ASSIGNMENT, ROLE_DEFINITION, STORAGE_ACCOUNT
from scripts.engine.plan import Plan, PlanResource
from scripts.review.stack_facts import StackFacts

_GRANT = re.compile(r"TVT grant: (?P<role>\S+) for (?P<group>\S+) on ")
_USE_CASE = re.compile(r"Use case (?P<id>\S+) \((?P<approval>\S+)\) expires (?P<expires>\d{4}-\d{2}-\d{2})")
LEVEL_ORDER = {"3": 0, "2": 1, "1": 2, "shared": 3}


@dataclass(frozen=True)
class AccessRow:
    level: str
    principal: str  # the group's display name (its objectId when the config does not name it)
    object_id: str
    grant_role: str  # the TVT role from the grant's description (reader, contributor, ingest-writer)
    azure_role: str
    reads: str  # can the group read the data: the point of the matrix
    scope: str
    zone: str  # the container, or "" for the whole level
    use_case: str
    use_case_title: str
    approval: str
    expires: str  # the use case's expiry (ISO)
    azure_cutoff: str  # when Azure itself ends the access ('' when the condition has no bound)
    private_link_only: bool
    resource: str

    @property
    def use_case_label(self) -> str:
        return f"{self.use_case} ({self.approval})" if self.use_case else ""

    @property
    def expires_label(self) -> str:
        end = f" (Azure ends access {self.azure_cutoff})" if self.azure_cutoff else ""
        return f"{self.expires}{end}".strip()

    def sort_key(self) -> tuple[int, str, str, str, str]:
        return (LEVEL_ORDER.get(self.level, 9), self.level, self.principal, self.scope, self.azure_role)


class _Unreadable:
    """A condition the shared grammar refused (the matrix says it is not understood)."""


_UNREADABLE = _Unreadable()


class Conditions:
    """What ABAC conditions leave of data actions, each condition text parsed once and each (condition,
    action) pair judged once: a grown estate repeats a few hundred conditions over thousands of grants.

    Only the condition and the action decide :func:`policies.abac.access` here (no extra bounds).
    """

    def __init__(self) -> None:
        self._trees: dict[str, abac.Node | _Unreadable | None] = {}
        self._access: dict[tuple[str, str], abac.Access] = {}

    def _tree(self, condition: str) -> abac.Node | _Unreadable | None:
        if condition not in self._trees:
            try:
                self._trees[condition] = abac.parse(condition) if condition.strip() else None
            except abac.AbacError:
                self._trees[condition] = _UNREADABLE
        return self._trees[condition]

    def grants(self, condition: str, actions: tuple[str, ...]) -> list[abac.Access] | None:
        """What the condition leaves of each action; None when the condition cannot be read."""
        tree = self._tree(condition)
        if isinstance(tree, _Unreadable):
            return None
        found = []
        for action in actions:
            key = (condition, action)
            if key not in self._access:
                self._access[key] = abac.access(tree, action)
            found.append(self._access[key])
        return found


def moment(literal: str) -> str:
    """An ABAC DateTime as reviewers read it ('2027-10-01 00:00 UTC'), or the literal if unparseable."""
    try:
        value = dt.datetime.fromisoformat(literal.strip())
    except ValueError:
        return literal
    value = value.astimezone(dt.UTC) if value.tzinfo else value
    return f"{value:%Y-%m-%d %H:%M} UTC"


def reads_data(role: roles.GrantedRole | None, condition: str, conditions: Conditions | None = None) -> str:
    """Can the group read blobs, and until when: what the condition leaves of the role's blob read."""
    if role is None:
        return "unknown (the role definition is not in the plan)"
    if not role.grants(roles.BLOB_READ):
        return "no (write-only role)" if role.grants(roles.BLOB_WRITE) else "not a data-reading role"
    found = (conditions or Conditions()).grants(condition, (roles.BLOB_READ,))
    if found is None:
        return "unknown (ABAC condition not understood)"
    (read,) = found
    if not read.allowed:
        return "no (ABAC condition denies blob read)"
    if read.always:
        return "yes"
    private = ", over private link only" if read.private_link else ""
    if read.before is None:
        return f"yes{private}" if private else "conditionally (ABAC condition on blob read)"
    return f"yes until {moment(read.before.isoformat())}{private}"


def allowed_actions(
    role: roles.GrantedRole | None, condition: str, conditions: Conditions | None = None
) -> list[abac.Access]:
    """What the condition leaves of each of the role's data actions it allows at all."""
    if role is None:
        return []
    return [a for a in (conditions or Conditions()).grants(condition, role.data_actions) or () if a.allowed]


def end_of(allowed: list[abac.Access]) -> str:
    """When Azure ends all of these allowed actions ('' when some has no bound, or there are none)."""
    ends = [a.before for a in allowed]
    if not allowed or None in ends:
        return ""
    return moment(max(e for e in ends if e is not None).isoformat())


def private_of(allowed: list[abac.Access]) -> bool:
    """Whether every one of these allowed actions is allowed over private link only."""
    return bool(allowed) and all(a.private_link for a in allowed)


def prefixes_of(allowed: list[abac.Access]) -> str:
    """The blob path folders every one of these allowed actions is confined to ('a/, b/'), '' when none."""
    common = frozenset.intersection(*(a.prefixes for a in allowed)) if allowed else frozenset()
    return ", ".join(sorted(common))


def azure_end(role: roles.GrantedRole | None, condition: str) -> str:
    """When Azure ends all of the role's data access ('' when some allowed action has no bound)."""
    return end_of(allowed_actions(role, condition))


def path_prefixes(role: roles.GrantedRole | None, condition: str) -> str:
    """The blob path folders every allowed data action is confined to ('a/, b/'), '' when none."""
    return prefixes_of(allowed_actions(role, condition))


@dataclass(frozen=True)
class _Grant:
    """What one (role definition, condition) pair gives a group: the row's columns that depend on it."""

    azure_role: str
    reads: str
    folder: str
    azure_cutoff: str
    private_link_only: bool


def _grant(
    role_definition_id: object,
    condition: str,
    custom: Mapping[str, Mapping[str, Any]],
    conditions: Conditions,
) -> _Grant:
    role = roles.granted_role(role_definition_id, custom)
    name = role.name if role else roles.role_name(roles.role_guid(role_definition_id))
    notes = ["custom role"] if role and role.custom else []
    notes += ["with ABAC condition"] if condition else []
    allowed = allowed_actions(role, condition, conditions)
    return _Grant(
        azure_role=name + (f" ({'; '.join(notes)})" if notes else ""),
        reads=reads_data(role, condition, conditions),
        folder=prefixes_of(allowed),
        azure_cutoff=end_of(allowed),
        private_link_only=private_of(allowed),
    )


def _target(assignment: PlanResource, plan: Plan) -> PlanResource | None:
    return next((t for u in assignment.property_dependencies.get("scope", ()) if (t := plan.get(u))), None)


def _scope_label(assignment: PlanResource, target: PlanResource | None) -> str:
    if target is not None and target.type == BLOB_CONTAINER:
        return f"zone {target.inputs.get('containerName', target.name)}"
    if target is not None and target.type == STORAGE_ACCOUNT:
        return f"whole level ({target.inputs.get('accountName', target.name)})"
    if target is not None:
        return f"{target.type.rsplit(':', 1)[-1]} {target.name}"
    return str(assignment.inputs.get("scope", "?"))


def access_rows(plan: Plan, levels: Mapping[str, str], facts: StackFacts) -> list[AccessRow]:
    custom = roles.declared_roles(r.inputs for r in plan.resources if r.type == ROLE_DEFINITION)
    conditions = Conditions()
    # Grants repeat (role definition, condition) pairs: each is resolved and judged once.
    grants: dict[tuple[str, str], _Grant] = {}
    rows = []
    for r in plan.resources:
        if r.type != ROLE_ASSIGNMENT or r.inputs.get("principalType") != "Group":
            continue
        principal_id = str(r.inputs.get("principalId", ""))
        description = str(r.inputs.get("description", ""))
        grant = _GRANT.search(description)
        use_case = _USE_CASE.search(description)
        role_definition_id = r.inputs.get("roleDefinitionId", "")
        condition = str(r.inputs.get("condition") or "")
        if isinstance(role_definition_id, str):
            key = (role_definition_id, condition)
            if key not in grants:
                grants[key] = _grant(role_definition_id, condition, custom, conditions)
            given = grants[key]
        else:
            given = _grant(role_definition_id, condition, custom, conditions)
        target = _target(r, plan)
        case_id = use_case["id"] if use_case else ""
        rows.append(
            AccessRow(
                level=levels.get(r.urn, "unassigned"),
                principal=facts.group_name(principal_id),
                object_id=principal_id,
                grant_role=grant["role"] if grant else "",
                azure_role=given.azure_role,
                reads=given.reads,
                scope=_scope_label(r, target) + (f", folder {given.folder} only" if given.folder else ""),
                zone=str(target.inputs.get("containerName", ""))
                if target and target.type == BLOB_CONTAINER
                else "",
                use_case=case_id,
                use_case_title=facts.use_case_title(case_id),
                approval=use_case["approval"] if use_case else "",
                expires=use_case["expires"] if use_case else "",
                azure_cutoff=given.azure_cutoff,
                private_link_only=given.private_link_only,
                resource=r.name,
            )
        )
    return sorted(rows, key=AccessRow.sort_key)
