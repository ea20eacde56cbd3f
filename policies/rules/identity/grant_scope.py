"""identity-grant-scope: a group grant reaches one zone or one account of its own level, and no further."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.arm import parse_arm_id
from policies.catalog import BLOB_CONTAINER, ROLE_ASSIGNMENT, STORAGE_ACCOUNT
from policies.framework import Controls, Params, RuleMeta, StackContext, StackRule, reference_violations
from policies.model import Resource, Violation
from policies.props import describe, peek, text
from policies.stack_index import StackIndex

META = RuleMeta(
    id="identity-grant-scope",
    title="Group grants are scoped to a container or storage account of the level they are for",
    severity=Severity.CRITICAL,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("9", "3"), mcsb=("PA-7",)),
    remediation=(
        "Scope each group role assignment to a BlobContainer (a zone) or the StorageAccount of the level "
        "the grant is declared in and describes ('on level <n>'), with scope set from that resource's "
        "id output so the value and its property dependency agree; never to a vault, a resource group "
        "or the subscription."
    ),
    docs="https://learn.microsoft.com/azure/role-based-access-control/scope-overview",
)

_DESCRIBED_LEVEL = re.compile(r"\bon level (\d)\b")
_SCOPES = (BLOB_CONTAINER, STORAGE_ACCOUNT)


def check(context: StackContext, params: Params) -> Iterator[Violation]:
    """Each group assignment's scope is a container or storage account of the grant's own level.

    A role assignment holds at its scope and everything below it: scoped to a resource group or
    the subscription it reaches every level's data (and anything created there later), and scoped
    to another level's account it crosses the level boundary. The scope is what its value names
    *and* what it was computed from (``policies/references.py``): they must agree. Key grants to
    the storage identities are judged by identity-cmk-grant-scope.
    """
    yield from reference_violations(context, META.id)
    index = context.index
    for assignment in index.of_type(ROLE_ASSIGNMENT):
        if assignment.props.get("principalType") == "Group":
            yield from (Violation(m, assignment.urn) for m in _problems(index, assignment))


def _problems(index: StackIndex, assignment: Resource) -> Iterator[str]:
    declared = index.level(assignment)
    found = _DESCRIBED_LEVEL.search(text(assignment.props.get("description")))
    described = found[1] if found else None
    if described and declared and described != declared:
        yield f"the grant says it is for level {described} but is declared at level {declared}"
        return
    level = described or declared
    scopes = index.targets(assignment, "scope")
    if not scopes and index.disputed(assignment, "scope"):
        return  # the reference's own finding (above) says what is wrong with the value
    if not scopes:
        value = peek(assignment.props, "scope")
        arm = parse_arm_id(value)
        shown = arm.describe() if arm else describe(value)
        yield (
            f"scope names {shown}, which is not a container or storage account of this stack; a group "
            "grant reaches one zone or one level's account only"
        )
        return
    for target in scopes:
        kind = target.kind
        if target.type not in _SCOPES:
            yield (
                f"the grant is scoped to {kind} '{target.name}'; a group grant may be scoped only to a "
                "container or a storage account"
            )
        elif level is None or index.level(target) != level:
            yield (
                f"the grant for level {level or '?'} is scoped to {kind} '{target.name}' of level "
                f"{index.level(target) or '?'}; grants stay inside their own level"
            )


RULE = StackRule(META, check)
