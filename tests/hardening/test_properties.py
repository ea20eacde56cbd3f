"""Issue 11 §6: property-based tests. Configs generated from the stack schema, and valid stack
configs, policy configs and plans mutated into invalid ones: ``tvt validate``, ``plan``, ``check``
and ``diff`` never print a traceback, never exit 0 on invalid input, never leave a partial ``out/``.

Examples hypothesis found are kept as ``@example`` cases. The default profile is derandomized and
small (``make test``); ``TVT_HYPOTHESIS=explore`` runs many random examples.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from hardening_helpers import (
    PROJECT,
    PROPERTIES,
    REPO,
    Run,
    check_args,
    copy_project,
    files_under,
    load,
    nested,
    plan_args,
    secret,
    tvt,
    write,
)
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator, FormatChecker

from components.config.load import read_stack_file
from components.config.schema import DEFS, SCHEMA

VALID_STACKS = {s: read_stack_file(REPO / "stacks" / f"Pulumi.{s}.yaml") for s in ("dev", "test", "prod")}
_SCHEMA = Draft202012Validator(SCHEMA, format_checker=FormatChecker())


def _never_crashes(run: Run) -> None:
    assert "Traceback" not in run.text and "internal error" not in run.err, run.text[-3000:]


def _refused(run: Run) -> None:
    _never_crashes(run)
    assert run.code == 2, f"exit {run.code} on invalid input: {run.text[-3000:]}"
    assert run.err.strip(), "bad input is always explained"


# --- configs generated from the stack schema ----------------------------------------------------------


def _resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = schema.get("$ref")
    return DEFS[ref.rsplit("/", 1)[-1]] if isinstance(ref, str) else schema


def from_stack_schema(schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """Values of ``schema``: leaves from hypothesis-jsonschema, objects and lists assembled here.

    (hypothesis-jsonschema 0.23's own object strategy does not run on the locked hypothesis 6.170.)
    """
    schema = _resolve(schema)
    if schema.get("type") == "object" and "properties" in schema:
        properties, required = schema["properties"], set(schema.get("required", ()))
        return st.fixed_dictionaries(
            {k: from_stack_schema(v) for k, v in properties.items() if k in required},
            optional={k: from_stack_schema(v) for k, v in properties.items() if k not in required},
        )
    if schema.get("type") == "array":
        items = from_stack_schema(schema["items"])
        return st.lists(items, max_size=3, unique=bool(schema.get("uniqueItems")))
    return from_schema({**schema, "$defs": DEFS})


STACK_CONFIGS = from_stack_schema(SCHEMA)


def _validate(root: Path, stack: str, config: Any = None, raw: str | bytes | None = None) -> Run:
    path = root / "stacks" / f"Pulumi.{stack}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    write(path, raw if raw is not None else yaml.safe_dump({"config": config}, sort_keys=False))
    return tvt("validate", "--stack", stack, "--root", root)


@PROPERTIES
@given(STACK_CONFIGS)
def test_configs_from_the_schema_are_judged_never_crashed(tmp_path: Path, config: dict[str, Any]) -> None:
    run = _validate(tmp_path, "hyp", config)
    _never_crashes(run)
    assert run.code in (0, 2), run.text
    if run.code == 0:
        assert _SCHEMA.is_valid(config), "exit 0 only for a config the schema accepts"
    else:
        assert all(line.startswith("stacks/Pulumi.hyp.yaml: ") for line in run.err.splitlines()), run.err


# --- valid configs made invalid ------------------------------------------------------------------------


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*path, i))


def _set(root: Any, path: tuple[Any, ...], value: Any) -> None:
    for key in path[:-1]:
        root = root[key]
    root[path[-1]] = value


def _get(root: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        root = root[key]
    return root


def _schema_at(path: tuple[Any, ...]) -> Mapping[str, Any]:
    schema: Mapping[str, Any] = SCHEMA
    for key in path:
        schema = _resolve(schema)
        schema = schema["items"] if isinstance(key, int) else schema.get("properties", {}).get(key, {})
    return _resolve(schema)


def _tvt_paths(config: dict[str, Any]) -> list[tuple[tuple[Any, ...], Any]]:
    return [(p, v) for p, v in _paths(config) if p and str(p[0]).startswith("tvt:")]


_OTHER_TYPE = {
    str: [7, [], {}, None, True],
    int: ["7", [], None, 1.5],
    list: ["x", {}, 3],
    dict: ["x", [], 3],
}


@st.composite
def broken_configs(draw: st.DrawFn) -> tuple[str, dict[str, Any], str]:
    """(stack, config, what was broken): a valid stack's config with one thing made invalid."""
    stack = draw(st.sampled_from(sorted(VALID_STACKS)))
    config = copy.deepcopy(VALID_STACKS[stack])
    kind = draw(
        st.sampled_from(
            ["type", "missing", "unknown", "pattern", "date", "duplicate", "overlap", "long", "secret"]
        )
    )
    paths = _tvt_paths(config)
    if kind == "type":
        path, value = draw(st.sampled_from([(p, v) for p, v in paths if type(v) in _OTHER_TYPE]))
        _set(config, path, draw(st.sampled_from(_OTHER_TYPE[type(value)])))
    elif kind == "missing":
        required = [
            (p, k) for p, v in [((), config), *paths] if isinstance(v, dict)
            for k in _schema_at(p).get("required", ()) if k in v
        ]  # fmt: skip
        path, key = draw(st.sampled_from(required))
        del _get(config, path)[key]
    elif kind == "unknown":
        objects = [
            p for p, v in [((), config), *paths] if isinstance(v, dict) and "properties" in _schema_at(p)
        ]
        path = draw(st.sampled_from(objects))
        _get(config, path)["tvt:colour" if not path else "colour"] = "blue"
    elif kind in ("pattern", "date"):
        wanted = (
            ("isoDate",) if kind == "date" else ("guid", "cidr", "kebabId", "useCaseId", "decRef", "zoneName")
        )
        leaves = [(p, d) for p, v in paths if isinstance(v, str) for d in wanted if _schema_at(p) is DEFS[d]]
        path, name = draw(st.sampled_from(leaves))
        pattern = DEFS[name]["pattern"]
        bad = (
            "2026-02-30"
            if kind == "date"
            else draw(st.text(max_size=70).filter(lambda s: not re.search(pattern, s)))
        )
        _set(config, path, bad)
    elif kind == "duplicate":
        key = draw(
            st.sampled_from([k for k in ("tvt:partners", "tvt:useCases", "tvt:grants") if config.get(k)])
        )
        config[key].append(copy.deepcopy(draw(st.sampled_from(config[key]))))
    elif kind == "overlap":
        levels = config["tvt:levels"]
        a, b = draw(st.permutations(["1", "2", "3"]))[:2]
        levels[b] = {**levels[b], "addressSpace": levels[a]["addressSpace"]}
    elif kind == "long":
        texts = [p for p, v in paths if isinstance(v, str) and _schema_at(p).get("maxLength")]
        path = draw(st.sampled_from(texts))
        _set(config, path, "a" * (int(_schema_at(path)["maxLength"]) + draw(st.integers(1, 300))))
    else:
        config[draw(st.sampled_from(["azure-native:clientSecret", "azure-native:oidcToken"]))] = "plain-value"
    return stack, config, kind


@PROPERTIES
@given(broken_configs())
def test_a_broken_stack_config_never_passes_validation(
    tmp_path: Path, case: tuple[str, dict[str, Any], str]
) -> None:
    stack, config, _ = case
    _refused(_validate(tmp_path, stack, config))


@PROPERTIES
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300), st.text().map(lambda t: "config:\n  " + t)))
@example(b"")
@example(b"config:\n")
@example("config:\n  tvt:owner: " + "x" * (1024 * 1024))
@example("config: [\n")
@example("\t- config")
@example("config:\n  tvt:levels: {<<: 5}\n")
@example("config:\n  x: !!python/object:os.system ls\n")
def test_invalid_yaml_empty_and_huge_files_exit_2(tmp_path: Path, raw: str | bytes) -> None:
    _refused(_validate(tmp_path, "prod", raw=raw))


@pytest.fixture(scope="module")
def plan_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("props") / "project")


@PROPERTIES
@given(broken_configs())
def test_tvt_plan_on_a_broken_config_writes_nothing(
    plan_root: Path, tmp_path: Path, case: tuple[str, dict[str, Any], str]
) -> None:
    stack, config, _ = case
    write(plan_root / "stacks" / f"Pulumi.{stack}.yaml", yaml.safe_dump({"config": config}))
    out = tmp_path / "out"
    previous = {"plan.json": b"previous", "report.md": b"previous"}
    out.mkdir(exist_ok=True)
    for name, data in previous.items():
        (out / name).write_bytes(data)
    _refused(tvt(*plan_args(stack, out, plan_root)))
    assert files_under(out) == previous, "a failed plan leaves the previous output exactly as it was"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], "and no staging directory"
    fresh = tmp_path / "fresh"
    _refused(tvt(*plan_args(stack, fresh, plan_root)))
    assert not fresh.exists()


# --- plans made invalid --------------------------------------------------------------------------------


_RESOURCE_FIELDS = (
    "urn",
    "type",
    "custom",
    "inputs",
    "outputs",
    "dependencies",
    "propertyDependencies",
    "protect",
)
_WRONG = {
    "urn": [7, None, "", "not-a-urn", "urn:pulumi:only::three"],
    "type": [7, None, ""],
    "custom": ["yes", 1, [], {}],
    "inputs": [[], "x", 3],
    "outputs": [[], "x", 3],
    "dependencies": ["x", [1], {}],
    "propertyDependencies": [[], "x", {"k": "not-a-list"}],
    "protect": ["no", 0, []],
    "parent": [7, [], "urn:pulumi:clean::tvt-platform::t::gone"],
    "provider": [7, []],
}


@st.composite
def broken_plans(draw: st.DrawFn, plan: Any) -> str:
    """The text of the clean plan with one thing broken: shape, references, numbers or JSON itself."""
    document = copy.deepcopy(plan)
    resources = document["deployment"]["resources"]
    i = draw(st.integers(0, len(resources) - 1))
    kind = draw(
        st.sampled_from(["field", "missing", "duplicate", "version", "top", "raw", "truncate", "secret"])
    )
    if kind == "field":
        field = draw(st.sampled_from(sorted(_WRONG)))
        resources[i][field] = draw(st.sampled_from(_WRONG[field]))
    elif kind == "missing":
        del resources[i][draw(st.sampled_from(["urn", "type", "custom"]))]
    elif kind == "duplicate":
        resources.insert(draw(st.integers(0, len(resources))), copy.deepcopy(resources[i]))
    elif kind == "version":
        document["version"] = draw(st.sampled_from([2, 4, "3", None]))
    elif kind == "top":
        return json.dumps(draw(st.sampled_from([[], "plan", 3, None, {}, {"version": 3}])))
    elif kind == "secret":
        resources[i].setdefault("inputs", {})["s"] = secret(
            draw(st.sampled_from(["not json", "", "{", "NaN"]))
        )
    text = json.dumps(document)
    if kind == "raw":
        marker = json.dumps("__tvt_marker__")
        resources[i].setdefault("inputs", {})["x"] = "__tvt_marker__"
        raw = draw(
            st.sampled_from(["NaN", "Infinity", "1e400", "9" * 100, nested(100), '"\\udc00"', "01", "tru"])
        )
        return json.dumps(document).replace(marker, raw, 1)
    if kind == "truncate":
        return text[: draw(st.integers(0, len(text) - 2))]
    return text


@pytest.fixture(scope="module")
def clean_document(clean_plan: Path) -> Any:
    return load(clean_plan)


@PROPERTIES
@given(data=st.data())
def test_check_and_diff_refuse_every_broken_plan(
    clean_plan: Path, clean_document: Any, tmp_path: Path, data: st.DataObject
) -> None:
    text = data.draw(broken_plans(clean_document))
    path = write(tmp_path / "broken.json", text)
    _refused(tvt(*check_args(path)))
    _refused(tvt("diff", clean_plan, path))
    _refused(tvt("diff", path, clean_plan))


# --- policy configs made invalid --------------------------------------------------------------------


VALID_POLICY_CONFIG = {
    "storage-tls": {
        "enforcementLevel": "mandatory",
        "exemptions": [
            {
                "resource": "urn:pulumi:clean::tvt-platform::azure-native:storage:StorageAccount::*",
                "reason": "accepted while the partner migrates its clients",
                "approver": "TVT Senior Information Risk Owner",
                "expires": "2027-01-31",
            }
        ],
    },
    "owner-tag": "advisory",
}


@st.composite
def broken_policy_configs(draw: st.DrawFn) -> Any:
    config = copy.deepcopy(VALID_POLICY_CONFIG)
    exemption = config["storage-tls"]["exemptions"][0]
    kind = draw(st.sampled_from(["name", "level", "type", "property", "exemption", "field", "document"]))
    if kind == "name":
        config[draw(st.sampled_from(["storage-tsl", "all-rules", ""]))] = "mandatory"
    elif kind == "level":
        config["owner-tag"] = draw(st.sampled_from(["strict", "Mandatory", "", "off"]))
    elif kind == "type":
        config["storage-tls"] = draw(st.sampled_from([3, [], None, True]))
    elif kind == "property":
        config["storage-tls"]["colour"] = "blue"
    elif kind == "exemption":
        field = draw(st.sampled_from(sorted(exemption)))
        exemption[field] = draw(
            st.sampled_from(
                {
                    "resource": ["*", "urn:pulumi:*", ""],
                    "reason": ["ok", "too short"],
                    "approver": ["", "x"],
                    "expires": ["2027-02-30", "31/01/2027", "2029-01-01", ""],
                }[field]
            )
        )
    elif kind == "field":
        exemption[draw(st.sampled_from(["note", "resources"]))] = "x"
    else:
        return draw(st.sampled_from([[], "mandatory", 3, None]))
    return config


@PROPERTIES
@given(broken_policy_configs())
def test_check_refuses_every_broken_policy_config(clean_plan: Path, tmp_path: Path, config: Any) -> None:
    path = write(tmp_path / "policy.json", json.dumps(config))
    _refused(tvt(*check_args(clean_plan, "--policy-config", str(path))))


def test_the_valid_bases_are_valid(clean_plan: Path, tmp_path: Path) -> None:
    """The properties above mean something only if what they break starts out valid."""
    for stack, config in VALID_STACKS.items():
        assert _validate(tmp_path / stack, stack, config).code == 0, stack
    config = write(tmp_path / "policy.json", json.dumps(VALID_POLICY_CONFIG))
    assert tvt(*check_args(clean_plan, "--policy-config", str(config))).code in (0, 1)
    assert tvt(*plan_args("clean", tmp_path / "out", PROJECT)).code == 0
