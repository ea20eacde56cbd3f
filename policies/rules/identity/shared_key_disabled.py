"""identity-shared-key-disabled: data is reached with Entra ID identities only, never shared keys."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import STORAGE_ACCOUNT, WORKSPACE
from policies.framework import Controls, Params, ResourceRule, RuleMeta
from policies.model import Resource
from policies.props import describe, dig

META = RuleMeta(
    id="identity-shared-key-disabled",
    title="Storage and Log Analytics disable shared keys and local authentication",
    severity=Severity.CRITICAL,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("10", "9"), mcsb=("IM-1",), cis=("3.3",)),
    remediation=(
        "Storage: allowSharedKeyAccess false, defaultToOAuthAuthentication true, no local users or SFTP. "
        "Workspaces: features.disableLocalAuth true."
    ),
    docs="https://learn.microsoft.com/azure/storage/common/shared-key-authorization-prevent",
)


def check(resource: Resource, params: Params) -> Iterator[str]:
    """Shared keys, local users and local auth are off, so every access is by an Entra ID identity.

    An account key is a password for all data in the account: not tied to a person, not revocable
    per user, and invisible to role-based access reviews. With Entra ID only, every read in the
    logs names an identity and every permission is a reviewable role assignment.
    """
    props = resource.props
    if resource.type == STORAGE_ACCOUNT:
        expected: tuple[tuple[str, bool, bool], ...] = (
            ("allowSharedKeyAccess", False, True),
            ("defaultToOAuthAuthentication", True, True),
            ("isLocalUserEnabled", False, False),
            ("isSftpEnabled", False, False),
        )
        for key, secure, required in expected:
            value = props.get(key)
            if (value is None and required) or (value is not None and value is not secure):
                yield f"{key} is {describe(value)}; expected {describe(secure)}"
    else:
        value = dig(props, "features", "disableLocalAuth")
        if value is not True:
            yield f"features.disableLocalAuth is {describe(value)}; expected true"


RULE = ResourceRule(META, check, types=frozenset({STORAGE_ACCOUNT, WORKSPACE}))
