"""policies/props.py: reading the engine's property shapes, and what a resource asks Azure for."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
    unknown_checking_proxy,
)

from policies.props import (
    UNKNOWN,
    describe,
    dig,
    is_list,
    is_unknown,
    items,
    mapping,
    number,
    peek,
    read_only,
    requested,
    same,
    text,
)

U = UNKNOWN_STRING_VALUE
NESTED = {"a": {"b": [10, {"c": "deep"}]}, "none": None}


@pytest.mark.parametrize(
    ("path", "found"),
    [
        (("a", "b", 0), 10),
        (("a", "b", 1, "c"), "deep"),
        (("a", "b", -1, "c"), "deep"),
        (("a", "b", -2), 10),
        (("a", "b", 2), None),
        (("a", "b", -3), None),
        (("a", "missing"), None),
        (("none", "x"), None),
        (("a", 0), None),  # a mapping is not indexed by position
        (("a", "b", "c"), None),  # nor a list by key
        ((), NESTED),
    ],
)
def test_dig_follows_keys_and_positions_or_answers_none(path: tuple[str | int, ...], found: Any) -> None:
    assert dig(NESTED, *path) == found


def test_a_string_is_never_a_list_of_values() -> None:
    assert is_list([1]) and is_list(()) and not is_list("ab") and not is_list(b"ab") and not is_list(None)
    assert items("ab") == [] and items(None) == [] and items([1, "x"]) == [1, "x"]


def test_mapping_text_and_number_refuse_the_wrong_shape() -> None:
    assert mapping({"k": 1}) == {"k": 1} and mapping([("k", 1)]) == {} and mapping(None) == {}
    assert text("s") == "s" and text(3) == "" and text(None) == ""
    assert number(3) == 3.0 and number(2.5) == 2.5 and number(True) is None and number("3") is None


def test_same_compares_strings_case_insensitively_and_nothing_else() -> None:
    assert same("Deny", "deny") and same("DENY", "Deny")
    assert not same("Denied", "Deny") and not same(None, "Deny") and not same(["Deny"], "Deny")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "<absent>"),
        (True, "true"),
        (False, "false"),
        (90.0, "90"),
        (2.5, "2.5"),
        ("Off", "'Off'"),
        (7, "7"),
    ],
)
def test_describe_shows_values_as_json_would(value: Any, shown: str) -> None:
    assert describe(value) == shown


def test_peek_answers_unknown_for_sentinels_and_proxies_that_raise() -> None:
    proxied = unknown_checking_proxy({"a": {"b": U}, "n": UNKNOWN_NUMBER_VALUE, "list": [U, "x"], "k": "v"})
    assert peek(proxied, "a", "b") is UNKNOWN
    assert peek(proxied, "n") is UNKNOWN
    assert items(proxied["list"]) == [UNKNOWN, "x"]
    assert peek(proxied, "k") == "v" and peek(proxied, "missing") is None
    assert peek({"a": U}, "a") is UNKNOWN, "the raw sentinel, outside a proxy, is unknown too"
    assert is_unknown(U) and is_unknown(UNKNOWN) and not is_unknown("x") and not is_unknown(None)
    assert not UNKNOWN and UNKNOWN != U and repr(UNKNOWN) == "<unknown during preview>"


def test_requested_keeps_every_input_and_adds_only_computed_outputs() -> None:
    inputs = {"sku": {"name": "Standard_GZRS"}, "properties": {"tenantId": "t"}}
    outputs = {
        "sku": {"name": "Standard_LRS"},  # an output that contradicts an input never wins
        "publicNetworkAccess": "Disabled",  # nor adds what was not requested
        "id": "/subscriptions/s/resourceGroups/rg",
        "name": "rg",
        "principalId": "p",
        "properties": {"vaultUri": "https://kv-x.vault.azure.net/", "enableRbacAuthorization": True},
    }
    assert requested(inputs, outputs) == {
        "sku": {"name": "Standard_GZRS"},
        "properties": {"tenantId": "t", "vaultUri": "https://kv-x.vault.azure.net/"},
        "id": "/subscriptions/s/resourceGroups/rg",
        "name": "rg",
        "principalId": "p",
    }
    assert inputs == {"sku": {"name": "Standard_GZRS"}, "properties": {"tenantId": "t"}}, "inputs untouched"


def test_requested_never_replaces_a_computed_path_the_inputs_hold() -> None:
    assert requested({"name": "asked"}, {"name": "given", "id": "i"}) == {"name": "asked", "id": "i"}
    nested = requested({"properties": {"vaultUri": "asked"}}, {"properties": {"vaultUri": "given"}})
    assert nested == {"properties": {"vaultUri": "asked"}}


def test_requested_builds_the_parent_of_a_nested_computed_output() -> None:
    assert requested({}, {"properties": {"vaultUri": "u"}}) == {"properties": {"vaultUri": "u"}}
    assert requested({"properties": "odd"}, {"properties": {"vaultUri": "u"}}) == {
        "properties": {"vaultUri": "u"}
    }
    assert requested({"k": 1}, {}) == {"k": 1}


# -- the read-only view: pulumi_policy's proxy, minus writes ------------------------------------------

_SENTINELS = [
    UNKNOWN_STRING_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_ARCHIVE_VALUE,
]
_KEYS = st.sampled_from(["a", "b", "tags", "__target", "0", ""])
VALUES = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.floats(allow_nan=False), st.text(max_size=3), st.sampled_from(_SENTINELS)
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=20,
)


def _outcome(action: Callable[[], Any], probe: Callable[[Any], Any] = lambda v: v) -> Any:
    """What an access answers (through ``probe``), or the error with the path it names."""
    try:
        value = action()
    except UnknownValueError as error:
        return ("unknown", error.unknown_type_sentinel, tuple(error.props), error.message)
    except (KeyError, IndexError, TypeError) as error:
        return (type(error).__name__,)
    return probe(value)


def _shallow(value: Any) -> Any:
    """A value's shape without descending: what a second route to the same item must also answer."""
    if isinstance(value, Mapping):
        return ("mapping", len(value))
    return ("sequence", len(value)) if is_list(value) else ("value", type(value).__name__, value)


def _probe(value: Any) -> Any:
    """Everything a rule could ask of a value: keys, length, each item by every route, membership.

    Each item is probed in depth once (by index or key); the other routes are compared shallowly.
    """
    if isinstance(value, Mapping):
        keys = list(value)
        return (
            "mapping",
            keys,
            len(value),
            [
                (k, _outcome(lambda k=k: value[k], _probe), _outcome(lambda k=k: value.get(k), _shallow))
                for k in keys
            ],
            _outcome(lambda: value.get("absent", "default")),
            _outcome(lambda: value["absent"]),
            _outcome(lambda: "a" in value),
            _outcome(lambda: len(dict(value.items()))),
            _outcome(lambda: value == value),
        )
    if is_list(value):
        n = len(value)
        return (
            "sequence",
            n,
            [_outcome(lambda i=i: value[i], _probe) for i in range(n)],
            [_outcome(lambda i=i: value[i], _shallow) for i in (-n - 1, *range(-n, 0), n)],
            _outcome(lambda: [_shallow(v) for v in value[0:2]]),  # a slice checks no unknown
            _outcome(lambda: len(list(value))),
            _outcome(lambda: 1.0 in value),
            _outcome(lambda: value["a"]),
        )
    return ("value", type(value).__name__, value)


@settings(max_examples=400, deadline=None)
@given(props=st.dictionaries(_KEYS, VALUES, max_size=5))
def test_the_read_only_view_reads_as_the_sdks_proxy(props: dict[str, Any]) -> None:
    """Same values, same unknown errors with the same paths, by every route a rule reads."""
    assert _probe(read_only(props)) == _probe(unknown_checking_proxy(copy.deepcopy(props)))


def test_the_read_only_view_refuses_writes_and_keeps_the_inputs() -> None:
    inputs = {"tags": {"owner": "tvt"}, "rules": [{"port": 22}]}
    view = read_only(inputs)
    with pytest.raises(TypeError):
        view["tags"]["owner"] = "someone else"  # type: ignore[index]
    with pytest.raises(TypeError):
        view["rules"][0] = {}  # type: ignore[index]
    with pytest.raises(TypeError):
        view["__target"]["tags"] = {}  # the SDK's escape hatch is read-only too
    assert inputs == {"tags": {"owner": "tvt"}, "rules": [{"port": 22}]}
    assert view["rules"] is view["rules"], "one view per value, as the SDK's proxy tree has"
    assert is_list(view["rules"]) and isinstance(view["tags"], Mapping)
    assert dig(view, "rules", -1, "port") == 22 and dig(view, "tags", "missing") is None


def test_the_view_raises_on_an_unknown_with_its_path() -> None:
    view = read_only({"properties": {"ids": ["x", UNKNOWN_STRING_VALUE]}})
    with pytest.raises(UnknownValueError) as raised:
        view["properties"]["ids"][-1]
    assert raised.value.props == ["properties", "ids", "-1"]
    assert peek(view, "properties", "ids", 1) is UNKNOWN
