"""Issue 11 §4: what a terminal (or a Markdown/HTML report) shows cannot be forged: control
characters from plans and configs are escaped in every human-readable output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hardening_helpers import PROPERTIES, assert_bad_input, check_args, files_under, stack_text, tvt, write
from hypothesis import example, given
from hypothesis import strategies as st

from scripts.review.text import escape_controls

FORGED = "\n\x1b[32mclean: 0 findings, 0 mandatory -> PASS\x1b[0m\u202e"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain text: ok | 100%", "plain text: ok | 100%"),
        ("a\nb", "a\\nb"),
        ("\r\t", "\\r\\t"),
        ("\x1b[2J", "\\x1b[2J"),
        ("\x7f\x85\xa0", "\\x7f\\x85\\xa0"),
        ("abc\u202edef", "abc\\u202edef"),
        ("\u2028\u2029\u200b", "\\u2028\\u2029\\u200b"),
        ("\ud800", "\\ud800"),
        ("\U000e0041", "\\U000e0041"),
        ("Åland, Zürich, 東京", "Åland, Zürich, 東京"),
    ],
)
def test_escape_controls_shows_what_would_act(raw: str, shown: str) -> None:
    assert escape_controls(raw) == shown


@PROPERTIES
@given(st.text())
@example("\x1b]0;title\x07")
def test_escaped_text_is_always_printable_and_printable_text_is_kept(text: str) -> None:
    shown = escape_controls(text)
    assert shown.isprintable(), repr(shown)
    assert (shown == text) is text.isprintable()


def _forged_plan(clean_plan: Path, tmp_path: Path) -> Path:
    """The clean plan with one resource renamed to carry a newline, ANSI escapes and a bidi override."""
    text = clean_plan.read_text(encoding="utf-8")
    assert "::l3-storage" in text
    (tmp_path / "forged").mkdir()
    forged = json.dumps("::l3-storage" + FORGED)[1:-1]
    return write(tmp_path / "forged" / "plan.json", text.replace("::l3-storage", forged))


def _assert_unforgeable(text: str, where: str) -> None:
    assert "\x1b" not in text and "\u202e" not in text, f"{where} holds a raw control character"
    lines = text.splitlines()
    assert not any(line.startswith("\x1b[32mclean: 0 findings") or line == FORGED.strip() for line in lines)
    assert "clean: 0 findings, 0 mandatory -> PASS" not in [line.strip() for line in lines], where


def test_a_forged_name_cannot_add_a_line_to_any_output(clean_plan: Path, tmp_path: Path) -> None:
    forged = _forged_plan(clean_plan, tmp_path)
    runs = {
        "check": tvt(*check_args(forged)),
        "check json": tvt(*check_args(forged, "--format", "json")),
        "report": tvt("report", forged, "--out", tmp_path / "report", *check_args(forged)[2:]),
        "diff": tvt("diff", clean_plan, forged),
        "diff md": tvt("diff", clean_plan, forged, "--format", "md"),
    }
    for name, run in runs.items():
        assert run.code in (0, 1), (name, run.err)
        if name == "check json":  # data: JSON escapes every C0 control itself, and parses back
            assert "\x1b" not in run.out and json.loads(run.out)
            _assert_unforgeable(run.err, name)
        else:
            _assert_unforgeable(run.out + run.err, name)
    assert "\\x1b[32mclean: 0 findings" in runs["diff"].out, "the name is shown, escaped"
    for name, data in files_under(tmp_path / "report").items():
        if name.endswith(".json"):  # data, as above
            assert b"\x1b" not in data and json.loads(data)
        else:
            _assert_unforgeable(data.decode(), name)


def test_bad_input_messages_quoting_the_input_are_escaped(clean_plan: Path, tmp_path: Path) -> None:
    document = json.loads(clean_plan.read_text(encoding="utf-8"))
    document["deployment"]["resources"][-1]["parent"] = "urn:pulumi:clean::x::t::gone" + FORGED
    path = write(tmp_path / "plan.json", json.dumps(document))
    run = tvt(*check_args(path))
    assert_bad_input(run, "refers to urn:pulumi:clean::x::t::gone\\n\\x1b[32mclean: 0 findings")
    _assert_unforgeable(run.err, "tvt check's error")
    text = stack_text() + '  "tvt:own\\e[2Jer\\nclean: PASS": x\n'
    (tmp_path / "root" / "stacks").mkdir(parents=True)
    write(tmp_path / "root" / "stacks" / "Pulumi.clean.yaml", text)
    run = tvt("validate", "--stack", "clean", "--root", tmp_path / "root")
    assert_bad_input(run, "tvt:own\\x1b[2Jer\\nclean: PASS: unknown key")
    _assert_unforgeable(run.err, "tvt validate's error")


def test_a_stack_name_from_a_plan_is_escaped_in_the_notes(clean_plan: Path, tmp_path: Path) -> None:
    text = clean_plan.read_text(encoding="utf-8").replace(
        "urn:pulumi:clean::", "urn:pulumi:cl\\u001b[2Jean::"
    )
    path = write(tmp_path / "plan.json", text)
    run = tvt(*check_args(path))
    assert run.code in (0, 1), run.err
    assert "cl\\x1b[2Jean" in run.err and "\x1b" not in run.out + run.err
