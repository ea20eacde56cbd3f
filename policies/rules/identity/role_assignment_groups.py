"""identity-role-assignment-groups: people get access through groups; only our identity gets the CMK role."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import IDENTITY, ROLE_ASSIGNMENT
from policies.framework import Controls, Params, RuleMeta, StackContext, StackRule
from policies.model import Violation
from policies.props import describe, peek
from policies.roles import KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER, role_guid, role_name

META = RuleMeta(
    id="identity-role-assignment-groups",
    title="Role assignments go to groups, except the storage identity's key access",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("9", "10"), mcsb=("PA-7", "IM-3")),
    remediation=(
        "Grant people access through Entra ID groups (principalType Group). Service principals are "
        "allowed only for a UserAssignedIdentity declared in this stack holding Key Vault Crypto Service "
        "Encryption User."
    ),
    docs="https://learn.microsoft.com/azure/role-based-access-control/best-practices",
)


def check(context: StackContext, params: Params) -> Iterator[Violation]:
    """principalType is Group, or ServicePrincipal for our managed identity with the CMK (crypto) role only.

    Partner organisations manage who is in their groups (joiners, movers, leavers); a grant to an
    individual outlives their job. The one machine identity is the storage account's own, to
    unwrap its customer-managed key; it is matched through the principalId property dependency,
    so an arbitrary object id cannot pass as "ours".
    """
    index = context.index
    for assignment in index.of_type(ROLE_ASSIGNMENT):
        kind = assignment.props.get("principalType")
        if kind == "Group":
            continue
        guid = role_guid(peek(assignment.props, "roleDefinitionId"))
        if kind == "ServicePrincipal":
            ours = index.targets(assignment, "principalId", IDENTITY)
            if ours and guid == KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER:
                continue
            if not ours and index.disputed(assignment, "principalId"):
                continue  # identity-grant-scope reports what the principal id fails to name
            why = (
                f"role {role_name(guid)} is not the crypto service encryption role"
                if ours
                else "principalId is not a UserAssignedIdentity declared in this stack"
            )
            yield Violation(f"service principal assignment not allowed: {why}", assignment.urn)
        else:
            yield Violation(f"principalType is {describe(kind)}; expected Group", assignment.urn)


RULE = StackRule(META, check)
