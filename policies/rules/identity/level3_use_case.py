"""identity-level3-use-case: every group's access to level-3 data names an approved, unexpired use case,
and Azure itself ends that access when the use case expires; a partner's ingest-writer writes only
under a folder of its own in the shared landing zone.

"Approved" means listed in the stack config's use-case register (``tvt:useCases``, which the engine
sends in ``ConfigureStack``) with the same approval reference, level 3 and the same expiry: a
description is free text, so on its own it proves nothing. No register, no level-3 group access.
The ABAC condition is judged by what it means (``policies/abac.py``), for every data action the
assignment's role grants; the partner a group belongs to comes from the partner register.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from policies import abac
from policies.catalog import ROLE_ASSIGNMENT
from policies.framework import Controls, Params, RuleMeta, StackContext, StackRule
from policies.model import Resource, Violation
from policies.partners import PartnerRegister
from policies.props import describe, text
from policies.roles import BLOB_READ, BLOB_WRITE, GrantedRole, assigned_role
from policies.stack_index import StackIndex
from policies.use_cases import USE_CASES_KEY, UseCase, UseCaseRegister

META = RuleMeta(
    id="identity-level3-use-case",
    title="Group access to level-3 data carries an approved, unexpired use case",
    severity=Severity.CRITICAL,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("9", "4"), mcsb=("PA-7",)),
    remediation=(
        "Give the grant a useCase listed in the stack config's tvt:useCases register (approved by the "
        "Data Ethics Committee for level 3, unexpired); the component writes "
        "'Use case <ID> (<approval>) expires <YYYY-MM-DD>.' into the "
        "assignment description and an ABAC condition (conditionVersion 2.0) that allows each of the "
        "role's data actions only while @Environment[UtcNow] DateTimeLessThan midnight UTC after that "
        "date and @Environment[isPrivateLink] BoolEquals true; a write-only role (ingest-writer) also "
        "only while @Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] "
        "StringStartsWith '<partner-id>/'. Renew or remove grants whose use case expired."
    ),
    docs="https://ico.org.uk/for-organisations/uk-gdpr-guidance-and-resources/data-sharing/data-sharing-a-code-of-practice/",
)

USE_CASE = re.compile(r"Use case (\S+) \((\S+)\) expires (\d{4}-\d{2}-\d{2})")
CONDITION_VERSION = "2.0"
LEVEL_3 = "3"


def access_end(expiry: dt.date) -> dt.datetime:
    """Midnight UTC after the use case's expiry date: the latest moment Azure may still allow access."""
    return dt.datetime.combine(expiry + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def _stamp(moment: dt.datetime) -> str:
    """A UTC moment (:func:`access_end`) as the condition writes it."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _short(actions: list[str]) -> str:
    return ", ".join(a.removeprefix(f"{abac.BLOBS}/") for a in actions)


def partner_folder(partners: PartnerRegister, principal: str) -> tuple[str | None, str | None]:
    """(the folder a write-only group may write under, '<partner-id>/'; or why there is none)."""
    if partners.problem is not None:
        return None, partners.problem
    owner = partners.owner(principal)
    if owner is None:
        return None, f"principal {principal} is no partner's group in the partner register"
    return f"{owner}/", None


def condition_problems(
    props: Mapping[str, Any], role: GrantedRole, use_case: str, expiry: dt.date, folder: str | None
) -> Iterator[str]:
    """Why the assignment's ABAC condition would not end ``role``'s access at ``expiry``, over
    private link only (and, with ``folder``, under that blob path only), for each data action.

    The condition is parsed and decided (``policies.abac.access``): whatever its shape, every
    request it lets through must be before midnight UTC after the expiry date and over private link.
    """
    condition = text(props.get("condition"))
    end = access_end(expiry)
    if not condition.strip():
        yield (
            f"use case {use_case} expires {expiry.isoformat()} but the assignment has no ABAC condition, "
            f"so Azure would not end the access; expected conditionVersion '{CONDITION_VERSION}' and a "
            f"condition with @Environment[UtcNow] DateTimeLessThan '{_stamp(end)}' and "
            "@Environment[isPrivateLink] BoolEquals true"
        )
        return
    version = props.get("conditionVersion")
    if text(version) != CONDITION_VERSION:
        yield f"conditionVersion is {describe(version)}; expected '{CONDITION_VERSION}'"
    try:
        tree = abac.parse(condition)
    except abac.AbacError as error:
        yield f"the ABAC condition is not understood ({error}), so what it allows cannot be shown"
        return
    late: list[str] = []
    public: list[str] = []
    anywhere: list[str] = []
    for action in role.data_actions:
        # The partner's folder is judged even where the condition names a narrower prefix.
        found = abac.access(tree, action, prefixes=[folder] if folder else [])
        if not found.allowed:
            continue
        if found.before is None or found.before > end:
            late.append(action)
        if not found.private_link:
            public.append(action)
        if folder is not None and folder not in found.prefixes:
            anywhere.append(action)
    if late:
        yield (
            f"the condition allows {_short(late)} after use case {use_case} expires {expiry.isoformat()}; "
            f"every request it lets through must be before {_stamp(end)}"
        )
    if public:
        yield (
            f"the condition allows {_short(public)} without private link "
            "(@Environment[isPrivateLink] BoolEquals true), so Azure would honour the grant over any "
            "network path the firewall lets through"
        )
    if anywhere:
        yield (
            "the role writes but cannot read (an ingest-writer), and the condition allows "
            f"{_short(anywhere)} outside its partner's folder (@Resource[{abac.BLOBS}:path] "
            f"StringStartsWith '{folder}'), so one partner could overwrite another partner's extracts in "
            "the shared landing zone"
        )


def register_problems(
    register: UseCaseRegister, use_case: str, approval: str, expiry: dt.date
) -> tuple[UseCase | None, list[str]]:
    """The register's entry for the described use case, and every way the description disagrees with it.

    The entry is returned only when it exists; the caller then bounds access by the register's
    expiry, not the description's.
    """
    if register.problem is not None:
        return None, [register.problem]
    entry = register.get(use_case)
    if entry is None:
        return None, [
            f"use case {use_case} is not in the stack's approved use-case register ({USE_CASES_KEY}); "
            "only a use case the Data Ethics Committee approved may grant level-3 access"
        ]
    problems = []
    if entry.approval != approval:
        problems.append(
            f"use case {use_case} names approval {approval} but the register records {entry.approval}"
        )
    if entry.level != int(LEVEL_3):
        problems.append(f"use case {use_case} is approved for level {entry.level} data, not level {LEVEL_3}")
    if entry.expires != expiry:
        problems.append(
            f"use case {use_case} is described as expiring {expiry.isoformat()} but the register "
            f"records {entry.expires.isoformat()}"
        )
    return entry, problems


def check(context: StackContext, params: Params) -> Iterator[Violation]:
    """Group access to level 3 names a registered, unexpired use case; its ABAC condition ends it
    then, privately.

    Identifiable data is shared only for a purpose the Data Ethics Committee approved, and only
    while that approval lasts; an expired use case means the legal basis for this access has
    lapsed. The description must say 'Use case <ID> (<approval>) expires <date>' with a date not in
    the past, and that use case must be in the stack config's register (``tvt:useCases``) with the
    same approval, level 3 and the same expiry; without a register (or with a malformed one) every
    level-3 group grant fails. The assignment must carry an ABAC condition (version 2.0) whose
    ``@Environment[UtcNow] DateTimeLessThan`` bound is no later than midnight UTC after the
    register's expiry date and which requires ``@Environment[isPrivateLink] BoolEquals true``, so
    Azure refuses the access once the use case expires even if nobody redeploys. That is decided
    for each data action the role grants, from what the parsed condition lets through, never from
    how it looks. A write-only role (an ingest-writer) must also write only under its partner's
    folder (``StringStartsWith '<partner-id>/'``, the partner register's owner of the group). An
    assignment is level 3 when it is declared at level 3 or scoped to level-3 data, and a group
    assignment whose level cannot be resolved is treated as level 3.
    """
    index = context.index
    for assignment in index.of_type(ROLE_ASSIGNMENT):
        if assignment.props.get("principalType") != "Group":
            continue
        levels = _levels(index, assignment)
        if LEVEL_3 not in levels and None not in levels:
            continue
        where = (
            "level-3 data"
            if LEVEL_3 in levels
            else "a scope with no resolvable data level (treated as level 3)"
        )
        match = USE_CASE.search(text(assignment.props.get("description")))
        if match is None:
            yield Violation(
                f"group access to {where} names no use case ('Use case <ID> (<approval>) expires <date>')",
                assignment.urn,
            )
            continue
        use_case, approval, expires = match.groups()
        try:
            expiry = dt.date.fromisoformat(expires)
        except ValueError:
            yield Violation(f"use case {use_case}: expiry {expires!r} is not a valid date", assignment.urn)
            continue
        if expiry < context.today:
            yield Violation(
                f"use case {use_case} ({approval}) expired {expires}; group access to {where} must end or "
                "be re-approved",
                assignment.urn,
            )
            continue
        entry, problems = register_problems(context.use_cases, use_case, approval, expiry)
        for problem in problems:
            yield Violation(f"group access to {where}: {problem}", assignment.urn)
        if context.use_cases.problem is not None:
            continue  # no register to trust: the grant already fails, nothing else can be shown
        if entry is not None and entry.expires < context.today:
            yield Violation(
                f"use case {use_case} ({entry.approval}) expired {entry.expires.isoformat()} according to "
                f"the register; group access to {where} must end or be re-approved",
                assignment.urn,
            )
            continue
        # The register is the authority on when access ends; the description only claims it.
        end = entry.expires if entry is not None else expiry
        for problem in _grant_problems(context, assignment, use_case, end):
            yield Violation(f"group access to {where}: {problem}", assignment.urn)


def _levels(index: StackIndex, assignment: Resource) -> set[str | None]:
    """The level the assignment is declared at and the levels of what it is scoped to."""
    scopes = index.targets(assignment, "scope")
    return {index.level(assignment), *(index.level(t) for t in scopes)}


def _grant_problems(
    context: StackContext, assignment: Resource, use_case: str, end: dt.date
) -> Iterator[str]:
    role = assigned_role(context.index, assignment)
    if role is None and context.index.disputed(assignment, "roleDefinitionId"):
        return  # identity-role-allow-list reports what the role id fails to name
    if role is None:
        yield (
            f"role {describe(assignment.props.get('roleDefinitionId'))} is neither a built-in role the pack "
            "knows nor a role definition of this stack, so which data actions it grants is unknown"
        )
        return
    folder = None
    if role.grants(BLOB_WRITE) and not role.grants(BLOB_READ):
        folder, why = partner_folder(context.partners, text(assignment.props.get("principalId")))
        if why is not None:
            yield f"a write-only role must be confined to its partner's folder, but {why}"
            return
    yield from condition_problems(assignment.props, role, use_case, end, folder)


RULE = StackRule(META, check)
