"""identity-role-allow-list: only the data roles the platform is designed around are ever assigned."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.arm import parse_arm_id
from policies.catalog import ROLE_ASSIGNMENT, ROLE_DEFINITION
from policies.framework import (
    Controls,
    Param,
    Params,
    RuleMeta,
    StackContext,
    StackRule,
    Stricter,
    reference_violations,
)
from policies.model import Resource, Violation
from policies.props import describe, is_unknown, items, peek
from policies.roles import (
    KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
    TVT_ROLES,
    custom_role,
    role_guid,
    role_name,
    tvt_role,
)

_GUID = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

META = RuleMeta(
    id="identity-role-allow-list",
    title="Role assignments grant only allow-listed built-in roles or the stack's own TVT custom roles",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("9",), mcsb=("PA-7",)),
    remediation=(
        "Grant partner groups the TVT custom roles the program declares (components/roles.py: exactly the "
        "blob data actions of reader, contributor or ingest-writer, no control-plane action, assignable "
        "only in one level's resource group), and built-in roles only from allowedRoleDefinitionIds (Key "
        "Vault Crypto Service Encryption User); a new role needs a reviewed change to this rule's config."
    ),
    docs="https://learn.microsoft.com/azure/role-based-access-control/custom-roles",
    params=(
        Param(
            "allowedRoleDefinitionIds",
            {
                "type": "array",
                "items": {"type": "string", "pattern": _GUID},
                "default": [KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER],
                "description": "built-in role definition GUIDs that may be assigned",
            },
            stricter=Stricter.FEWER,
        ),
    ),
)


def check(context: StackContext, params: Params) -> Iterator[Violation]:
    """Assignments grant an allow-listed built-in role or a TVT custom role this stack declares, exactly.

    Least privilege by construction. The built-in Storage Blob Data roles carry control-plane
    actions (``containers/delete``, ``generateUserDelegationKey``) that no ABAC condition can bound,
    so partner groups get custom roles holding exactly one TVT role's data actions and nothing else,
    assignable only within one level's resource group. Adding a role is a reviewed change.
    """
    yield from reference_violations(context, META.id)
    index = context.index
    allowed = {str(g).lower() for g in params["allowedRoleDefinitionIds"]}
    for assignment in index.of_type(ROLE_ASSIGNMENT):
        yield from (Violation(m, assignment.urn) for m in _assignment(context, assignment, allowed))
    for definition in index.of_type(ROLE_DEFINITION):
        yield from (Violation(m, definition.urn) for m in _definition(context, definition))


def _assignment(context: StackContext, assignment: Resource, allowed: set[str]) -> Iterator[str]:
    declared = context.index.targets(assignment, "roleDefinitionId", ROLE_DEFINITION)
    if declared:
        return  # the stack's own custom role, judged as a definition below
    if context.index.disputed(assignment, "roleDefinitionId"):
        return  # unknown with no dependency, or not an id: the reference's own finding says so
    value = peek(assignment.props, "roleDefinitionId")
    guid = role_guid(value)
    if guid is None:
        yield f"roleDefinitionId {describe(value)} is not a role definition id"
    elif guid not in allowed:
        yield (
            f"role {role_name(guid)} ({guid}) is neither an allow-listed built-in role nor a TVT custom "
            "role declared in this stack"
        )


def _definition(context: StackContext, definition: Resource) -> Iterator[str]:
    role = custom_role(definition.props)
    if tvt_role(role) is None:
        held = ", ".join(role.actions + role.not_actions) or "none"
        data = ", ".join(sorted(role.data_actions)) or "none"
        yield (
            f"custom role {role.name!r} is not exactly a TVT role (control-plane actions: {held}; data "
            f"actions: {data}); expected exactly the data actions of one of {', '.join(TVT_ROLES)}"
        )
    level = context.index.level(definition)
    scopes = peek(definition.props, "assignableScopes")
    if not is_unknown(scopes) and not items(scopes):
        yield "assignableScopes is not set; a TVT role is assignable only in its level's resource group"
    for key, value in [("scope", peek(definition.props, "scope"))] + [
        ("assignableScopes", v) for v in items(scopes)
    ]:
        if context.index.disputed(definition, key):
            continue  # the reference's own finding says what is wrong with the value
        arm = parse_arm_id(value)
        if arm is not None and (arm.types or arm.resource_group is None):
            yield f"{key} names {arm.describe()}; a TVT role lives and is assignable in one resource group"
    for group in context.index.targets(definition, "assignableScopes"):
        if context.index.level(group) != level:
            yield (
                f"the level-{level or '?'} role is assignable in {group.name!r} of level "
                f"{context.index.level(group) or '?'}; a level's roles are assignable only in its own group"
            )


RULE = StackRule(META, check)
