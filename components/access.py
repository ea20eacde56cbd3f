"""Role assignments and the custom roles they grant: the one place both are declared, and the
stack's grants turned into them.

Names are deterministic GUIDs (``naming.role_assignment_name``) computed from the ARM path of the
scope as built from deterministic names, never from an id output, so a preview of a new stack
already shows the final names and a rerun or a reordering of the grants never replaces one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import authorization

from components import naming
from components.config.model import Grant, Role, StackConfig, UseCase
from components.roles import (
    ABAC_CONDITION_VERSION,
    RoleDefinition,
    custom_role,
    grant_condition,
    render,
)

GRANT_DESCRIPTION_PREFIX = "TVT grant:"
PRIVATE_LINK_ONLY_LEVELS = frozenset({3})
"""Levels whose grants Azure honours only over a private endpoint (ABAC ``isPrivateLink``).

Every level's account already refuses public network access, so today the private endpoints are the
only way in. For identifiable data (level 3) the grant says so too, so that opening the firewall, by
mistake or under pressure, still exposes nothing. Levels 1 and 2 get no such condition: it would add
nothing today, and their grants without a use case carry no condition at all, which keeps the rule
simple: a use case bounds access in time at any level, level 3 also bounds it to private link.
"""


@dataclass(frozen=True)
class RoleAssignmentSpec:
    """AVM's ``role_assignments`` entry: one role for one principal on a component's resource.

    ``principal_key`` identifies the principal in the assignment's deterministic name: the group's
    object id, or the ARM path of a managed identity whose principal id is not known before it exists.
    """

    name: str  # logical-name fragment, unique within the component, e.g. "tvp-analysts-matched-reader"
    role: RoleDefinition
    principal_id: pulumi.Input[str]
    principal_key: str
    description: str
    principal_type: authorization.PrincipalType = authorization.PrincipalType.GROUP
    """Groups by default: people come and go from groups, assignments to users go stale."""
    container: str | None = None
    """Narrows a storage assignment to one container (zone); None means the whole account."""
    last_day: dt.date | None = None
    """Last day (UTC, inclusive) on which the role's data actions are allowed; Azure refuses them
    from midnight after it (ABAC ``UtcNow``), redeployed or not. None: no end date."""
    private_link_only: bool = False
    """Allow the role's data actions only through a private endpoint (ABAC ``isPrivateLink``)."""
    path_prefix: str | None = None
    """Allow the role's data actions only on blobs whose path in the container starts with this
    folder, e.g. 'thames-valley-police/' (ABAC blob ``path`` ``StringStartsWith``). None: anywhere."""
    role_definition: pulumi.Input[str] | None = None
    """The id output of the custom role the program declares (:func:`declare_role`), so the
    assignment depends on it; None for a built-in role, referenced by its fixed id."""

    def __post_init__(self) -> None:
        if not self.principal_key:
            raise ValueError(f"role assignment {self.name!r}: principal_key is empty")
        if self.role.custom and self.role_definition is None:
            raise ValueError(
                f"role assignment {self.name!r}: custom role {self.role.display_name!r} needs its "
                "declared definition (role_definition), or Azure may assign it before it exists"
            )
        try:  # built once here so that a bound the role cannot carry fails where the spec is made
            _ = self.condition
        except ValueError as error:
            raise ValueError(f"role assignment {self.name!r}: {error}") from None

    @property
    def condition(self) -> str | None:
        """The assignment's ABAC condition (``components.roles.grant_condition``) as text, or None."""
        tree = grant_condition(
            self.role,
            last_day=self.last_day,
            private_link=self.private_link_only,
            path_prefix=self.path_prefix,
        )
        return None if tree is None else render(tree)


def check_assignments(specs: tuple[RoleAssignmentSpec, ...], what: str) -> None:
    """The ``role_assignments`` argument every building block takes: names unique within it."""
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ValueError(f"{what}: role assignment names are not unique: {names}")


def assignment_logical_name(component: str, spec: RoleAssignmentSpec) -> str:
    """The Pulumi logical name of ``spec`` declared by ``component``: ``<component>-grant-<slug>``."""
    return f"{component}-grant-{re.sub(r'[^a-z0-9-]+', '-', spec.name.lower()).strip('-')}"


def assign_role(
    name: str,
    spec: RoleAssignmentSpec,
    *,
    scope_id: pulumi.Input[str],
    scope_key: str,
    subscription_id: str,
    parent: pulumi.Resource,
) -> authorization.RoleAssignment:
    """Declare ``spec`` on the resource whose id is ``scope_id`` and whose ARM path is ``scope_key``."""
    definition_id = spec.role.definition_id(subscription_id)
    condition = spec.condition
    return authorization.RoleAssignment(
        name,
        role_assignment_name=naming.role_assignment_name(
            subscription_id, scope_key, spec.principal_key, definition_id
        ),
        scope=scope_id,
        principal_id=spec.principal_id,
        principal_type=spec.principal_type,
        role_definition_id=definition_id if spec.role_definition is None else spec.role_definition,
        condition=condition,
        condition_version=ABAC_CONDITION_VERSION if condition else None,
        description=spec.description,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def level_roles(config: StackConfig, level: int) -> dict[Role, RoleDefinition]:
    """The custom roles ``level``'s grants use, one per TVT role: only those, so none lies unused."""
    used = sorted({g.role for g in config.grants if g.level == level}, key=list(Role).index)
    return {
        role: custom_role(role, stack=config.stack, subscription_id=config.subscription_id, level=level)
        for role in used
    }


def declare_role(
    name: str, role: RoleDefinition, *, scope_id: pulumi.Input[str], parent: pulumi.Resource
) -> authorization.RoleDefinition:
    """Declare custom ``role``, created at and assignable only within ``scope_id`` (a level's group).

    Its only permissions are its blob data actions: no control-plane action, so no holder can
    delete or reconfigure a container, or mint user-delegation keys, whatever ABAC allows.
    """
    if not role.custom:
        raise ValueError(f"{role.display_name!r} is a built-in role; only custom roles are declared")
    return authorization.RoleDefinition(
        name,
        role_definition_id=role.guid,
        role_name=role.display_name,
        description=role.description,
        role_type="CustomRole",
        scope=scope_id,
        assignable_scopes=[scope_id],
        permissions=[
            authorization.PermissionArgs(
                actions=[], not_actions=[], data_actions=list(role.data_actions), not_data_actions=[]
            )
        ],
        opts=pulumi.ResourceOptions(parent=parent),
    )


def ingest_folder(config: StackConfig, grant: Grant) -> str | None:
    """An ingest-writer's own folder in the shared landing zone, '<partner-id>/'; None for other roles.

    Every partner's upload group writes to the same container, so each may write only under the
    folder named after the partner that owns the group: one partner cannot overwrite another's extracts.
    """
    if grant.role is not Role.INGEST_WRITER:
        return None
    return f"{config.partner_of(grant.group).id}/"


def grant_description(grant: Grant, use_case: UseCase | None, folder: str | None = None) -> str:
    """Says who, what and where, plus the approving use case, which policies parse from it."""
    where = f"level {grant.level} zone {grant.zone}" if grant.zone else f"level {grant.level}"
    if folder is not None:
        where += f", writes under {grant.zone}/{folder} only"
    text = f"{GRANT_DESCRIPTION_PREFIX} {grant.role.value} for {grant.group} on {where}."
    if use_case is not None:
        text += f" Use case {use_case.id} ({use_case.approval_ref}) expires {use_case.expires.isoformat()}."
    return text


def grant_assignments(
    config: StackConfig, level: int, definitions: Mapping[Role, pulumi.Input[str]]
) -> tuple[RoleAssignmentSpec, ...]:
    """The role assignments of ``level``'s storage, one per grant, at the narrowest scope it names.

    Each grants the level's custom role for the grant's TVT role (:func:`level_roles`), whose
    declared definition id ``definitions`` holds. A grant that names a use case ends, in Azure, when
    the use case expires; at level 3 every grant names one and is also private-link only
    (:data:`PRIVATE_LINK_ONLY_LEVELS`). An ingest-writer writes only under its partner's folder
    (:func:`ingest_folder`).
    """
    roles = level_roles(config, level)
    missing = sorted(r.value for r in set(roles) - set(definitions))
    if missing:
        raise ValueError(f"level {level}: no declared role definition for {', '.join(missing)}")
    specs = []
    for grant in config.grants:
        if grant.level != level:
            continue
        if level == 3 and grant.use_case is None:
            raise ValueError(f"grant of {grant.role.value} to {grant.group} on level 3 names no use case")
        group = config.group(grant.group)
        use_case = config.use_case(grant.use_case) if grant.use_case else None
        folder = ingest_folder(config, grant)
        specs.append(
            RoleAssignmentSpec(
                name=f"{grant.group}-{grant.zone or 'level'}-{grant.role.value}",
                role=roles[grant.role],
                principal_id=group.object_id,
                principal_key=group.object_id,
                description=grant_description(grant, use_case, folder),
                container=grant.zone,
                last_day=use_case.expires if use_case else None,
                private_link_only=level in PRIVATE_LINK_ONLY_LEVELS,
                path_prefix=folder,
                role_definition=definitions[grant.role],
            )
        )
    _reject_clashes(specs, level)
    return tuple(specs)


def _reject_clashes(specs: list[RoleAssignmentSpec], level: int) -> None:
    # Two grants of one role to one group on one zone would get the same deterministic name and
    # fight over one Azure assignment.
    keys = Counter((s.container, s.principal_key, s.role.guid) for s in specs)
    clashes = sorted(f"{p} on {c or 'the whole level'}" for (c, p, _), n in keys.items() if n > 1)
    if clashes:
        raise ValueError(f"level {level}: more than one grant of the same Azure role to {', '.join(clashes)}")
