"""The compiled schema check agrees with jsonschema, and the path-free pre-walk with the value checks.

``schema_issues`` asks jsonschema for errors only when the compiled check does not accept a config,
and runs the three value checks (secure values, control characters, plain credentials) only when
one walk finds something they could report. Both shortcuts are sound only if they never accept what
the exact code would refuse: these tests compare them on every stack and on mutated configs.
"""

from __future__ import annotations

import copy
import math
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from jsonschema import FormatChecker

from components.config import schema
from components.config.load import read_stack_file
from components.config.schema import DEFS, SCHEMA, schema_issues
from components.config.schema_check import Unsure, compile_check
from tests.config.conftest import BASE

REPO = Path(__file__).resolve().parents[2]
EXPLORE = os.environ.get("TVT_HYPOTHESIS") == "explore"
PROPERTY = settings(
    max_examples=1000 if EXPLORE else 200,
    derandomize=not EXPLORE,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
STACKS = {
    p.relative_to(REPO).as_posix(): read_stack_file(p, root=REPO)
    for pattern in ("stacks/*.yaml", "tests/**/stacks/*.yaml")
    for p in sorted(REPO.glob(pattern))
}


def jsonschema_accepts(config: Any) -> bool:
    return not any(True for _ in schema._VALIDATOR.iter_errors(config))


def value_checks(config: dict[str, Any]) -> list[Any]:
    """What the three value checks report, with their exact paths."""
    return [
        *schema.secure_value_paths(config),
        *schema._control_character_issues(config, "f"),
        *schema._plaintext_secret_issues(config, "f"),
    ]


@pytest.mark.parametrize("name", sorted(STACKS))
def test_every_stack_is_accepted_by_both(name: str) -> None:
    config = STACKS[name]
    assert jsonschema_accepts(config), name
    assert schema._ACCEPTS(config) is True, name
    assert schema._nothing_to_flag(config), name


def test_a_float_is_left_to_jsonschema() -> None:
    """jsonschema reads 90.0 as an integer (draft 2020-12): the compiled check says it is unsure."""
    config = copy.deepcopy(BASE)
    config["tvt:audit"]["logRetentionDays"] = 90.0
    with pytest.raises(Unsure):
        schema._ACCEPTS(config)
    assert jsonschema_accepts(config)
    assert schema_issues(config, "f") == []


def test_a_keyword_the_compiler_does_not_know_fails_at_once() -> None:
    with pytest.raises(ValueError, match="unsupported keyword 'oneOf'"):
        compile_check({"oneOf": [{"type": "string"}]}, FormatChecker())
    with pytest.raises(ValueError, match="only local"):
        compile_check({"$ref": "https://example.com/s.json"}, FormatChecker())


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("tvt:tenantId", {"secure": "AAAB"}),
        ("azure-native:clientSecret", "plain"),
        ("azure-native:x", {"nested": [{"apiKey": 5}]}),
        ("tvt:owner", "two\nlines"),
        ("tvt:owner", "del\x7f"),
    ],
)
def test_the_pre_walk_sees_what_the_value_checks_report(key: str, value: Any) -> None:
    config = {**copy.deepcopy(BASE), key: value}
    assert value_checks(config), "the case must be one the value checks report"
    assert not schema._nothing_to_flag(config)


# --- mutated configs ------------------------------------------------------------------------------------


def _draw_path(draw: st.DrawFn, config: dict[str, Any]) -> tuple[Any, ...]:
    """A path into ``config``, walked down from the root one random child at a time."""
    path: tuple[Any, ...] = ()
    node: Any = config
    while isinstance(node, dict | list) and node and draw(st.integers(0, 3)):
        key = draw(st.sampled_from(list(node) if isinstance(node, dict) else range(len(node))))
        path, node = (*path, key), node[key]
    return path


def _schema_at(path: tuple[Any, ...]) -> Any:
    node: Any = SCHEMA
    for key in path:
        if isinstance(node, dict) and "$ref" in node:
            node = DEFS[node["$ref"].rsplit("/", 1)[-1]]
        if not isinstance(node, dict):
            return {}
        node = node.get("items", {}) if isinstance(key, int) else node.get("properties", {}).get(key, {})
    if isinstance(node, dict) and "$ref" in node:
        node = DEFS[node["$ref"].rsplit("/", 1)[-1]]
    return node


# Values near the schema's edges: bounds, enums, booleans for integers, floats, text with breaks.
NEAR = st.sampled_from(
    [
        0,
        1,
        2,
        3,
        4,
        -1,
        29,
        30,
        730,
        731,
        146000,
        146001,
        True,
        False,
        None,
        1.0,
        3.0,
        30.0,
        1.5,
        math.nan,
        "",
        "x",
        "3",
        "prod",
        "dev",
        "uksouth",
        "locked",
        "unlocked",
        "reader",
        "police",
        "ingest-writer",
        "UC-2026-001",
        "UC-2026-001\n",
        "DEC-2026-03",
        "2027-09-30",
        "2027-02-30",
        "2027-09-30\n",
        "10.40.0.0/24",
        "10.40.0.0/30",
        "a" * 64,
        "ab",
        "a--b",
        "tvp-analysts",
        "00000000-0000-4000-8000-000000000001",
        [],
        {},
        ["a", "a"],
        ["a", "b"],
        [1, True],
        {"k": 1},
        {"secure": "x"},
    ]
).map(copy.deepcopy)  # a fresh copy: mutations must not reach the strategy
ANY_VALUE = st.recursive(
    st.one_of(NEAR, st.text(max_size=8), st.integers(-5, 200_000), st.floats(allow_nan=False)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def mutated_configs(draw: st.DrawFn) -> dict[str, Any]:
    config = copy.deepcopy(draw(st.sampled_from([BASE, *STACKS.values()])))
    for _ in range(draw(st.integers(1, 3))):
        path = _draw_path(draw, config)
        parent: Any = config
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["valid", "valid", "valid", "near", "any", "delete", "add"]))
        if action == "add" or not path:
            target = parent[path[-1]] if path else config
            if isinstance(target, dict):
                target[draw(st.sampled_from(["tvt:extra", "zone", "key", "apikey", "1", "4"]))] = draw(
                    ANY_VALUE
                )
            elif isinstance(target, list):
                target.append(draw(ANY_VALUE))
            continue
        if action == "delete":
            del parent[path[-1]]
            continue
        if action == "valid":
            sub = _schema_at(path)
            leaf = isinstance(sub, dict) and sub.get("type") not in ("object", "array") and sub
            value = draw(from_schema({**sub, "$defs": DEFS})) if leaf else draw(NEAR)
        else:
            value = draw(NEAR if action == "near" else ANY_VALUE)
        parent[path[-1]] = value
    return config


@PROPERTY
@given(mutated_configs())
@example({**copy.deepcopy(BASE), "tvt:grants": [{"group": "tvp-analysts", "level": 3.0, "role": "reader"}]})
@example({**copy.deepcopy(BASE), "tvt:grants": [{"group": "tvp-analysts", "level": True, "role": "reader"}]})
def test_the_compiled_check_agrees_with_jsonschema(config: dict[str, Any]) -> None:
    try:
        accepted = schema._ACCEPTS(config)
    except Unsure:
        return  # jsonschema decides
    assert accepted == jsonschema_accepts(config), config


@PROPERTY
@given(mutated_configs())
def test_the_pre_walk_never_hides_a_value_check_issue(config: dict[str, Any]) -> None:
    if schema._nothing_to_flag(config):
        assert value_checks(config) == []
