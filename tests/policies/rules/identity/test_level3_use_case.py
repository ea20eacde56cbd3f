"""identity-level3-use-case: every group's access to level-3 data names an approved, unexpired use case."""

from __future__ import annotations

from typing import Any

from policies.use_cases import ABSENT
from tests.policies.baselines import (
    BLOB_READ,
    PRIVATE_LINK,
    USE_CASES,
    Stack,
    compliant_stack,
    reader_condition,
)
from tests.policies.cases import (
    DELETE,
    Case,
    Mutation,
    chain,
    drop_ref,
    rule_tests,
    set_prop,
)
from tests.policies.harness import Hit, analyzer, describe, load_config, run

RULE = "identity-level3-use-case"


def set_config(key: str, value: Any = DELETE) -> Mutation:
    """Set (or delete) a key of the stack config the harness sends in ``ConfigureStack``."""

    def mutate(stack: Stack) -> None:
        if value is DELETE:
            del stack.config[key]
        else:
            stack.config[key] = value

    return mutate


def register_use_case(use_case: str, level: int, approval: str, expires: str) -> Mutation:
    """Add an approved use case to the stack config's register."""

    def mutate(stack: Stack) -> None:
        stack.config[USE_CASES].append(
            {"id": use_case, "title": use_case, "level": level, "approval": approval, "expires": expires}
        )

    return mutate


L3_GRANT = "l3-grant-tvp-analysts"


def l3_use_case(use_case: str, approval: str, expires: str) -> Mutation:
    """The level-3 grant claims this use case in its description (its ABAC condition unchanged)."""
    return set_prop(
        L3_GRANT,
        "description",
        f"TVT grant: reader for tvp-analysts on l3/matched. Use case {use_case} ({approval}) "
        f"expires {expires}.",
    )


def ingest_writer_condition(folder: str | None) -> str:
    """A level-3 ingest-writer's condition (read and delete denied), its writes in ``folder`` or anywhere."""
    blobs = BLOB_READ.rsplit("/", 1)[0]
    deny = f"( ( !(ActionMatches{{'{BLOB_READ}'}}) AND !(ActionMatches{{'{blobs}/delete'}}) ) )"
    writes = " AND ".join(
        f"!(ActionMatches{{'{blobs}/{a}'}})" for a in ("write", "add/action", "move/action")
    )
    expressions = ["@Environment[UtcNow] DateTimeLessThan '2027-10-01T00:00:00.0Z'", PRIVATE_LINK]
    if folder is not None:
        expressions.append(f"@Resource[{blobs}:path] StringStartsWith '{folder}'")
    return f"{deny} AND ( ( {writes} ) OR ( {' AND '.join(expressions)} ) )"


def reader_condition_without_bound() -> str:
    """A level-3 reader's condition that requires private link but sets no end date."""
    return f"( ( !(ActionMatches{{'{BLOB_READ}'}}) ) OR ( {PRIVATE_LINK} ) )"


CASES = [
    Case(
        "level-3 grant without use case",
        set_prop("l3-grant-tvp-analysts", "description", "TVT grant: reader for tvp-analysts on l3/matched."),
        "group access to level-3 data names no use case",
        "l3-grant-tvp-analysts",
    ),
    Case(
        "use case expired",
        set_prop(
            "l3-grant-tvp-analysts",
            "description",
            "TVT grant: reader. Use case UC-2025-009 (DEC-2025-01) expires 2026-05-31.",
        ),
        "use case UC-2025-009 (DEC-2025-01) expired 2026-05-31",
        "l3-grant-tvp-analysts",
    ),
    Case(
        "scope of no known level",
        drop_ref("l1-grant-vru-analysts", "scope"),
        "no resolvable data level (treated as level 3)",
        "l1-grant-vru-analysts",
    ),
    Case(
        "no ABAC condition: access outlives the use case",
        chain(
            set_prop("l3-grant-tvp-analysts", "condition"),
            set_prop("l3-grant-tvp-analysts", "conditionVersion"),
        ),
        "group access to level-3 data: use case UC-2026-001 expires 2027-09-30 but the assignment has "
        "no ABAC condition",
        "l3-grant-tvp-analysts",
    ),
    Case(
        "condition version 1.0",
        set_prop("l3-grant-tvp-analysts", "conditionVersion", "1.0"),
        "conditionVersion is '1.0'; expected '2.0'",
        "l3-grant-tvp-analysts",
    ),
    Case(
        "ingest-writer may write anywhere in the shared landing zone",
        set_prop("l3-grant-tvp-analysts", "condition", ingest_writer_condition(None)),
        "group access to level-3 data: the condition denies blob read (an ingest-writer) but does not "
        "restrict add/action, move/action, write to a folder "
        "(@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] "
        "StringStartsWith '<partner-id>/')",
        "l3-grant-tvp-analysts",
    ),
    Case(
        "condition with no time bound",
        set_prop("l3-grant-tvp-analysts", "condition", reader_condition_without_bound()),
        "the condition has no @Environment[UtcNow] DateTimeLessThan bound",
        "l3-grant-tvp-analysts",
    ),
    Case(
        "time bound not a date-time",
        set_prop(
            "l3-grant-tvp-analysts",
            "condition",
            reader_condition("end of September 2027", private_link=True),
        ),
        "DateTimeLessThan bound 'end of September 2027' is not a date-time like '2027-10-01T00:00:00Z'",
        "l3-grant-tvp-analysts",
    ),
    Case(
        "time bound a day after the expiry date",
        set_prop(
            "l3-grant-tvp-analysts",
            "condition",
            reader_condition("2027-10-02T00:00:00.0Z", private_link=True),
        ),
        "the condition allows access until 2027-10-02T00:00:00Z, after use case UC-2026-001 expires "
        "2027-09-30; its UtcNow bound must be no later than 2027-10-01T00:00:00Z",
        "l3-grant-tvp-analysts",
    ),
    Case(
        "no private-link requirement",
        set_prop(
            "l3-grant-tvp-analysts",
            "condition",
            reader_condition("2027-10-01T00:00:00.0Z", private_link=False),
        ),
        "the condition does not require private link (@Environment[isPrivateLink] BoolEquals true)",
        "l3-grant-tvp-analysts",
    ),
    # The description is free text: what it claims must match the stack's approved register.
    Case(
        "hand-written use case that was never approved",
        l3_use_case("UC-9999-999", "DEC-X", "2099-01-01"),
        "use case UC-9999-999 is not in the stack's approved use-case register (tvt:useCases)",
        L3_GRANT,
    ),
    Case(
        "approval reference not the register's",
        l3_use_case("UC-2026-001", "DEC-2026-99", "2027-09-30"),
        "use case UC-2026-001 names approval DEC-2026-99 but the register records DEC-2026-03",
        L3_GRANT,
    ),
    Case(
        "expiry later than the register's",
        l3_use_case("UC-2026-001", "DEC-2026-03", "2028-09-30"),
        "use case UC-2026-001 is described as expiring 2028-09-30 but the register records 2027-09-30",
        L3_GRANT,
    ),
    Case(
        "ABAC bound follows the description, not the register",
        chain(
            l3_use_case("UC-2026-001", "DEC-2026-03", "2028-09-30"),
            set_prop(L3_GRANT, "condition", reader_condition("2028-10-01T00:00:00.0Z", private_link=True)),
        ),
        "the condition allows access until 2028-10-01T00:00:00Z, after use case UC-2026-001 expires "
        "2027-09-30",
        L3_GRANT,
    ),
    Case(
        "level-2 use case used for level-3 access",
        chain(
            register_use_case("UC-2026-003", 2, "DEC-2026-04", "2027-09-30"),
            l3_use_case("UC-2026-003", "DEC-2026-04", "2027-09-30"),
        ),
        "use case UC-2026-003 is approved for level 2 data, not level 3",
        L3_GRANT,
    ),
    Case(
        "register expired though the description says otherwise",
        chain(
            register_use_case("UC-2026-005", 3, "DEC-2026-08", "2026-05-31"),
            l3_use_case("UC-2026-005", "DEC-2026-08", "2027-09-30"),
        ),
        "use case UC-2026-005 (DEC-2026-08) expired 2026-05-31 according to the register",
        L3_GRANT,
    ),
    Case(
        "no register in the stack config: fail closed",
        set_config(USE_CASES),
        "group access to level-3 data: no approved use-case register in the stack config (tvt:useCases)",
        L3_GRANT,
    ),
    Case(
        "register not JSON",
        set_config(USE_CASES, '[{"id": "UC-2026-001", '),
        "the use-case register tvt:useCases in the stack config is malformed: not JSON",
        L3_GRANT,
    ),
    Case(
        "register entry without an expiry",
        set_config(USE_CASES, [{"id": "UC-2026-001", "level": 3, "approval": "DEC-2026-03"}]),
        "is malformed: [0] (UC-2026-001).expires: expected a date YYYY-MM-DD, got None",
        L3_GRANT,
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)


# Beyond the cases: the rule reads the register from ConfigureStack, and fails closed without one.


def _level3(findings: list[Hit]) -> list[Hit]:
    return [f for f in findings if f.rule == RULE]


def test_baseline_with_its_register_passes() -> None:
    stack = compliant_stack()
    assert [u["id"] for u in stack.config[USE_CASES]] == ["UC-2026-001"]
    assert not _level3(run(analyzer(load_config("prod")), stack))


def test_ingest_writer_confined_to_its_partner_folder_passes() -> None:
    stack = compliant_stack()
    stack["l3-grant-tvp-analysts"].props["condition"] = ingest_writer_condition("thames-valley-police/")
    assert not _level3(run(analyzer(load_config("prod")), stack))


def test_without_configure_stack_every_level3_grant_fails_closed() -> None:
    stack = compliant_stack()
    findings = _level3(run(analyzer(load_config("prod")), stack, configure_stack=False))
    assert [(f.urn, f.level) for f in findings] == [(stack["l3-grant-tvp-analysts"].urn, "mandatory")], (
        describe(findings)
    )
    assert findings[0].message == f"group access to level-3 data: {ABSENT}"


def test_level1_grants_do_not_need_a_register() -> None:
    stack = compliant_stack()
    stack.remove("l3-grant-tvp-analysts")
    del stack.config[USE_CASES]
    assert not _level3(run(analyzer(load_config("prod")), stack))


def test_a_later_configure_stack_replaces_the_register() -> None:
    # One analyzer, two stacks: the second's config is the one that counts.
    servicer = analyzer(load_config("prod"))
    assert not _level3(run(servicer, compliant_stack()))
    without = compliant_stack()
    without.config = {}
    assert [f.message for f in _level3(run(servicer, without))] == [f"group access to level-3 data: {ABSENT}"]
