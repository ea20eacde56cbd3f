"""identity-level3-use-case: every group's access to level-3 data names an approved, unexpired use case."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import ROLE_ASSIGNMENT
from policies.framework import Controls, Params, RuleMeta, StackContext, StackRule
from policies.model import Violation
from policies.props import text

META = RuleMeta(
    id="identity-level3-use-case",
    title="Group access to level-3 data carries an approved, unexpired use case",
    severity=Severity.CRITICAL,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("9", "4"), mcsb=("PA-7",)),
    remediation=(
        "Give the grant a useCase in the stack config (approved by the Data Ethics Committee, "
        "unexpired); the component writes 'Use case <ID> (<approval>) expires <YYYY-MM-DD>.' into the "
        "assignment description. Renew or remove grants whose use case expired."
    ),
    docs="https://ico.org.uk/for-organisations/uk-gdpr-guidance-and-resources/data-sharing/data-sharing-a-code-of-practice/",
)

USE_CASE = re.compile(r"Use case (\S+) \((\S+)\) expires (\d{4}-\d{2}-\d{2})")
LEVEL_3 = "3"


def check(context: StackContext, params: Params) -> Iterator[Violation]:
    """Group access to level 3 says 'Use case <ID> (<approval>) expires <date>' with a date not in the past.

    Identifiable data is shared only for a purpose the Data Ethics Committee approved, and only
    while that approval lasts; an expired use case means the legal basis for this access has
    lapsed. A group assignment whose scope resolves to no level at all is treated as level 3.
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


RULE = StackRule(META, check)
