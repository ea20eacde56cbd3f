"""The libyaml fast path (``stack_yaml.load_plain``) and the hardened loader read a stack file alike.

The hardened loader defines what is accepted and every message. The fast path must either build
exactly what it builds (same types, values and key order) or decline (NOT_PLAIN) so that it decides:
on every stack file in the repository it must answer, on every hostile case it must decline, and on
generated documents and mutated stack files the two never disagree.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from components.config.files import MAX_YAML_NODES
from components.config.load import read_stack_file
from components.config.stack_yaml import NOT_PLAIN, SelfReference, StackFileLoader, load_plain, load_yaml

REPO = Path(__file__).resolve().parents[2]

PROPERTY = settings(
    max_examples=400 if os.environ.get("TVT_HYPOTHESIS") == "explore" else 150,
    derandomize=os.environ.get("TVT_HYPOTHESIS") != "explore",
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
STACK_FILES = sorted(
    p for pattern in ("stacks/*.yaml", "tests/**/stacks/*.yaml") for p in REPO.glob(pattern) if p.is_file()
)


def hardened(text: str) -> Any:
    """The hardened loader's answer: the value, or the refusal as (error type, message)."""
    try:
        return yaml.load(text, Loader=StackFileLoader)
    except (yaml.YAMLError, SelfReference) as error:
        return (type(error), str(error))


def exact(value: Any) -> Any:
    """``value`` with every type and key order made visible (1, 1.0 and True compare equal)."""
    if isinstance(value, dict):
        return ("dict", [(exact(k), exact(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [exact(v) for v in value])
    return (type(value).__name__, value)


def assert_agree(text: str) -> Any:
    """The fast path declines or builds exactly what the hardened loader builds; returns its answer."""
    fast = load_plain(text)
    if fast is not NOT_PLAIN:
        slow = hardened(text)
        assert not (isinstance(slow, tuple) and len(slow) == 2 and isinstance(slow[0], type)), (
            f"the fast path accepted what the hardened loader refuses: {slow[1]!r}\n{text!r}"
        )
        assert exact(fast) == exact(slow), text
    return fast


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_stack_file_takes_the_fast_path_and_reads_the_same(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fast = load_plain(text)
    assert fast is not NOT_PLAIN, f"{path}: a plain stack file should not need the slow loader"
    assert exact(fast) == exact(yaml.load(text, Loader=StackFileLoader))


def test_there_are_stack_files_to_compare() -> None:
    assert len(STACK_FILES) >= 4, STACK_FILES


BOMB = (
    "config:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 9))
    + "  tvt:owner: *a8\n"
)
# Each is something the hardened loader refuses or treats specially: the fast path must leave it alone.
DECLINED = {
    "alias bomb": BOMB,
    "anchor and alias": "config:\n  a: &x {k: 1}\n  b: *x\n",
    "anchor alone": "config:\n  a: &x 1\n",
    "self-referencing anchor": "config:\n  tvt:grants: &g [*g]\n",
    "merge key": "config:\n  a: &n {k: 1}\n  b: {<<: *n, j: 2}\n",
    "merge key without an anchor": "config:\n  x: {<<: 5}\n",
    "duplicate key": "config:\n  tvt:owner: a\n  tvt:owner: b\n",
    "duplicate key across types": "config:\n  1: a\n  true: b\n",
    "duplicate null key": "config:\n  ~: a\n  null: b\n",
    "complex key": "config:\n  ? [a]\n  : b\n",
    "mapping as key": "config:\n  ? {a: 1}\n  : b\n",
    "python tag": "config:\n  tvt:owner: !!python/name:os.system\n",
    "binary tag": "config:\n  x: !!binary aGVsbG8=\n",
    "timestamp tag": "config:\n  x: !!timestamp 2026-01-01\n",
    "unquoted date": "config:\n  x: 2026-01-01\n",
    "unquoted time": "config:\n  x: 2026-01-01T10:00:00Z\n",
    "set tag": "config:\n  x: !!set {a, b}\n",
    "omap tag": "config:\n  x: !!omap [a: 1]\n",
    "str tag": "config:\n  x: !!str 12\n",
    "local tag": "config:\n  x: !thing 12\n",
    "non-specific tag": "config:\n  x: ! 12\n",
    "tag on a mapping": "config: !!map\n  x: 1\n",
    "nan": "config:\n  x: .nan\n",
    "infinity": "config:\n  x: -.inf\n",
    "float": "config:\n  x: 1.5\n",
    "65-digit integer": "config:\n  x: " + "9" * 65 + "\n",
    "5000-digit integer": "config:\n  x: " + "9" * 5000 + "\n",
    "hex integer": "config:\n  x: 0x1F\n",
    "octal integer": "config:\n  x: 017\n",
    "binary integer": "config:\n  x: 0b101\n",
    "integer with underscores": "config:\n  x: 1_000\n",
    "deep flow nesting": "config:\n  x: " + "[" * 100 + "]" * 100 + "\n",
    "deep block nesting": "config:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(300)),
    "too many values": "config:\n  x: [" + ", ".join(["1"] * MAX_YAML_NODES) + "]\n",
    "two documents": "config: {}\n---\nconfig: {}\n",
    "yaml directive": "%YAML 1.1\n---\nconfig: {}\n",
    "tag directive": "%TAG !e! tag:example.com,2000:\n---\nconfig: {}\n",
    "tab": "config:\n  x:\t1\n",
    "tab in a quoted value": 'config:\n  x: "a\tb"\n',
    "next line character": "config:\n  x: a\x85b\n",
    "line separator": "config:\n  x: a\u2028b\n",
    "byte order mark after the start": "config:\n  x: 1\n\ufeff  y: 2\n",
    "control character": "config:\n  x: a\x07b\n",
    "nul": "config:\n  x: a\x00b\n",
    "malformed": "config:\n  tvt:levels: [\n",
    "bad indentation": "config:\n  a: 1\n b: 2\n",
    "lone surrogate escape": 'config:\n  x: "\\ud800"\n',
}


@pytest.mark.parametrize("text", DECLINED.values(), ids=DECLINED.keys())
def test_the_fast_path_declines_what_the_hardened_loader_treats_specially(text: str) -> None:
    assert load_plain(text) is NOT_PLAIN


@pytest.mark.parametrize("text", DECLINED.values(), ids=DECLINED.keys())
def test_a_declined_document_gets_the_hardened_loaders_answer(text: str) -> None:
    try:
        answer: Any = load_yaml(text)
    except (yaml.YAMLError, SelfReference) as error:
        answer = (type(error), str(error))
    assert exact(answer) == exact(hardened(text))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("", None),
        ("# only a comment\n", None),
        ("---\n", None),
        ("\ufeffconfig: {a: 1}\n", {"config": {"a": 1}}),
        ("config:\r\n  a: yes\r\n  b: 'no'\r\n", {"config": {"a": "yes", "b": "no"}}),
        ("config: {d: '2026-09-30', n: ~, e: , i: -12, z: 0, t: ON, s: '1'}\n", None),
        (
            'config:\n  q: "a\\u00e9\\x41\\n"\n  l: |\n    two\n    lines\n  f: >\n    folded\n    text\n',
            None,
        ),
        ("config:\n  a: plain text, with:colon\n  b: it's # a comment\n", None),
    ],
    ids=["empty", "comment", "empty-document", "bom", "crlf", "scalars", "styles", "plain-text"],
)
def test_plain_documents_take_the_fast_path(text: str, value: Any) -> None:
    fast = assert_agree(text)
    assert fast is not NOT_PLAIN
    if value is not None:
        assert exact(fast) == exact(value)


def test_quoted_dates_stay_text_and_numbers_stay_exact() -> None:
    fast = load_plain("config: {d: '2026-09-30', i: -12, z: 0, b: true, n: null}\n")
    assert exact(fast) == exact({"config": {"d": "2026-09-30", "i": -12, "z": 0, "b": True, "n": None}})


@pytest.mark.parametrize(
    ("plain", "value"),
    [
        # YAML 1.1 (PyYAML) reads each of these otherwise; go-yaml v3, which the engine uses, so.
        ("yes", "yes"),
        ("No", "No"),
        ("ON", "ON"),
        ("y", "y"),
        ("1:30", "1:30"),
        ("190:20:30.15", "190:20:30.15"),
        ("=", "="),
        ("0o132", 90),
        ("0132", 90),
        ("0b1011010", 90),
        ("0x5A", 90),
        ("1_000", 1000),
        ("1e3", 1000),  # a float, handed to the program as Go's JSON writes it: 1000
        ("90.0", 90),
        ("1.5", 1.5),
        ("-0.0", 0),
        ("1e21", 1e21),
        ("08", 8),  # not octal: a float
        ("1e400", "1e400"),  # strconv.ParseFloat's range error: text
        ("1.0e+999", "1.0e+999"),
        ("2026-02-30", "2026-02-30"),
        ("2026-05-04T10:00:00", "2026-05-04T10:00:00"),
        ("true", True),
        ("~", None),
    ],
)
def test_a_plain_scalar_is_read_as_the_engine_reads_it(plain: str, value: Any) -> None:
    """``resolve`` in go-yaml v3's resolve.go: the stack file reader is not YAML 1.1."""
    text = f"config:\n  x: {plain}\n"
    assert exact(hardened(text)) == exact({"config": {"x": value}})
    assert_agree(text)


@pytest.mark.parametrize(
    ("plain", "handed"),
    [
        ("2026-05-04", "'2026-05-04 00:00:00 +0000 UTC'"),
        ("2026-5-4", "'2026-05-04 00:00:00 +0000 UTC'"),
        ("2026-05-04T10:00:00Z", "another text"),
        ("2026-05-04t10:00:00.5+01:00", "another text"),
        ("2026-05-04 10:00:00", "another text"),
    ],
)
def test_an_unquoted_timestamp_is_refused_with_how_to_write_it(plain: str, handed: str) -> None:
    answer = hardened(f"config:\n  tvt:x: [{plain}]\n")
    assert isinstance(answer, tuple) and answer[0] is yaml.constructor.ConstructorError, answer
    assert f"Pulumi reads an unquoted {plain} as a timestamp and hands the program {handed}" in answer[1]
    assert f'write "{plain}"' in answer[1]
    assert "line 2, column 11" in answer[1]
    assert exact(hardened(f"config:\n  tvt:x: ['{plain}']\n")) == exact({"config": {"tvt:x": [plain]}})


def test_a_time_with_a_comma_before_its_fraction_is_a_timestamp_too() -> None:
    """Go 1.17's time.Parse takes a comma there (block style: in a flow list it would separate)."""
    answer = hardened("config:\n  tvt:x: 2026-05-04 10:00:00,5\n")
    assert isinstance(answer, tuple) and "unquoted 2026-05-04 10:00:00,5 as a timestamp" in answer[1], answer


@pytest.mark.parametrize(
    ("tagged", "outcome"),
    [
        ('!!int "0x10"', 16),
        ("!!float 1", 1),
        ("!!str 12", "12"),
        ("!!bool true", True),
        ("!!bool yes", "cannot decode !!str `yes` as a !!bool"),
        ("!!int 1.5", "cannot decode !!float `1.5` as a !!int"),
        ("!!int 2026-05-04", "cannot decode !!str `2026-05-04` as a !!int"),
    ],
)
def test_an_explicit_tag_is_decoded_as_go_yaml_decodes_it(tagged: str, outcome: Any) -> None:
    answer = hardened(f"config:\n  x: {tagged}\n")
    if isinstance(outcome, str) and outcome.startswith("cannot"):
        assert isinstance(answer, tuple) and outcome in answer[1], answer
    else:
        assert exact(answer) == exact({"config": {"x": outcome}})


def test_the_stack_file_reader_gives_the_hardened_loaders_messages(tmp_path: Path) -> None:
    """Through read_stack_file, a refused document keeps its message, file, line and column."""
    path = tmp_path / "stacks" / "Pulumi.prod.yaml"
    path.parent.mkdir()
    cases = {
        "config:\n  tvt:owner: a\n  tvt:owner: b\n": "line 3, column 3: invalid YAML: duplicate key",
        BOMB: "line 6, column 7: invalid YAML: expands to more than 100000 values",
        "config:\n  x: 0.5\n  y: .nan\n": "line 3, column 6: invalid YAML: expected a finite number",
    }
    for text, message in cases.items():
        path.write_text(text, encoding="utf-8")
        with pytest.raises(Exception) as caught:
            read_stack_file(path, root=tmp_path)
        assert str(caught.value).startswith(f"stacks/Pulumi.prod.yaml: {message}"), caught.value


# --- generated documents ---------------------------------------------------------------------------

# Scalars whose reading depends on the resolver, and text that stresses quoting and line breaks.
TRICKY = st.sampled_from(
    [
        "yes",
        "No",
        "ON",
        "off",
        "y",
        "n",
        "true",
        "False",
        "~",
        "null",
        "NULL",
        "",
        " ",
        "=",
        "<<",
        "0",
        "-0",
        "+1",
        "007",
        "0x1F",
        "0o17",
        "0b11",
        "1_000",
        "1:30",
        "190:20:30",
        "1.5",
        "-.5",
        ".inf",
        ".NaN",
        "1e3",
        "1.0e+3",
        "2026-09-30",
        "2026-9-3",
        "2026-09-30T10:00:00Z",
        "10.40.0.0/24",
        "UC-2026-001",
        "a: b",
        "a #b",
        "#c",
        "- x",
        "[a]",
        "{a}",
        "&a",
        "*a",
        "!t",
        "|",
        ">",
        "'q'",
        '"q"',
        "%x",
        "@x",
        "`x",
        "a\nb",
        "a\n\nb",
        " lead",
        "trail ",
        "a\\b",
        "\u00e9\u4e2d\U0001f600",
    ]
)
SCALARS = st.one_of(
    TRICKY,
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12),
    st.integers(min_value=-(10**70), max_value=10**70),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
)
KEYS = st.one_of(TRICKY, st.text(max_size=8), st.integers(-5, 5), st.booleans(), st.none())
DOCUMENTS = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=4)),
    max_leaves=25,
)
DUMP_OPTIONS = st.fixed_dictionaries(
    {
        "default_flow_style": st.sampled_from([False, True, None]),
        "default_style": st.sampled_from([None, None, "'", '"', "|", ">"]),
        "allow_unicode": st.booleans(),
        "width": st.sampled_from([20, 80, 1000]),
        "indent": st.sampled_from([2, 4]),
        "explicit_start": st.booleans(),
        "line_break": st.sampled_from(["\n", "\r\n"]),
    }
)


@PROPERTY
@given(DOCUMENTS, DUMP_OPTIONS)
@example({"config": {"a": "yes", "b": 1}}, {"default_flow_style": False})
def test_the_fast_path_agrees_on_generated_documents(document: Any, options: dict[str, Any]) -> None:
    try:
        text = yaml.safe_dump({"config": document}, sort_keys=False, **options)
    except yaml.YAMLError:
        return  # not every style can write every value; nothing to compare
    assert_agree(text)


def _base_text() -> str:
    return (REPO / "stacks" / "Pulumi.prod.yaml").read_text(encoding="utf-8")


SNIPPETS = st.one_of(
    st.sampled_from(
        [
            ":",
            ": ",
            " :",
            "-",
            "- ",
            "? ",
            "#",
            " #",
            "&a ",
            "*a",
            "!",
            "!!str ",
            "|",
            ">",
            "'",
            '"',
            "[",
            "]",
            "{",
            "}",
            ",",
            "\n",
            "\r\n",
            "\r",
            " ",
            "  ",
            "\t",
            "---",
            "...",
            "%",
            "@",
            "`",
            "\\",
            "\ufeff",
            "\x85",
            "\u2028",
            "<<: ",
            "~",
            "0x",
            "1e9",
            "\x00",
            "\x7f",
        ]
    ),
    st.text(max_size=4),
)


@PROPERTY
@given(st.data())
def test_the_fast_path_agrees_on_mutated_stack_files(data: st.DataObject) -> None:
    text = _base_text()
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        at = data.draw(st.integers(0, len(text)), label="position")
        cut = data.draw(st.integers(0, 3), label="deleted")
        text = text[:at] + data.draw(SNIPPETS, label="inserted") + text[at + cut :]
    assert_agree(text)
