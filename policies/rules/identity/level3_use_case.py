"""identity-level3-use-case: every group's access to level-3 data names an approved, unexpired use case,
and Azure itself ends that access when the use case expires; a partner's ingest-writer writes only
under a folder of its own in the shared landing zone.

"Approved" means listed in the stack config's use-case register (``tvt:useCases``, which the engine
sends in ``ConfigureStack``) with the same approval reference, level 3 and the same expiry: a
description is free text, so on its own it proves nothing. No register, no level-3 group access.
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
from policies.model import Violation
from policies.props import describe, text
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
        "assignment description and an ABAC condition (conditionVersion 2.0) that allows the role's "
        "blob data actions only while @Environment[UtcNow] DateTimeLessThan midnight UTC after that "
        "date and @Environment[isPrivateLink] BoolEquals true; an ingest-writer (read denied) also only "
        "while @Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] "
        "StringStartsWith '<partner-id>/'. Renew or remove grants whose use case expired."
    ),
    docs="https://ico.org.uk/for-organisations/uk-gdpr-guidance-and-resources/data-sharing/data-sharing-a-code-of-practice/",
)

USE_CASE = re.compile(r"Use case (\S+) \((\S+)\) expires (\d{4}-\d{2}-\d{2})")
_BLOBS = abac.BLOBS
WRITE_ACTIONS = frozenset(f"{_BLOBS}/{a}".lower() for a in ("write", "add/action", "move/action"))
CONDITION_VERSION = "2.0"
LEVEL_3 = "3"


def access_end(expiry: dt.date) -> dt.datetime:
    """Midnight UTC after the use case's expiry date: the latest moment Azure may still allow access."""
    return dt.datetime.combine(expiry + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def _moment(value: str) -> dt.datetime | None:
    """An ABAC DateTime literal ('2027-10-01T00:00:00.0Z'); naive values are UTC. None if unparseable."""
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def path_problems(condition: str) -> Iterator[str]:
    """An ingest-writer (its condition denies blob read) must write only under a folder of its own.

    Every partner's upload group writes to the one shared ``landing`` container; without a blob path
    prefix on the write actions, one partner could overwrite another partner's extracts.
    """
    read = f"{_BLOBS}/read".lower()
    blocks = [abac.OR.split(b, maxsplit=1) for b in abac.top_level_blocks(condition)]
    if not any(len(parts) == 1 and read in abac.targets(parts[0]) for parts in blocks):
        return
    # Blocks are AND-ed: an action is held to a folder when any block naming it denies it outright or
    # allows it only with a path prefix among expressions that no further OR loosens.
    bounded = {
        action
        for parts in blocks
        if len(parts) == 1 or (abac.PATH_STARTS_WITH.search(parts[1]) and not abac.OR.search(parts[1]))
        for action in abac.targets(parts[0])
    }
    unbounded = sorted(WRITE_ACTIONS - bounded)
    if unbounded:
        yield (
            "the condition denies blob read (an ingest-writer) but does not restrict "
            f"{', '.join(a.rsplit('/blobs/', 1)[-1] for a in unbounded)} to a folder "
            f"(@Resource[{_BLOBS}:path] StringStartsWith '<partner-id>/'), so one partner could overwrite "
            "another partner's extracts in the shared landing zone"
        )


def condition_problems(props: Mapping[str, Any], use_case: str, expiry: dt.date) -> Iterator[str]:
    """Why the assignment's ABAC condition would not end access at ``expiry`` over private link only.

    Every UtcNow upper bound in the condition counts, and the latest one must fall no later than
    midnight UTC after the expiry date: a looser bound anywhere would leave some action open.
    """
    condition = text(props.get("condition"))
    end = _stamp(access_end(expiry))
    if not condition.strip():
        yield (
            f"use case {use_case} expires {expiry.isoformat()} but the assignment has no ABAC condition, "
            f"so Azure would not end the access; expected conditionVersion '{CONDITION_VERSION}' and a "
            f"condition with @Environment[UtcNow] DateTimeLessThan '{end}' and "
            "@Environment[isPrivateLink] BoolEquals true"
        )
        return
    version = props.get("conditionVersion")
    if text(version) != CONDITION_VERSION:
        yield f"conditionVersion is {describe(version)}; expected '{CONDITION_VERSION}'"
    bounds = abac.utc_now_bounds(condition)
    moments = [_moment(b) for b in bounds]
    if not bounds:
        yield (
            f"use case {use_case} expires {expiry.isoformat()} but the condition has no "
            f"@Environment[UtcNow] DateTimeLessThan bound, so Azure would not end the access; expected "
            f"one no later than '{end}'"
        )
    elif None in moments:
        unparseable = next(b for b, m in zip(bounds, moments, strict=True) if m is None)
        yield (
            f"the condition's @Environment[UtcNow] DateTimeLessThan bound {unparseable!r} is not a "
            f"date-time like '{end}'"
        )
    else:
        latest = max(m for m in moments if m is not None)
        if latest > access_end(expiry):
            yield (
                f"the condition allows access until {_stamp(latest)}, after use case {use_case} expires "
                f"{expiry.isoformat()}; its UtcNow bound must be no later than {end}"
            )
    if not abac.PRIVATE_LINK.search(condition):
        yield (
            "the condition does not require private link (@Environment[isPrivateLink] BoolEquals true), "
            "so Azure would honour the grant over any network path the firewall lets through"
        )
    yield from path_problems(condition)


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
    Azure refuses the access once the use case expires even if nobody redeploys. An ingest-writer
    (a condition that denies blob read outright) must also deny write, add and move outright or allow
    them only under a blob path prefix (``StringStartsWith '<partner-id>/'``), its partner's folder.
    A group assignment whose scope resolves to no level at all is treated as level 3.
    """
    index = context.index
    for assignment in index.of_type(ROLE_ASSIGNMENT):
        if assignment.props.get("principalType") != "Group":
            continue
        level = index.level(assignment)
        if level not in (LEVEL_3, None):
            continue
        where = "level-3 data" if level else "a scope with no resolvable data level (treated as level 3)"
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
        if entry is not None and entry.expires < context.today:
            yield Violation(
                f"use case {use_case} ({entry.approval}) expired {entry.expires.isoformat()} according to "
                f"the register; group access to {where} must end or be re-approved",
                assignment.urn,
            )
            continue
        # The register is the authority on when access ends; the description only claims it.
        end = entry.expires if entry is not None else expiry
        for problem in condition_problems(assignment.props, use_case, end):
            yield Violation(f"group access to {where}: {problem}", assignment.urn)


RULE = StackRule(META, check)
