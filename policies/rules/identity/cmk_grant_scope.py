"""identity-cmk-grant-scope: the key role is granted on one key, to an identity of that key's own level."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import IDENTITY, KEY, ROLE_ASSIGNMENT
from policies.framework import Controls, Params, RuleMeta, StackContext, StackRule
from policies.model import Resource, Violation
from policies.props import peek
from policies.roles import KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER, role_guid
from policies.stack_index import StackIndex

META = RuleMeta(
    id="identity-cmk-grant-scope",
    title="Key Vault Crypto Service Encryption User is granted on one key to an identity of its level",
    severity=Severity.CRITICAL,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("3", "9", "2.3"), mcsb=("PA-7", "DP-6")),
    remediation=(
        "Assign Key Vault Crypto Service Encryption User with scope set from the level's Key id output "
        "(not the vault's or the resource group's) and principalId from the same level's "
        "UserAssignedIdentity principalId output, so both are property dependencies."
    ),
    docs="https://learn.microsoft.com/azure/key-vault/general/rbac-guide",
)


def check(context: StackContext, params: Params) -> Iterator[Violation]:
    """Each crypto-user assignment's scope is a Key and its principal an identity of that key's level.

    The role lets its holder wrap and unwrap with a key. Granted on a vault or a resource group it
    covers every key there, present and future; granted to another level's identity it lets that
    level's storage (or anything running as it) use this level's key, which breaks the one-key-
    per-level boundary. Scope and principal are followed through their property dependencies, so
    the check needs no ARM id parsing and works during a first preview, when ids are unknown.
    """
    index = context.index
    for assignment in index.of_type(ROLE_ASSIGNMENT):
        if role_guid(peek(assignment.props, "roleDefinitionId")) != KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER:
            continue
        yield from (Violation(m, assignment.urn) for m in _problems(index, assignment))


def _problems(index: StackIndex, assignment: Resource) -> Iterator[str]:
    scopes = index.targets(assignment, "scope")
    keys = [t for t in scopes if t.type == KEY]
    others = [t for t in scopes if t.type != KEY]
    if others:
        shown = ", ".join(f"{t.kind} '{t.name}'" for t in others)
        yield (
            f"the crypto role is scoped to {shown}; expected a single Key, so the grant cannot reach "
            "other keys of the vault or group"
        )
    elif not keys and not index.disputed(assignment, "scope"):
        yield "scope does not reference a Key declared in this stack (no property dependency)"
    identities = index.targets(assignment, "principalId", IDENTITY)
    if not identities and not index.disputed(assignment, "principalId"):
        yield "principalId does not reference a UserAssignedIdentity declared in this stack"
    for key in keys:
        key_level = index.level(key)
        for identity in identities:
            held = index.level(identity)
            if key_level is None or held != key_level:
                yield (
                    f"UserAssignedIdentity '{identity.name}' of level {held or '?'} is granted key "
                    f"'{key.name}' of level {key_level or '?'}; keys are used only by their own level"
                )


RULE = StackRule(META, check)
