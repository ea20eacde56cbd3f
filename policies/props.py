"""Reading resource properties the engine sends, without tripping over their shapes.

Properties arrive as pulumi_policy proxies (``Mapping``/``Sequence`` subclasses that raise
``UnknownValueError`` on values unknown during preview), never plain ``dict``/``list``, so every
check goes through these helpers instead of ``isinstance(x, dict)``.

In a first ``pulumi preview`` every computed value (ids, names, URIs, principal ids) is unknown.
A rule that must look at such a value reads it with :func:`peek`, which answers :data:`UNKNOWN`
instead of raising, and then answers from property dependencies (which are always known) or
reports "cannot verify during preview".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

# The engine's sentinels for values only known after deployment (pulumi_policy.proxy).
_UNKNOWN_SENTINELS = frozenset(
    {
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_OBJECT_VALUE,
        UNKNOWN_STRING_VALUE,
    }
)


class _Unknown:
    """What :func:`peek` answers for a value unknown during preview (falsy, never equal to a value)."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "<unknown during preview>"


UNKNOWN: Final = _Unknown()


def dig(value: Any, *path: str | int) -> Any:
    """The value at ``path`` inside nested mappings/sequences, or None where any step is missing."""
    current = value
    for step in path:
        if isinstance(step, str):
            kind = type(current)  # the views and plain dicts first: the ABC check is slower
            if kind is not _MappingView and kind is not dict and not isinstance(current, Mapping):
                return None
            current = current.get(step)
        else:
            if not is_list(current) or not -len(current) <= step < len(current):
                return None
            current = current[step]
        if current is None:
            return None
    return current


def is_list(value: Any) -> bool:
    """A JSON array (a string is a ``Sequence`` too, but never a list of values)."""
    if type(value) is _SequenceView:
        return True
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def items(value: Any) -> list[Any]:
    """The elements of a JSON array (:data:`UNKNOWN` for one unknown during preview), or [] when absent
    or not an array."""
    return [peek(value, i) for i in range(len(value))] if is_list(value) else []


def mapping(value: Any) -> Mapping[str, Any]:
    """A JSON object, or {} when absent or not an object."""
    return value if isinstance(value, Mapping) else {}


def text(value: Any) -> str:
    """A string value, or "" (so comparisons never crash on None or numbers)."""
    return value if isinstance(value, str) else ""


def same(value: Any, expected: str) -> bool:
    """Case-insensitive string equality: ARM treats enum strings case-insensitively."""
    return isinstance(value, str) and value.casefold() == expected.casefold()


def number(value: Any) -> float | None:
    """A JSON number (protobuf Structs carry every number as a float), or None; bools are not numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def describe(value: Any) -> str:
    """A value as shown in a finding: ``'Enabled'``, ``true``, ``<absent>``."""
    if value is None:
        return "<absent>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)


def is_unknown(value: Any) -> bool:
    """The value is unknown during preview (:data:`UNKNOWN` or the engine's raw sentinel string)."""
    return value is UNKNOWN or (isinstance(value, str) and value in _UNKNOWN_SENTINELS)


def peek(value: Any, *path: str | int) -> Any:
    """As :func:`dig`, but :data:`UNKNOWN` where the value (or any step to it) is unknown during preview."""
    try:
        found = dig(value, *path)
    except UnknownValueError:
        return UNKNOWN
    return UNKNOWN if is_unknown(found) else found


COMPUTED: tuple[tuple[str, ...], ...] = (
    ("id",),
    ("name",),
    ("principalId",),
    ("clientId",),
    ("tenantId",),
    ("customerId",),
    ("keyUri",),
    ("keyUriWithVersion",),
    ("properties", "vaultUri"),
)
"""The outputs Azure computes that inputs cannot hold: ids, names, principal ids, URIs."""


def requested(inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> dict[str, Any]:
    """What a resource asks Azure for: its inputs, plus only the :data:`COMPUTED` outputs they lack.

    A plan whose outputs look compliant while its inputs request something else (or leave it out)
    is judged by its inputs; outputs never replace or add a requested property.
    """
    merged: dict[str, Any] = dict(inputs)
    for path in COMPUTED:
        value = dig(outputs, *path)
        if value is None or dig(inputs, *path) is not None:
            continue
        node = merged
        for step in path[:-1]:
            inner = node.get(step)
            node[step] = dict(inner) if isinstance(inner, Mapping) else {}
            node = node[step]
        node[path[-1]] = value
    return merged


# -- the read-only view every policy of one request shares -------------------------------------------

# Every sentinel pulumi_policy's proxy raises on (assets and archives too, unlike :func:`is_unknown`).
_PROXY_SENTINELS = _UNKNOWN_SENTINELS | {UNKNOWN_ASSET_VALUE, UNKNOWN_ARCHIVE_VALUE}
_TARGET = "__target"
_ABSENT = object()


def _raise_if_unknown(value: Any, path: tuple[str, ...], key: Any) -> Any:
    if isinstance(value, str) and value in _PROXY_SENTINELS:
        raise UnknownValueError(value, [*path, str(key)])
    return value


class _MappingView(Mapping[str, Any]):
    """pulumi_policy's ``_DictProxy`` without ``__setitem__``: no policy changes what the next reads."""

    __slots__ = ("_path", "_target")

    def __init__(self, target: Mapping[str, Any], path: tuple[str, ...]) -> None:
        self._target = target
        self._path = path

    def __getitem__(self, key: str) -> Any:
        if key == _TARGET:
            return self._target
        return _raise_if_unknown(self._target[key], self._path, key)

    def get(self, key: str, default: Any = None) -> Any:
        # Mapping.get through __getitem__, without its try/except: the path every rule reads by.
        if key == _TARGET:
            return self._target
        value = self._target.get(key, _ABSENT)
        return default if value is _ABSENT else _raise_if_unknown(value, self._path, key)

    def __len__(self) -> int:
        return len(self._target)

    def __iter__(self) -> Iterator[str]:
        return iter(self._target)


class _SequenceView(Sequence[Any]):
    """pulumi_policy's ``_ListProxy`` over a tuple: its items cannot be replaced either."""

    __slots__ = ("_path", "_target")

    def __init__(self, target: tuple[Any, ...], path: tuple[str, ...]) -> None:
        self._target = target
        self._path = path

    def __getitem__(self, key: Any) -> Any:
        if key == _TARGET:
            return self._target
        if isinstance(key, slice):
            return list(self._target[key])  # a slice of the SDK's proxy is a list, unknowns unchecked
        return _raise_if_unknown(self._target[key], self._path, key)

    def __len__(self) -> int:
        return len(self._target)


def _view(value: Any, path: tuple[str, ...]) -> Any:
    if isinstance(value, list):
        return _SequenceView(tuple(_view(v, (*path, str(i))) for i, v in enumerate(value)), path)
    if isinstance(value, dict):
        return _MappingView(MappingProxyType({k: _view(v, (*path, str(k))) for k, v in value.items()}), path)
    return value


def read_only(props: Mapping[str, Any]) -> Mapping[str, Any]:
    """Deserialised properties as pulumi_policy's ``unknown_checking_proxy`` shows them (a value
    unknown during preview raises ``UnknownValueError`` with its path), but read-only, so one view
    can serve every policy of a request instead of a fresh proxy per policy."""
    view: Mapping[str, Any] = _view(dict(props), ())
    return view
