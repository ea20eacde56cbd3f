"""policies/abac.py: one grammar for ABAC conditions, and a decision of what a condition guarantees."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.abac import (
    BLOB_PATH,
    BLOBS,
    PRIVATE_LINK,
    UTC_NOW,
    AbacError,
    Access,
    Action,
    And,
    Compare,
    Node,
    Not,
    Or,
    Request,
    access,
    access_by_enumeration,
    holds,
    moment_of,
    parse,
)

READ, WRITE, DELETE = (f"{BLOBS}/{a}" for a in ("read", "write", "delete"))
END = dt.datetime(2027, 10, 1, tzinfo=dt.UTC)
UNTIL = "@Environment[UtcNow] DateTimeLessThan '2027-10-01T00:00:00.0Z'"
LINKED = "@Environment[isPrivateLink] BoolEquals true"
FOLDER = f"@Resource[{BLOBS}:path] StringStartsWith 'tvp/'"
READER = f"( ( !(ActionMatches{{'{READ}'}}) ) OR ( {UNTIL} AND {LINKED} ) )"


def test_the_documented_shape_parses_into_its_tree() -> None:
    assert parse(READER) == Or(
        (
            Not(Action(READ)),
            And((Compare(UTC_NOW, "DateTimeLessThan", END), Compare(PRIVATE_LINK, "BoolEquals", True))),
        )
    )


def test_spacing_case_and_spelling_of_operators_do_not_change_the_tree() -> None:
    loose = (
        f"(\n  (\n    NOT ( actionmatches {{ '{READ}' }} )\n  )\n  || ( @environment [ utcnow ] "
        "datetimelessthan '2027-10-01T00:00:00.0Z' && @Environment[isPrivateLink] boolequals TRUE ) )"
    )
    assert parse(loose) == parse(READER)
    assert parse(READER.replace("'", '"')) == parse(READER)


@pytest.mark.parametrize(
    ("condition", "why"),
    [
        ("", "the condition is empty"),
        ("(", "expected an expression, found the end"),
        (f"{READER} )", r"unexpected '\)'"),
        (f"( {UNTIL} AND {LINKED} OR {FOLDER} )", "AND and OR are mixed without parentheses"),
        (
            "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'x'",
            "not one",
        ),
        ("@Environment[UtcNow] DateTimeLessThanEquals '2027-01-01T00:00:00Z'", "not understood"),
        ("@Environment[UtcNow] DateTimeLessThan 'end of September'", "needs a quoted date-time"),
        ("@Environment[UtcNow] DateTimeLessThan 2027-01-01", "unexpected '2'"),
        ("@Environment[UtcNow] DateTimeLessThan true", "needs a quoted date-time"),
        ("@Environment[isPrivateLink] BoolEquals maybe", "needs true or false"),
        (f"{BLOB_PATH} StringStartsWith tvp", "needs a quoted string"),
        (f"{BLOB_PATH} StringLike 'tvp/*'", "not understood"),
        ("SubOperationMatches{'Blob.List'}", "unexpected '{'"),
        ("{'a'} ForAnyOfAnyValues:StringEquals {'b'}", "unexpected '{'"),
        (f"!(ActionMatches{{'{READ}'}}) AND", "expected an expression, found the end"),
        (f"ActionMatches{{'{READ}'}} {UNTIL}", "after a complete expression"),
        ("@Environment[UtcNow]", "expected an operator"),
        (f"{BLOB_PATH} StringEquals", "expected a value"),
    ],
)
def test_what_the_grammar_does_not_understand_is_refused(condition: str, why: str) -> None:
    with pytest.raises(AbacError, match=why):
        parse(condition)


def _at(action: str = READ, now: dt.datetime = END, link: bool = True, path: str = "tvp/x.csv") -> Request:
    return Request(action, now, link, path)


def test_each_atom_means_what_azure_says() -> None:
    before, after = END - dt.timedelta(seconds=1), END
    assert holds(Compare(UTC_NOW, "DateTimeLessThan", END), _at(now=before))
    assert not holds(Compare(UTC_NOW, "DateTimeLessThan", END), _at(now=after))
    assert holds(Compare(UTC_NOW, "DateTimeGreaterThan", before), _at(now=after))
    assert not holds(Compare(UTC_NOW, "DateTimeGreaterThan", END), _at(now=after))
    assert holds(Compare(PRIVATE_LINK, "BoolEquals", True), _at(link=True))
    assert not holds(Compare(PRIVATE_LINK, "BoolEquals", True), _at(link=False))
    assert holds(Compare(PRIVATE_LINK, "BoolNotEquals", True), _at(link=False))
    assert holds(Compare(PRIVATE_LINK, "BoolEquals", False), _at(link=False))
    assert holds(Compare(BLOB_PATH, "StringStartsWith", "tvp/"), _at(path="tvp/a"))
    assert not holds(Compare(BLOB_PATH, "StringStartsWith", "tvp/"), _at(path="occ/a"))
    assert holds(Compare(BLOB_PATH, "StringNotStartsWith", "tvp/"), _at(path="occ/a"))
    assert holds(Compare(BLOB_PATH, "StringEquals", "tvp/a"), _at(path="tvp/a"))
    assert not holds(Compare(BLOB_PATH, "StringEquals", "tvp/a"), _at(path="tvp/ab"))
    assert holds(Compare(BLOB_PATH, "StringNotEquals", "tvp/a"), _at(path="tvp/ab"))


def test_action_patterns_match_without_case_and_with_wildcards() -> None:
    assert holds(Action(READ.upper()), _at(READ))
    assert holds(Action(f"{BLOBS}/*"), _at(DELETE))
    assert not holds(Action(f"{BLOBS}/*/action"), _at(DELETE))
    assert not holds(Action(READ), _at(f"{READ}x"))
    assert holds(Not(Action(WRITE)), _at(READ))
    assert holds(And((Action(READ), Not(Action(WRITE)))), _at(READ))
    assert not holds(And((Action(READ), Action(WRITE))), _at(READ))
    assert holds(Or((Action(WRITE), Action(READ))), _at(READ))
    assert not holds(Or((Action(WRITE), Action(DELETE))), _at(READ))


def test_the_reader_condition_guarantees_the_bound_and_private_link_for_read() -> None:
    read = access(parse(READER), READ, times=[END])
    assert (read.allowed, read.always, read.before, read.private_link) == (True, False, END, True)
    assert read.prefixes == frozenset()
    write = access(parse(READER), WRITE)
    assert write.allowed and write.always and write.before is None and not write.private_link


def test_the_tightest_bound_is_reported_and_a_later_one_is_not_implied() -> None:
    earlier = END - dt.timedelta(days=30)
    sooner = f"@Environment[UtcNow] DateTimeLessThan '{earlier:%Y-%m-%dT%H:%M:%S}Z'"
    two = f"( ( !(ActionMatches{{'{READ}'}}) ) OR ( {UNTIL} AND {sooner} ) )"
    assert access(parse(two), READ).before == earlier
    later = access(parse(READER.replace("2027-10-01", "2028-10-01")), READ, times=[END])
    assert later.before == END + dt.timedelta(days=366), "2028 is a leap year"


def test_no_condition_lets_everything_through() -> None:
    assert access(None, READ) == Access(READ, True, True, None, False, frozenset())


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("  AND", "expected an expression, found 'AND' at character 2"),
        ("( ActionMatches{'x'}", "expected ')', found the end"),
        (
            "( ActionMatches{'x'} ActionMatches{'y'} )",
            "expected ')', found 'y' at character 36",
        ),
        ("ActionMatches{'x'} )", "unexpected ')' at character 19 after a complete expression"),
        ("", "the condition is empty"),
    ],
)
def test_a_refusal_says_what_was_found_where(condition: str, message: str) -> None:
    with pytest.raises(AbacError) as raised:
        parse(condition)
    assert str(raised.value) == message


def test_only_a_bound_before_a_moment_ends_access_before_it() -> None:
    moment = "2027-10-01T00:00:00Z"
    before = access(parse(f"@Environment[UtcNow] DateTimeLessThan '{moment}'"), READ)
    assert before.action == READ and before.allowed and not before.always and before.before == END
    # "not after the moment" still lets a request at the moment itself through.
    not_after = access(parse(f"!(@Environment[UtcNow] DateTimeGreaterThan '{moment}')"), READ)
    assert not_after.allowed and not not_after.always and not_after.before is None
    after = access(parse(f"@Environment[UtcNow] DateTimeGreaterThan '{moment}'"), READ)
    assert after.allowed and after.before is None


def test_a_prefix_the_caller_names_is_judged_beside_the_conditions_own() -> None:
    narrower = parse(f"{BLOB_PATH} StringStartsWith 'tvp/extracts/'")
    assert access(narrower, WRITE).prefixes == {"tvp/extracts/"}
    assert access(narrower, WRITE, prefixes=["tvp/"]).prefixes == {"tvp/", "tvp/extracts/"}
    assert access(narrower, WRITE, prefixes=["tvq/"]).prefixes == {"tvp/extracts/"}


def test_a_denied_action_is_not_allowed() -> None:
    denied = access(parse(f"( ( !(ActionMatches{{'{READ}'}}) ) )"), READ)
    assert not denied.allowed and not denied.always and denied.before is None and not denied.private_link
    assert denied.prefixes == frozenset()


def test_the_write_only_condition_keeps_writes_in_the_partner_folder() -> None:
    writer = parse(f"( ( !(ActionMatches{{'{WRITE}'}}) ) OR ( {UNTIL} AND {LINKED} AND {FOLDER} ) )")
    assert access(writer, WRITE, prefixes=["tvp/"]).prefixes == frozenset({"tvp/"})
    assert "occ/" not in access(writer, WRITE, prefixes=["occ/"]).prefixes
    assert "t" in access(writer, WRITE, prefixes=["t"]).prefixes, (
        "a shorter prefix of the folder is implied too"
    )


# The mutations of issue 7 §4, each of which a presence-only regex let through.
MUTATIONS = {
    "AND turned into OR": READER.replace(" AND @Env", " OR @Env"),
    "an always-true OR clause": READER[:-2] + f" OR ( ActionMatches{{'{BLOBS}/*'}} ) )",
    "the wrong action targeted": READER.replace("/read'", "/delete'"),
    "private link required false": READER.replace("BoolEquals true", "BoolEquals false"),
    "the whole condition negated": f"!({READER})",
}


@pytest.mark.parametrize("condition", list(MUTATIONS.values()), ids=list(MUTATIONS))
def test_every_weakening_loses_a_guarantee(condition: str) -> None:
    read = access(parse(condition), READ, times=[END])
    assert read.allowed, "still readable"
    assert read.before is None or read.before > END or not read.private_link


MOMENTS = st.datetimes(
    min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2029, 12, 31), timezones=st.just(dt.UTC)
)
CONDITIONS = [
    READER,
    *MUTATIONS.values(),
    f"( ( !(ActionMatches{{'{WRITE}'}}) ) OR ( {UNTIL} AND {FOLDER} ) )",
]


@settings(max_examples=300, deadline=None)
@given(
    condition=st.sampled_from(CONDITIONS),
    action=st.sampled_from([READ, WRITE, DELETE]),
    now=MOMENTS,
    link=st.booleans(),
    path=st.sampled_from(["tvp/a.csv", "tvp/", "tv", "occ/b", "", "tvp"]),
)
def test_the_decision_agrees_with_every_request_it_covers(
    condition: str, action: str, now: dt.datetime, link: bool, path: str
) -> None:
    """Exactness: what access() says every passing request satisfies, no passing request violates."""
    tree: Node = parse(condition)
    found = access(tree, action, times=[END], prefixes=["tvp/"])
    request = Request(action, now, link, path)
    if holds(tree, request):
        assert found.allowed
        assert found.before is None or now < found.before
        assert not found.private_link or link
        assert all(path.startswith(p) for p in found.prefixes)
    elif found.always:
        pytest.fail("access() says every request passes, but this one does not")


def test_moment_literals() -> None:
    assert moment_of("2027-10-01T00:00:00.0Z") == END
    assert moment_of("2027-10-01T01:00:00+01:00") == END
    assert moment_of("2027-10-01") == END, "a date alone is midnight UTC"
    assert moment_of("September") is None


# -- the fast decision is the definition -------------------------------------------------------------

# Few constants, so generated atoms often share or straddle them (equal moments, nested prefixes).
_INSTANTS = [
    dt.datetime(2027, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=d, microseconds=u)
    for d in (0, 1)
    for u in (0, 1)
]
_PATHS = ["", "t", "tvp", "tvp/", "tvp/a", "occ/", "TVP/"]
_ACTIONS = [READ, WRITE, DELETE, f"{BLOBS}/*", "*", "*/read", f"{BLOBS}/READ", "Microsoft.KeyVault/*"]

_ATOMS = st.one_of(
    st.builds(Action, st.sampled_from(_ACTIONS)),
    st.builds(
        Compare,
        st.just(UTC_NOW),
        st.sampled_from(["DateTimeLessThan", "DateTimeGreaterThan"]),
        st.sampled_from(_INSTANTS),
    ),
    st.builds(
        Compare, st.just(PRIVATE_LINK), st.sampled_from(["BoolEquals", "BoolNotEquals"]), st.booleans()
    ),
    st.builds(
        Compare,
        st.just(BLOB_PATH),
        st.sampled_from(["StringEquals", "StringNotEquals", "StringStartsWith", "StringNotStartsWith"]),
        st.sampled_from(_PATHS),
    ),
)
TREES = st.recursive(
    _ATOMS,
    lambda inner: st.one_of(
        st.builds(Not, inner),
        st.builds(And, st.lists(inner, min_size=1, max_size=4).map(tuple)),
        st.builds(Or, st.lists(inner, min_size=1, max_size=4).map(tuple)),
    ),
    max_leaves=12,
)


@settings(max_examples=1500, deadline=None)
@given(
    tree=st.one_of(st.none(), TREES),
    action=st.sampled_from([READ, WRITE, DELETE, "Microsoft.Storage/other"]),
    times=st.lists(st.sampled_from(_INSTANTS), max_size=2),
    prefixes=st.lists(st.sampled_from(_PATHS), max_size=2),
)
def test_access_is_the_enumeration_of_every_request(
    tree: Node | None, action: str, times: list[dt.datetime], prefixes: list[str]
) -> None:
    """The set-based decision answers what holds() over every request of the complete set answers."""
    fast = access(tree, action, times=times, prefixes=prefixes)
    assert fast == access_by_enumeration(tree, action, times=times, prefixes=prefixes)


@pytest.mark.parametrize("condition", CONDITIONS)
def test_access_is_the_enumeration_on_the_documented_conditions(condition: str) -> None:
    for action in (READ, WRITE, DELETE):
        for prefixes in ([], ["tvp/"], ["tvp/", "tv"]):
            got = access(parse(condition), action, times=[END], prefixes=prefixes)
            assert got == access_by_enumeration(parse(condition), action, times=[END], prefixes=prefixes)


def test_parse_is_memoised_and_still_refuses() -> None:
    assert parse(READER) is parse(READER), "the same condition is parsed once"
    for _ in range(2):
        with pytest.raises(AbacError, match="the condition is empty"):
            parse("  ")
