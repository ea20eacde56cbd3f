"""identity-level3-use-case: every group's access to level-3 data names an approved, unexpired use case."""

from __future__ import annotations

from typing import Any

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.partners import PARTNERS_KEY
from policies.use_cases import ABSENT
from tests.conftest import TODAY
from tests.policies.baselines import (
    ACCESS_END,
    BLOB_ADD,
    BLOB_READ,
    BLOB_WRITE,
    BLOBS,
    PRIVATE_LINK,
    TVT_ROLES,
    USE_CASES,
    Stack,
    compliant_stack,
    condition,
    reader_condition,
)
from tests.policies.cases import (
    DELETE,
    Case,
    Mutation,
    Once,
    Variant,
    chain,
    drop_ref,
    foreign,
    once_tests,
    refer,
    retarget,
    rule_tests,
    set_input,
    set_prop,
    variant_tests,
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


INGEST = "l3-grant-tvp-data-ingest-upload"
UNTIL = f"@Environment[UtcNow] DateTimeLessThan '{ACCESS_END}'"
READ_ONLY = f"!(ActionMatches{{'{BLOB_READ}'}})"


def ingest_condition(folder: str | None) -> str:
    """A level-3 ingest-writer's condition, its writes confined to ``folder`` or anywhere."""
    return condition(TVT_ROLES["ingest-writer"], end=ACCESS_END, private_link=True, prefix=folder)


def reader(expressions: str) -> str:
    """A level-3 reader's condition with these expressions after its OR."""
    return f"( ( {READ_ONLY} ) OR ( {expressions} ) )"


CASES = [
    Case(
        "level-3 grant without use case",
        set_prop(L3_GRANT, "description", "TVT grant: reader for tvp-analysts on level 3 zone matched."),
        "group access to level-3 data names no use case",
        L3_GRANT,
    ),
    Case(
        "use case expired",
        set_prop(
            L3_GRANT,
            "description",
            "TVT grant: reader. Use case UC-2025-009 (DEC-2025-01) expires 2026-05-31.",
        ),
        "use case UC-2025-009 (DEC-2025-01) expired 2026-05-31",
        L3_GRANT,
    ),
    Case(
        "a level-1 grant rescoped onto level-3 data",
        retarget("l1-grant-vru-analysts", "scope", "scope", "l3-container-matched"),
        "group access to level-3 data names no use case",
        "l1-grant-vru-analysts",
        also=frozenset({"identity-grant-scope"}),
    ),
    Case(
        "no ABAC condition: access outlives the use case",
        chain(set_prop(L3_GRANT, "condition"), set_prop(L3_GRANT, "conditionVersion")),
        "group access to level-3 data: use case UC-2026-001 expires 2027-09-30 but the assignment has "
        "no ABAC condition",
        L3_GRANT,
    ),
    Case(
        "no ABAC condition in what is requested, the outputs still showing one",
        set_input(L3_GRANT, "condition"),
        "but the assignment has no ABAC condition",
        L3_GRANT,
    ),
    Case(
        "condition version 1.0",
        set_prop(L3_GRANT, "conditionVersion", "1.0"),
        "conditionVersion is '1.0'; expected '2.0'",
        L3_GRANT,
    ),
    # The condition is judged by what it means, for every data action the role grants.
    Case(
        "AND turned into OR",
        set_prop(L3_GRANT, "condition", reader(f"{UNTIL} OR {PRIVATE_LINK}")),
        "the condition allows read after use case UC-2026-001 expires 2027-09-30",
        L3_GRANT,
    ),
    Case(
        "an always-true OR clause added",
        set_prop(
            L3_GRANT,
            "condition",
            reader_condition(ACCESS_END, private_link=True)[:-2] + f" OR ( ActionMatches{{'{BLOBS}/*'}} ) )",
        ),
        "the condition allows read after use case UC-2026-001 expires",
        L3_GRANT,
    ),
    Case(
        "the bound targets the wrong action",
        set_prop(
            L3_GRANT, "condition", reader_condition(ACCESS_END, private_link=True).replace("/read", "/delete")
        ),
        "the condition allows read after use case UC-2026-001 expires",
        L3_GRANT,
    ),
    Case(
        "private link required to be false",
        set_prop(L3_GRANT, "condition", reader(f"{UNTIL} AND @Environment[isPrivateLink] BoolEquals false")),
        "the condition allows read without private link",
        L3_GRANT,
    ),
    Case(
        "the whole condition negated",
        set_prop(L3_GRANT, "condition", f"!({reader_condition(ACCESS_END, private_link=True)})"),
        "the condition allows read after use case UC-2026-001 expires",
        L3_GRANT,
    ),
    Case(
        "AND and OR mixed without parentheses",
        set_prop(L3_GRANT, "condition", f"( {READ_ONLY} OR {UNTIL} AND {PRIVATE_LINK} )"),
        "the ABAC condition is not understood (AND and OR are mixed without parentheses",
        L3_GRANT,
    ),
    Case(
        "an attribute the pack does not understand",
        set_prop(
            L3_GRANT,
            "condition",
            reader(f"{UNTIL} AND {PRIVATE_LINK} AND @Request[{BLOBS}:path] StringLike '*'"),
        ),
        "the ABAC condition is not understood (attribute @Request",
        L3_GRANT,
    ),
    Case(
        "condition with no time bound",
        set_prop(L3_GRANT, "condition", reader(PRIVATE_LINK)),
        "the condition allows read after use case UC-2026-001 expires 2027-09-30",
        L3_GRANT,
    ),
    Case(
        "time bound not a date-time",
        set_prop(L3_GRANT, "condition", reader_condition("end of September 2027", private_link=True)),
        "the ABAC condition is not understood (@Environment[UtcNow] needs a quoted date-time",
        L3_GRANT,
    ),
    Case(
        "time bound a day after the expiry date",
        set_prop(L3_GRANT, "condition", reader_condition("2027-10-02T00:00:00.0Z", private_link=True)),
        "the condition allows read after use case UC-2026-001 expires 2027-09-30; every request it lets "
        "through must be before 2027-10-01T00:00:00Z",
        L3_GRANT,
    ),
    Case(
        "no private-link requirement",
        set_prop(L3_GRANT, "condition", reader_condition(ACCESS_END, private_link=False)),
        "the condition allows read without private link (@Environment[isPrivateLink] BoolEquals true)",
        L3_GRANT,
    ),
    Case(
        "ingest-writer may write anywhere in the shared landing zone",
        set_prop(INGEST, "condition", ingest_condition(None)),
        "the role writes but cannot read (an ingest-writer), and the condition allows write, add/action "
        "outside its partner's folder",
        INGEST,
    ),
    Case(
        "ingest-writer confined to another partner's folder",
        set_prop(INGEST, "condition", ingest_condition("oxfordshire-county-council/")),
        "StringStartsWith 'thames-valley-police/'",
        INGEST,
    ),
    Case(
        "ingest-writer's group is no partner's",
        set_prop(INGEST, "principalId", "3c4d5e6f-7a8b-4c3d-8e4f-5a6b7c8d9e0f"),
        "a write-only role must be confined to its partner's folder, but principal "
        "3c4d5e6f-7a8b-4c3d-8e4f-5a6b7c8d9e0f is no partner's group in the partner register",
        INGEST,
    ),
    Case(
        "no partner register: fail closed",
        set_config(PARTNERS_KEY),
        "but no partner register in the stack config (tvt:partners)",
        INGEST,
    ),
    Case(
        "a role neither built in nor declared by the stack",
        chain(
            set_prop(L3_GRANT, "roleDefinitionId", foreign("Microsoft.Authorization/roleDefinitions/x")),
            set_prop(
                L3_GRANT,
                "roleDefinitionId",
                "/subscriptions/00000000-0000-4000-8000-000000000000/providers/Microsoft.Authorization/"
                "roleDefinitions/4d5e6f7a-8b9c-4d4e-9f5a-6b7c8d9e0f1a",
            ),
            drop_ref(L3_GRANT, "roleDefinitionId"),
        ),
        "which data actions it grants is unknown",
        L3_GRANT,
        also=frozenset({"identity-role-allow-list"}),
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
        "the condition allows read after use case UC-2026-001 expires 2027-09-30",
        L3_GRANT,
    ),
    Case(
        "level-2 use case used for level-3 access",
        l3_use_case("UC-2026-003", "DEC-2026-03", "2027-09-30"),
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

# A grant that fails one check leaves the next grant still judged (the ingest grant, after L3_GRANT).
INGEST_UNBOUND = chain(set_prop(INGEST, "condition"), set_prop(INGEST, "conditionVersion"))
FIRST_FAILS = {
    "names no use case": set_prop(L3_GRANT, "description", "TVT grant: reader for tvp-analysts."),
    "has an invalid expiry": l3_use_case("UC-2026-001", "DEC-2026-03", "2027-02-30"),
    "expired by its description": l3_use_case("UC-2025-009", "DEC-2025-01", "2026-05-31"),
    "expired by the register": chain(
        register_use_case("UC-2026-005", 3, "DEC-2026-08", "2026-05-31"),
        l3_use_case("UC-2026-005", "DEC-2026-08", "2027-09-30"),
    ),
}
CASES += [
    Case(
        f"the first level-3 grant {why}, the next one has no condition",
        chain(first, INGEST_UNBOUND),
        "but the assignment has no ABAC condition",
        INGEST,
    )
    for why, first in FIRST_FAILS.items()
]
CASES += [
    Case(
        "an expiry that is no date",
        l3_use_case("UC-2026-001", "DEC-2026-03", "2027-02-30"),
        "use case UC-2026-001: expiry '2027-02-30' is not a valid date",
        L3_GRANT,
    ),
    Case(
        "the first data action refused outright, the second allowed without bounds",
        chain(
            set_prop("l3-role-ingest-writer", "permissions.0.dataActions", [BLOB_ADD, BLOB_WRITE]),
            set_prop(INGEST, "condition", f"!(ActionMatches{{'{BLOB_ADD}'}})"),
        ),
        "the condition allows write after use case UC-2026-001 expires",
        INGEST,
        also=frozenset({"identity-role-allow-list"}),
    ),
]

TODAY_END = "2026-06-02T00:00:00.0Z"  # midnight UTC after the pinned day (tests/conftest.py)
VARIANTS = [
    Variant(
        "a use case that expires today",
        chain(
            register_use_case("UC-2026-007", 3, "DEC-2026-09", TODAY),
            l3_use_case("UC-2026-007", "DEC-2026-09", TODAY),
            set_prop(L3_GRANT, "condition", reader_condition(TODAY_END, private_link=True)),
        ),
    ),
    Variant(
        "an ingest-writer confined to a folder inside its partner's",
        set_prop(INGEST, "condition", ingest_condition("thames-valley-police/extracts/")),
    ),
    Variant(
        "a level-3 contributor (it reads, so no partner folder)",
        chain(
            set_prop("l3-role-reader", "permissions.0.dataActions", list(TVT_ROLES["contributor"])),
            set_prop(
                L3_GRANT, "condition", condition(TVT_ROLES["contributor"], end=ACCESS_END, private_link=True)
            ),
        ),
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
test_compliant_variant = variant_tests(RULE, VARIANTS)

# What the role id fails to name is identity-role-allow-list's one finding; this rule adds nothing.
ONCE = [
    Once(
        "the role id names level 1's reader, its dependency still level 3's",
        refer(L3_GRANT, "roleDefinitionId", "l1-role-reader"),
        "identity-role-allow-list",
        "but was computed from RoleDefinition 'l3-role-reader'",
        L3_GRANT,
    ),
    Once(
        "the role id unknown, with no dependency",
        chain(
            set_prop(L3_GRANT, "roleDefinitionId", UNKNOWN_STRING_VALUE),
            drop_ref(L3_GRANT, "roleDefinitionId"),
        ),
        "identity-role-allow-list",
        "roleDefinitionId is unknown and not computed from a RoleDefinition of this stack",
        L3_GRANT,
    ),
]
test_reported_once = once_tests(RULE, ONCE)


# Beyond the cases: the rule reads the register from ConfigureStack, and fails closed without one.


def _level3(findings: list[Hit]) -> list[Hit]:
    return [f for f in findings if f.rule == RULE]


LEVEL3_GROUP_GRANTS = [L3_GRANT, INGEST]


def test_baseline_with_its_register_passes() -> None:
    stack = compliant_stack()
    assert {u["id"] for u in stack.config[USE_CASES]} == {"UC-2026-001", "UC-2026-003"}
    assert not _level3(run(analyzer(load_config("prod")), stack))


def test_without_configure_stack_every_level3_grant_fails_closed() -> None:
    stack = compliant_stack()
    findings = _level3(run(analyzer(load_config("prod")), stack, configure_stack=False))
    assert {(f.urn, f.level) for f in findings} == {
        (stack[g].urn, "mandatory") for g in LEVEL3_GROUP_GRANTS
    }, describe(findings)
    assert f"group access to level-3 data: {ABSENT}" in {f.message for f in findings}


def test_level1_grants_do_not_need_a_register() -> None:
    stack = compliant_stack()
    for grant in (*LEVEL3_GROUP_GRANTS, "l2-grant-vru-analysts"):
        stack.remove(grant)
    del stack.config[USE_CASES]
    assert not _level3(run(analyzer(load_config("prod")), stack))


def test_a_later_configure_stack_replaces_the_register() -> None:
    # One analyzer, two stacks: the second's config is the one that counts.
    servicer = analyzer(load_config("prod"))
    assert not _level3(run(servicer, compliant_stack()))
    without = compliant_stack()
    without.config = {k: v for k, v in without.config.items() if k != USE_CASES}
    assert {f.message for f in _level3(run(servicer, without))} == {f"group access to level-3 data: {ABSENT}"}
