"""Read a JSON input (a plan, a policy config) strictly, so what is accepted means one thing.

Python's ``json`` keeps the last of two equal keys, reads ``NaN``, turns ``1e400`` into infinity,
converts a 5,000-digit integer only to fail later, and recurses once per nesting level. Here each
of those is an error that names the file and the key path, as the rest of the preview's bad input
is: ``plan.json: deployment.resources[3].inputs.size: expected a finite number, got 1e400``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from components.config.files import (
    LONE_SURROGATE,
    MAX_DEPTH,
    MAX_INT_DIGITS,
    SURROGATE_KEY_MESSAGE,
    SURROGATE_MESSAGE,
    InputFileError,
    read_bounded,
)
from scripts.engine.errors import PreviewError, issue

MAX_ISSUES = 20


class _Refused:
    """Stands in for a value the strict reader refuses, until the walk names where it was."""

    __slots__ = ("why",)

    def __init__(self, why: str) -> None:
        self.why = why


class _Duplicated(dict[str, Any]):
    """An object that repeated a key; the walk reports each repeat."""

    def __init__(self, pairs: list[tuple[str, Any]], repeated: list[str]) -> None:
        super().__init__(pairs)
        self.repeated = repeated


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: set[str] = set()
    repeated = [k for k, _ in pairs if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
    return _Duplicated(pairs, repeated) if repeated else dict(pairs)


def _number(text: str) -> float | _Refused:
    value = float(text)
    return value if math.isfinite(value) else _Refused(f"expected a finite number, got {text}")


def _integer(text: str) -> int | _Refused:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        return _Refused(f"expected an integer of at most {MAX_INT_DIGITS} digits, got {digits} digits")
    return int(text)


def _constant(name: str) -> _Refused:
    return _Refused(f"expected a number, got {name} (not JSON)")


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _problems(value: Any, path: str, depth: int) -> Iterator[tuple[str, str]]:
    """(path, what is wrong) for every refused value, repeated key, lone surrogate or deep nesting."""
    if depth > MAX_DEPTH:
        yield path, f"nested deeper than {MAX_DEPTH} levels"
        return
    if isinstance(value, _Refused):
        yield path, value.why
    elif isinstance(value, str):
        if LONE_SURROGATE.search(value):
            yield path, SURROGATE_MESSAGE
    elif isinstance(value, dict):
        for key in getattr(value, "repeated", ()):
            yield _join(path, key), "duplicate key (JSON keeps only one of them)"
        for key, child in value.items():
            if LONE_SURROGATE.search(key):
                yield _join(path, key), SURROGATE_KEY_MESSAGE
            yield from _problems(child, _join(path, key), depth + 1)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _problems(child, _join(path, index), depth + 1)


def _too_deep_at(text: str) -> str:
    """Where ``text`` first nests deeper than the limit, as ``line L, column C`` (only when the
    parser itself gave up, so the character-by-character scan costs nothing on valid input)."""
    depth, in_string, escaped, line, start = 0, False, False, 1, 0
    for index, char in enumerate(text):
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return f"line {line}, column {index - start + 1}"
        elif char in "]}":
            depth -= 1
        if char == "\n":
            line, start = line + 1, index + 1
    return ""


_BOM = "\ufeff"


def parse_json(data: bytes | str, source: str) -> Any:
    """The JSON document in ``data``; anything ambiguous or unbounded is a :class:`PreviewError`.

    Bytes must be UTF-8 without a byte order mark, as Go's ``encoding/json`` (the Pulumi CLI's
    reader of a policy config or a stack export) requires; Python's would take UTF-16 or a BOM."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise PreviewError(issue(source, "", f"not JSON ({error})")) from None
    if data.startswith(_BOM):
        raise PreviewError(
            issue(
                source,
                "",
                "not JSON: it starts with a byte order mark, which Pulumi's JSON reader refuses; "
                "save it as UTF-8 without one",
            )
        )
    try:
        document = json.loads(
            data, object_pairs_hook=_object, parse_float=_number, parse_int=_integer, parse_constant=_constant
        )
    except RecursionError:
        where = _too_deep_at(data)
        raise PreviewError(issue(source, where, f"nested deeper than {MAX_DEPTH} levels")) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise PreviewError(issue(source, "", f"not JSON ({error})")) from None
    problems = [issue(source, path or "(document)", why) for path, why in _problems(document, "", 0)]
    if len(problems) > MAX_ISSUES:  # a reviewer needs the first few, not a million lines
        problems[MAX_ISSUES:] = [issue(source, "", f"... and {len(problems) - MAX_ISSUES} more like these")]
    if problems:
        raise PreviewError(*problems)
    return document


def read_input(path: Path, what: str, limit: int) -> bytes:
    """The bytes of the input file ``path`` (a ``what`` such as "plan"), at most ``limit`` of them."""
    try:
        return read_bounded(path, limit)
    except InputFileError as error:
        raise PreviewError(issue(str(path), "", f"cannot read the {what}: {error}")) from None


def read_json(path: Path, what: str, limit: int) -> Any:
    """The JSON document in the input file ``path``, read with :func:`read_input` and :func:`parse_json`."""
    return parse_json(read_input(path, what, limit), str(path))
