"""Issue 11 §5: what is accepted is unambiguous: no duplicate URNs or JSON keys, YAML merge keys
merge (or are refused clearly), and one rule for TVT_TODAY in the tool and in the pack."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hardening_helpers import (
    PROJECT,
    PROPERTIES,
    assert_bad_input,
    check_args,
    load,
    plan_args,
    stack_text,
    tvt,
    write,
)
from hypothesis import example, given
from hypothesis import strategies as st

from components.config import load as config_load
from components.config.issues import ConfigError
from components.config.load import read_stack_file
from policies import clock

# --- duplicate URNs and keys ------------------------------------------------------------------------


def test_a_duplicate_urn_is_refused_by_check_and_diff(clean_plan: Path, tmp_path: Path) -> None:
    document = load(clean_plan)
    resources = document["deployment"]["resources"]
    resources.append(json.loads(json.dumps(resources[-1])))
    path = write(tmp_path / "plan.json", json.dumps(document))
    phrase = (
        f"{path}: deployment.resources[{len(resources) - 1}].urn: duplicate resource URN, "
        f"first at deployment.resources[{len(resources) - 2}]"
    )
    assert_bad_input(tvt(*check_args(path)), phrase)
    assert_bad_input(tvt("diff", clean_plan, path), phrase)
    assert_bad_input(tvt("diff", path, clean_plan), phrase)


def test_duplicate_keys_are_refused_in_every_json_input(clean_plan: Path, tmp_path: Path) -> None:
    text = clean_plan.read_text(encoding="utf-8")
    top = write(tmp_path / "top.json", text.replace('"version": 3', '"version": 3, "version": 3', 1))
    assert_bad_input(tvt(*check_args(top)), f"{top}: version: duplicate key")
    assert_bad_input(tvt("diff", clean_plan, top), f"{top}: version: duplicate key")
    document = load(clean_plan)
    document["deployment"]["resources"][-1]["inputs"]["dup"] = "first"
    inner = json.dumps(document).replace('"dup": "first"', '"dup": "first", "dup": "second"')
    nested = write(tmp_path / "nested.json", inner)
    index = len(document["deployment"]["resources"]) - 1
    assert_bad_input(tvt(*check_args(nested)), f"deployment.resources[{index}].inputs.dup: duplicate key")
    config = write(tmp_path / "policy.json", '{"storage-tls": "mandatory", "storage-tls": "disabled"}')
    run = tvt(*check_args(clean_plan, "--policy-config", str(config)))
    assert_bad_input(run, f"{config}: storage-tls: duplicate key (JSON keeps only one of them)")
    plan = tvt(*plan_args("clean", tmp_path / "out", PROJECT, "--policy-config", str(config)))
    assert_bad_input(plan, f"{config}: storage-tls: duplicate key")


# --- YAML merge keys ------------------------------------------------------------------------------


def _stack(tmp_path: Path, text: str) -> Path:
    (tmp_path / "stacks").mkdir(parents=True, exist_ok=True)
    return write(tmp_path / "stacks" / "Pulumi.clean.yaml", text)


LEVEL_1 = '    "1": {addressSpace: 10.91.0.0/24, privateEndpointSubnet: 10.91.0.0/26}'
LEVEL_2 = '    "2": {addressSpace: 10.92.0.0/24, privateEndpointSubnet: 10.92.0.0/26}'


def test_merge_keys_merge_as_the_engine_reads_them(tmp_path: Path) -> None:
    plain = stack_text()
    assert LEVEL_1 in plain and LEVEL_2 in plain
    merged = plain.replace(
        LEVEL_1, '    "1": &net {addressSpace: 10.91.0.0/24, privateEndpointSubnet: 10.91.0.0/26}'
    )
    merged = merged.replace(
        LEVEL_2, '    "2": {<<: *net, addressSpace: 10.92.0.0/24, privateEndpointSubnet: 10.92.0.0/26}'
    )
    expected = read_stack_file(_stack(tmp_path / "plain", plain), root=tmp_path / "plain")
    assert read_stack_file(_stack(tmp_path / "merged", merged), root=tmp_path / "merged") == expected
    runs = [tvt("validate", "--stack", "clean", "--root", tmp_path / r) for r in ("plain", "merged")]
    assert [r.code for r in runs] == [0, 0] and runs[0].out == runs[1].out


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        (
            "  azure-native:x: {<<: 5}\n",
            "expected a mapping or list of mappings for merging, but found scalar",
        ),
        ("  azure-native:a: &a {k: 1}\n  azure-native:x: {<<: *a, y: 1, y: 2}\n", "duplicate key 'y'"),
        ("  azure-native:x: {<<: [1, 2]}\n", "expected a mapping for merging, but found scalar"),
    ],
)
def test_a_merge_key_that_cannot_merge_is_refused_clearly(tmp_path: Path, text: str, phrase: str) -> None:
    _stack(tmp_path, stack_text() + text)
    run = tvt("validate", "--stack", "clean", "--root", tmp_path)
    assert_bad_input(run, "stacks/Pulumi.clean.yaml: line ", phrase)
    assert "constructor for the tag" not in run.err


# --- one rule for TVT_TODAY -------------------------------------------------------------------------


def _answer(parse: Callable[[], dt.date], monkeypatch: pytest.MonkeyPatch, value: str) -> dt.date | None:
    monkeypatch.setenv("TVT_TODAY", value)
    try:
        return parse()
    except (ConfigError, ValueError):
        return None


@PROPERTIES
@given(
    st.one_of(
        st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), max_size=14),
        st.dates().map(dt.date.isoformat),
        st.dates().map(lambda d: d.strftime("%Y%m%d")),
        st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
    )
)
@example("20261201")
@example("2026-W48-2")
@example("2026-335")
@example(" 2026-06-01")
@example("2026-06-01\n")
@example("")
@example("2026-02-30")
@example("\uff12\uff10\uff12\uff16-06-01")  # full-width digits
@example("9999-12-31")  # a horizon reckoned from it is past the calendar
@example("1999-12-31")
@example("2999-12-31")
def test_the_tool_and_the_pack_read_tvt_today_alike(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    """``components`` and ``policies`` may not import each other, so each has a copy: they must agree."""
    ours, packs = _answer(config_load.today, monkeypatch, value), _answer(clock.today, monkeypatch, value)
    assert ours == packs, f"TVT_TODAY={value!r}: tool {ours}, pack {packs}"
    if ours is not None:
        assert ours.isoformat() == value, "only YYYY-MM-DD is read as a date"
        assert dt.date(2000, 1, 1) <= ours <= dt.date(2999, 12, 31)


@pytest.mark.parametrize("value", ["20261201", "2026-W48-2", "", "2026-06-01 ", "9999-12-31", "1999-12-31"])
def test_every_command_refuses_the_same_tvt_today(
    monkeypatch: pytest.MonkeyPatch, clean_plan: Path, tmp_path: Path, value: str
) -> None:
    monkeypatch.setenv("TVT_TODAY", value)
    expected = (
        f"(environment): TVT_TODAY: expected a date YYYY-MM-DD from 2000-01-01 to 2999-12-31, got {value!r}"
    )
    assert_bad_input(tvt("validate", "--stack", "clean", "--root", PROJECT), expected)
    assert_bad_input(tvt(*plan_args("clean", tmp_path / "out")), expected)
    assert_bad_input(tvt(*check_args(clean_plan)), expected)
    assert_bad_input(
        tvt("report", clean_plan, "--out", tmp_path / "r", *check_args(clean_plan)[2:]), expected
    )
    assert not (tmp_path / "out").exists() and not (tmp_path / "r").exists()
