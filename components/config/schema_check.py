"""The stack schema as one compiled yes/no check, so a valid config costs a walk, not jsonschema.

jsonschema's ``iter_errors`` resolves references and builds a validator per keyword and value; on a
3,000-resource estate that was most of validation. :func:`compile_check` turns the schema, once,
into plain functions for the keywords it uses, with jsonschema's own meaning of each (draft
2020-12, ``bool`` never a number, a keyword that does not apply to a type passes). It answers only
for JSON's plain values (mappings with text keys, lists, text, integers, true/false, null) and
raises :class:`Unsure` for anything else (a float, say), and a keyword it does not know fails at
import. Callers ask jsonschema for the errors whenever the answer is not a plain yes, so messages
always come from jsonschema; ``tests/config/test_config_schema_check.py`` proves the two agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from jsonschema import FormatChecker

Check = Callable[[Any], bool]

_PLAIN: frozenset[type] = frozenset({dict, list, str, int, bool, type(None)})
_TYPES: Mapping[str, type] = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": int,  # among plain values, the only numbers are integers (bool is not one)
    "boolean": bool,
    "null": type(None),
}
_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description"})


class Unsure(Exception):
    """A value the compiled check does not judge (not a plain JSON value): ask jsonschema."""


def _plain(value: Any) -> type:
    kind = type(value)
    if kind not in _PLAIN:
        raise Unsure(kind.__name__)
    return kind


def _always(value: Any) -> bool:
    return True


def _never(value: Any) -> bool:
    return False


def _all(checks: list[Check]) -> Check:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]

    def check(value: Any) -> bool:
        for c in checks:  # noqa: SIM110 (a loop is a third faster than all() over a generator)
            if not c(value):
                return False
        return True

    return check


def _literals(values: list[Any]) -> frozenset[tuple[type, Any]]:
    """``enum``/``const`` values as (type, value): jsonschema's equality on text and integers."""
    if not all(type(v) in (str, int) for v in values):
        raise ValueError(f"compile_check: enum/const values must be text or integers, got {values!r}")
    return frozenset((type(v), v) for v in values)


class _Compiler:
    def __init__(self, root: Mapping[str, Any], format_checker: FormatChecker) -> None:
        self.defs: Mapping[str, Any] = root.get("$defs", {})
        self.format_checker = format_checker
        self.compiled: dict[str, Check] = {}

    def ref(self, ref: str) -> Check:
        name = ref.removeprefix("#/$defs/")
        if name == ref or name not in self.defs:
            raise ValueError(f"compile_check: only local #/$defs/ references, got {ref!r}")
        if name not in self.compiled:
            self.compiled[name] = _never  # a reference cycle would see this placeholder; none exist
            self.compiled[name] = self.schema(self.defs[name])
        compiled = self.compiled

        def check(value: Any) -> bool:
            return compiled[name](value)

        return check

    def schema(self, schema: Any) -> Check:
        if schema is True or schema == {}:
            return _always
        if schema is False:
            return _never
        checks = []
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS or keyword in ("then", "else", "patternProperties"):
                continue  # then/else belong to "if"; patternProperties to additionalProperties
            build = getattr(self, "k_" + keyword.lstrip("$"), None)
            if build is None:
                raise ValueError(f"compile_check: unsupported keyword {keyword!r}")
            checks.append(build(value, schema))
        if "patternProperties" in schema and "additionalProperties" not in schema:
            checks.append(self.pattern_properties(schema["patternProperties"]))
        return _all(checks)

    def k_ref(self, ref: str, schema: Mapping[str, Any]) -> Check:
        return self.ref(ref)

    def k_type(self, name: str, schema: Mapping[str, Any]) -> Check:
        expected = _TYPES[name]

        def check(value: Any) -> bool:
            return _plain(value) is expected

        return check

    def k_enum(self, values: list[Any], schema: Mapping[str, Any]) -> Check:
        literals = _literals(values)

        def check(value: Any) -> bool:
            kind = _plain(value)
            return kind is not dict and kind is not list and (kind, value) in literals

        return check

    def k_const(self, value: Any, schema: Mapping[str, Any]) -> Check:
        return self.k_enum([value], schema)

    def k_pattern(self, pattern: str, schema: Mapping[str, Any]) -> Check:
        search = re.compile(pattern).search

        def check(value: Any) -> bool:
            return _plain(value) is not str or search(value) is not None

        return check

    def k_format(self, name: str, schema: Mapping[str, Any]) -> Check:
        conforms = self.format_checker.conforms

        def check(value: Any) -> bool:
            _plain(value)
            return conforms(value, name)

        return check

    def k_minLength(self, limit: int, schema: Mapping[str, Any]) -> Check:
        return lambda value: _plain(value) is not str or len(value) >= limit

    def k_maxLength(self, limit: int, schema: Mapping[str, Any]) -> Check:
        return lambda value: _plain(value) is not str or len(value) <= limit

    def k_minimum(self, limit: int, schema: Mapping[str, Any]) -> Check:
        return lambda value: _plain(value) is not int or value >= limit

    def k_maximum(self, limit: int, schema: Mapping[str, Any]) -> Check:
        return lambda value: _plain(value) is not int or value <= limit

    def k_minItems(self, limit: int, schema: Mapping[str, Any]) -> Check:
        return lambda value: _plain(value) is not list or len(value) >= limit

    def k_uniqueItems(self, unique: bool, schema: Mapping[str, Any]) -> Check:
        def check(value: Any) -> bool:
            if _plain(value) is not list or not unique:
                return True
            if not all(type(item) is str for item in value):
                raise Unsure("uniqueItems of values other than text")
            return len(set(value)) == len(value)

        return check

    def k_required(self, names: list[str], schema: Mapping[str, Any]) -> Check:
        return lambda value: _plain(value) is not dict or all(name in value for name in names)

    def k_properties(self, properties: Mapping[str, Any], schema: Mapping[str, Any]) -> Check:
        checks = [(name, self.schema(sub)) for name, sub in properties.items()]

        def check(value: Any) -> bool:
            if _plain(value) is not dict:
                return True
            for name, sub in checks:  # noqa: SIM110 (as in _all)
                if name in value and not sub(value[name]):
                    return False
            return True

        return check

    def pattern_properties(self, patterns: Mapping[str, Any]) -> Check:
        checks = [(re.compile(p).search, self.schema(sub)) for p, sub in patterns.items()]
        checks = [(search, sub) for search, sub in checks if sub is not _always]

        def check(value: Any) -> bool:
            if _plain(value) is not dict or not checks:
                return True
            return all(not search(k) or sub(v) for k, v in value.items() for search, sub in checks)

        return check

    def k_additionalProperties(self, allowed: Any, schema: Mapping[str, Any]) -> Check:
        if allowed is not False:
            raise ValueError("compile_check: additionalProperties must be false")
        known = frozenset(schema.get("properties", {}))
        patterns = schema.get("patternProperties", {})
        # jsonschema matches an additional property against the patterns joined with "|".
        search = re.compile("|".join(patterns)).search if patterns else None
        by_pattern = self.pattern_properties(patterns)

        def check(value: Any) -> bool:
            if _plain(value) is not dict:
                return True
            for key in value:
                if type(key) is not str:
                    raise Unsure("a key that is not text")
                if key not in known and (search is None or search(key) is None):
                    return False
            return by_pattern(value)

        return check

    def k_items(self, items: Any, schema: Mapping[str, Any]) -> Check:
        if "prefixItems" in schema:
            raise ValueError("compile_check: prefixItems is not supported")
        item = self.schema(items)

        def check(value: Any) -> bool:
            if _plain(value) is not list:
                return True
            for v in value:  # noqa: SIM110 (as in _all)
                if not item(v):
                    return False
            return True

        return check

    def k_if(self, condition: Any, schema: Mapping[str, Any]) -> Check:
        when = self.schema(condition)
        then = self.schema(schema.get("then", True))
        otherwise = self.schema(schema.get("else", True))
        return lambda value: then(value) if when(value) else otherwise(value)


def compile_check(schema: Mapping[str, Any], format_checker: FormatChecker) -> Check:
    """A function that is True exactly when ``schema`` (with ``format_checker``) accepts a value.

    It raises :class:`Unsure` for a value it does not judge, and ValueError here for a schema that
    uses a keyword it does not know.
    """
    return _Compiler(schema, format_checker).schema(schema)
