"""Role assignments: the one place they are declared, and the stack's grants turned into them.

Names are deterministic GUIDs (``naming.role_assignment_name``) computed from the ARM path of the
scope as built from deterministic names, never from an id output, so a preview of a new stack
already shows the final names and a rerun or a reordering of the grants never replaces one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import authorization

from components import naming
from components.config.model import Grant, StackConfig, UseCase
from components.roles import ROLES, RoleDefinition

GRANT_DESCRIPTION_PREFIX = "TVT grant:"


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

    def __post_init__(self) -> None:
        if not self.principal_key:
            raise ValueError(f"role assignment {self.name!r}: principal_key is empty")


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
    return authorization.RoleAssignment(
        name,
        role_assignment_name=naming.role_assignment_name(
            subscription_id, scope_key, spec.principal_key, definition_id
        ),
        scope=scope_id,
        principal_id=spec.principal_id,
        principal_type=spec.principal_type,
        role_definition_id=definition_id,
        condition=spec.role.condition,
        condition_version=spec.role.condition_version,
        description=spec.description,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def grant_description(grant: Grant, use_case: UseCase | None) -> str:
    """Says who, what and where, plus the approving use case, which policies parse from it."""
    where = f"level {grant.level} zone {grant.zone}" if grant.zone else f"level {grant.level}"
    text = f"{GRANT_DESCRIPTION_PREFIX} {grant.role.value} for {grant.group} on {where}."
    if use_case is not None:
        text += f" Use case {use_case.id} ({use_case.approval_ref}) expires {use_case.expires.isoformat()}."
    return text


def grant_assignments(config: StackConfig, level: int) -> tuple[RoleAssignmentSpec, ...]:
    """The role assignments of ``level``'s storage, one per grant, at the narrowest scope it names."""
    specs = []
    for grant in config.grants:
        if grant.level != level:
            continue
        if level == 3 and grant.use_case is None:
            raise ValueError(f"grant of {grant.role.value} to {grant.group} on level 3 names no use case")
        group = config.group(grant.group)
        use_case = config.use_case(grant.use_case) if grant.use_case else None
        specs.append(
            RoleAssignmentSpec(
                name=f"{grant.group}-{grant.zone or 'level'}-{grant.role.value}",
                role=ROLES[grant.role],
                principal_id=group.object_id,
                principal_key=group.object_id,
                description=grant_description(grant, use_case),
                container=grant.zone,
            )
        )
    _reject_clashes(specs, level)
    return tuple(specs)


def _reject_clashes(specs: list[RoleAssignmentSpec], level: int) -> None:
    # contributor and ingest-writer share a role definition, so two grants to one group on one zone
    # would get the same deterministic name and fight over one Azure assignment.
    keys = Counter((s.container, s.principal_key, s.role.guid) for s in specs)
    clashes = sorted(f"{p} on {c or 'the whole level'}" for (c, p, _), n in keys.items() if n > 1)
    if clashes:
        raise ValueError(f"level {level}: more than one grant of the same Azure role to {', '.join(clashes)}")
