"""policies/props.py: reading the engine's property shapes, and what a resource asks Azure for."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE, unknown_checking_proxy

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
