"""identity-no-privileged-roles: the program never grants Owner, Contributor or User Access Administrator."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import ROLE_ASSIGNMENT
from policies.framework import Controls, Params, ResourceRule, RuleMeta
from policies.model import Resource
from policies.props import describe
from policies.roles import CONTRIBUTOR, OWNER, USER_ACCESS_ADMINISTRATOR, role_guid, role_name

META = RuleMeta(
    id="identity-no-privileged-roles",
    title="No Owner, Contributor or User Access Administrator assignments",
    severity=Severity.CRITICAL,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("9",), mcsb=("PA-1", "PA-7"), cis=("1.23",)),
    remediation=(
        "Remove the assignment; administrators get privileged roles just-in-time through Privileged Identity "
        "Management, never standing assignments from this program."
    ),
    docs="https://learn.microsoft.com/azure/role-based-access-control/best-practices",
)

PRIVILEGED = (OWNER, CONTRIBUTOR, USER_ACCESS_ADMINISTRATOR)


def check(resource: Resource, params: Params) -> Iterator[str]:
    """roleDefinitionId is never Owner, Contributor or User Access Administrator, for any principal.

    Each of these can read every level's data or grant itself that right (and switch off the
    controls this pack checks); given to a partner group, everyone in the group gets it. This is
    checked separately from the allow-list so that widening the allow-list cannot re-admit them.
    """
    guid = role_guid(resource.props.get("roleDefinitionId"))
    if guid in PRIVILEGED:
        kind = describe(resource.props.get("principalType"))
        yield f"privileged role {role_name(guid)} assigned to principalType {kind}; never assign it here"


RULE = ResourceRule(META, check, types=frozenset({ROLE_ASSIGNMENT}))
