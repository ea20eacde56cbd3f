"""identity-no-privileged-roles: the program never grants Owner, Contributor or User Access Administrator,
nor declares a custom role with wildcard or authorization permissions."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import ROLE_ASSIGNMENT, ROLE_DEFINITION
from policies.framework import Controls, Params, ResourceRule, RuleMeta
from policies.model import Resource
from policies.props import describe, peek
from policies.roles import CONTRIBUTOR, OWNER, USER_ACCESS_ADMINISTRATOR, custom_role, role_guid, role_name

META = RuleMeta(
    id="identity-no-privileged-roles",
    title="No Owner, Contributor or User Access Administrator assignments, and no privileged custom roles",
    severity=Severity.CRITICAL,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("9",), mcsb=("PA-1", "PA-7"), cis=("1.23",)),
    remediation=(
        "Remove the assignment; administrators get privileged roles just-in-time through Privileged Identity "
        "Management, never standing assignments from this program. A custom role lists its actions "
        "one by one: no '*' and nothing under Microsoft.Authorization."
    ),
    docs="https://learn.microsoft.com/azure/role-based-access-control/best-practices",
)

PRIVILEGED = (OWNER, CONTRIBUTOR, USER_ACCESS_ADMINISTRATOR)
_AUTHORIZATION = "microsoft.authorization/"


def check(resource: Resource, params: Params) -> Iterator[str]:
    """No Owner, Contributor or User Access Administrator; no custom role with wildcards or authorization.

    Each of these can read every level's data or grant itself that right (and switch off the
    controls this pack checks); given to a partner group, everyone in the group gets it. A custom
    role with a wildcard (``*``, ``*/write``, ``.../blobs/*``) grants whatever Azure adds under it
    later, and one with authorization actions can hand out access. This is checked apart from the
    allow-list, so that widening the allow-list cannot re-admit them.
    """
    if resource.type == ROLE_DEFINITION:
        yield from _custom(resource)
        return
    # Unknown during preview means computed from a resource: a role definition, judged itself here
    # and by identity-role-allow-list; built-in roles are referenced by literal ids.
    guid = role_guid(peek(resource.props, "roleDefinitionId"))
    if guid in PRIVILEGED:
        kind = describe(resource.props.get("principalType"))
        yield f"privileged role {role_name(guid)} assigned to principalType {kind}; never assign it here"


def _custom(definition: Resource) -> Iterator[str]:
    role = custom_role(definition.props)
    wild = [a for a in role.actions + role.data_actions if "*" in a]
    if wild:
        yield f"custom role {role.name!r} has wildcard permissions {', '.join(wild)}; list each action"
    authorization = [a for a in role.actions if a.casefold().startswith(_AUTHORIZATION)]
    if authorization:
        yield f"custom role {role.name!r} can change access ({', '.join(authorization)}); never declare it"


RULE = ResourceRule(META, check, types=frozenset({ROLE_ASSIGNMENT, ROLE_DEFINITION}))
