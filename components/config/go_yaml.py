"""What a plain (unquoted, untagged) YAML scalar is to the Pulumi engine, which reads stack files
with go-yaml v3 (``resolve`` in ``resolve.go``), not YAML 1.1 as PyYAML does.

The two disagree on ordinary-looking values: ``yes``, ``on`` and ``n`` are text to the engine
(booleans to YAML 1.1); ``1:30`` is text (90 in YAML 1.1); ``0o132``, ``0b1011010`` and ``1_000``
are integers and ``1e3`` a number (text in YAML 1.1); and an unquoted date is a timestamp, which
the engine re-encodes and hands a program as ``2026-05-04 00:00:00 +0000 UTC``
(``unmarshalObject`` in pulumi/pulumi ``sdk/go/common/resource/config/object.go``). So the stack
file reader resolves plain scalars by these rules, and refuses timestamps, so the config the
offline preview runs is the config ``pulumi up`` hands the program.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Final

NULL: Final = "null"
BOOL: Final = "bool"
INT: Final = "int"
FLOAT: Final = "float"
STR: Final = "str"
TIMESTAMP: Final = "timestamp"
MERGE: Final = "merge"

_INT64 = range(-(2**63), 2**63)
_UINT64 = range(2**64)

# resolveMap: exact spellings looked up first (the only booleans and nulls there are).
_EXACT: Final[dict[str, tuple[str, Any]]] = {
    **dict.fromkeys(("true", "True", "TRUE"), (BOOL, True)),
    **dict.fromkeys(("false", "False", "FALSE"), (BOOL, False)),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), (NULL, None)),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), (FLOAT, math.nan)),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), (FLOAT, math.inf)),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), (FLOAT, -math.inf)),
    "<<": (MERGE, "<<"),
}
_NUMERIC_HINT: Final = frozenset("+-0123456789")  # resolveTable 'S' and 'D'
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
# strconv.ParseFloat's decimal syntax, which the '.' hint tries (hex floats, inf and nan cannot
# start with a dot).
_GO_DECIMAL_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?")
_DIGITS: Final = {
    2: re.compile("[01]+"),
    8: re.compile("[0-7]+"),
    10: re.compile("[0-9]+"),
    16: re.compile("[0-9a-fA-F]+"),
}
# parseTimestamp's layouts: "2006-1-2T15:4:5.999999999Z07:00" (T or t), "2006-1-2 15:4:5.999999999"
# and "2006-1-2"; time.Parse then checks the ranges (a 30 February or a 25th hour is text).
_DATE = r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})"
# Fractional seconds after a dot or, since Go 1.17's time.Parse, a comma.
_CLOCK = r"(?P<H>[0-9]{1,2}):(?P<M>[0-9]{1,2}):(?P<S>[0-9]{1,2})(?:[.,][0-9]+)?"
_ZONE = r"(?:Z|[-+](?P<zh>[0-9]{2}):(?P<zm>[0-9]{2}))"
_SPACED_CLOCK = _CLOCK.replace("?P<", "?P<s")  # group names are unique per pattern
_TIMESTAMP = re.compile(rf"{_DATE}(?:[Tt]{_CLOCK}{_ZONE}| {_SPACED_CLOCK})?")


@dataclass(frozen=True, slots=True)
class Resolved:
    """A plain scalar's tag (one of the constants above) and its value."""

    tag: str
    value: Any


def resolve(text: str) -> Resolved:
    """The engine's reading of the plain scalar ``text``."""
    exact = _EXACT.get(text)
    if exact is not None:
        return Resolved(*exact)
    first = text[:1]
    if first == ".":
        return _finite(text) if _GO_DECIMAL_FLOAT.fullmatch(text) else Resolved(STR, text)
    if first not in _NUMERIC_HINT:
        return Resolved(STR, text)
    if _timestamp(text):
        return Resolved(TIMESTAMP, text)
    plain = text.replace("_", "")
    number = _go_integer(plain)
    if number is not None:
        return Resolved(INT, number)
    if _YAML_FLOAT.fullmatch(plain):
        return _finite(plain, text)
    return Resolved(STR, text)


def _finite(number: str, text: str | None = None) -> Resolved:
    """A float, unless ``strconv.ParseFloat`` fails with a range error (``1e400``): then text."""
    value = float(number)
    return Resolved(FLOAT, value) if math.isfinite(value) else Resolved(STR, text or number)


def _timestamp(text: str) -> bool:
    """Whether ``time.Parse`` reads ``text`` with one of parseTimestamp's layouts."""
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return False
    parts = {k: int(v) for k, v in match.groupdict().items() if v is not None}
    year, month, day = parts["y"], parts["m"], parts["d"]
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    if not (1 <= month <= 12 and 1 <= day <= days[month - 1]):
        return False
    hour, minute, second = (parts.get(k, parts.get(f"s{k}", 0)) for k in ("H", "M", "S"))
    return hour < 24 and minute < 60 and second < 60 and parts.get("zh", 0) < 24 and parts.get("zm", 0) < 60


def _go_integer(plain: str) -> int | None:
    """``strconv.ParseInt(plain, 0, 64)``, then ``ParseUint``: a sign (ParseInt only), a base
    prefix (``0x``, ``0o``, ``0b``, or a bare leading ``0`` for octal) and digits of that base."""
    sign, digits = (plain[0], plain[1:]) if plain[:1] in {"+", "-"} else ("", plain)
    base = 10
    if len(digits) > 1 and digits[0] == "0":
        prefix = digits[1].lower()
        prefixed = {"x": (16, digits[2:]), "o": (8, digits[2:]), "b": (2, digits[2:])}
        base, digits = prefixed.get(prefix, (8, digits[1:]))
    if len(digits) > 64 or not _DIGITS[base].fullmatch(digits):  # 64 binary digits fill 64 bits
        return None
    value = int(digits, base) * (-1 if sign == "-" else 1)
    if value in _INT64 or (not sign and value in _UINT64):
        return value
    return None


def handed_number(value: float) -> float | int:
    """The number a program is handed for a float of the stack file: Pulumi re-encodes the file's
    values and hands a program non-text config as Go's JSON, which writes a whole float below 1e21
    without a fraction (``90.0`` and ``1e3`` arrive as ``90`` and ``1000``), so the program reads an
    integer; any other float is handed as it is."""
    return int(value) if value.is_integer() and abs(value) < 1e21 else value
