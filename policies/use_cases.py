"""The stack's register of approved use cases (``tvt:useCases``), as the engine hands it to the pack.

The engine sends a stack's config in ``ConfigureStack`` as "namespace:key" -> string, objects
JSON-encoded, so the register arrives as one JSON string: a list of objects with ``id``,
``approval``, ``level`` and ``expires`` (other keys, such as ``title``, are ignored). It is what the
Data Ethics Committee approved, and a rule compares what a role assignment *claims* about its use
case with it: a description anyone can type proves nothing on its own.

Parsing never raises. A register that is absent, or malformed in any entry, yields a
:class:`UseCaseRegister` with ``problem`` set and no entries, so rules fail closed on it: a
half-read register must not vouch for the entries it did read.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

USE_CASES_KEY = "tvt:useCases"
ABSENT = f"no approved use-case register in the stack config ({USE_CASES_KEY})"
LEVELS = (1, 2, 3)

# ISO dates, and the date-times a YAML timestamp becomes on its way through the engine
# (``2027-09-30`` unquoted can arrive as ``2027-09-30T00:00:00Z``): midnight UTC only, since any
# other time of day would make "expires on" ambiguous.
_DATE = re.compile(
    r"^(?P<date>\d{4}-\d{1,2}-\d{1,2})"
    r"(?:[Tt ]00:00(?::00(?:\.0+)?)?\s*(?:[Zz]|[+-]00(?::?00)?)?)?$"
)


@dataclass(frozen=True)
class UseCase:
    """One approved use case: its id, the committee's approval reference, its data level, last day."""

    id: str
    approval: str
    level: int
    expires: dt.date


@dataclass(frozen=True)
class UseCaseRegister:
    """The parsed register; ``problem`` says why there is none to trust (absent or malformed)."""

    use_cases: tuple[UseCase, ...] = ()
    problem: str | None = ABSENT

    def get(self, use_case_id: str) -> UseCase | None:
        return next((u for u in self.use_cases if u.id == use_case_id), None)


MISSING = UseCaseRegister()


def _malformed(why: str) -> UseCaseRegister:
    return UseCaseRegister(
        (), f"the use-case register {USE_CASES_KEY} in the stack config is malformed: {why}"
    )


def parse_date(value: Any) -> dt.date | None:
    """``YYYY-MM-DD`` (YAML's one-digit month and day too) or midnight-UTC date-time; None otherwise."""
    if not isinstance(value, str):
        return None
    match = _DATE.match(value.strip())
    if match is None:
        return None
    year, month, day = (int(part) for part in match["date"].split("-"))
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _level(value: Any) -> int | None:
    if isinstance(value, bool):  # a YAML 'yes' is not level 1
        return None
    if isinstance(value, int):
        return value if value in LEVELS else None
    if isinstance(value, str) and value.strip().isdigit():
        return _level(int(value.strip()))
    return None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _entry(index: int, raw: Any) -> UseCase | str:
    """The use case at ``[index]``, or why it is malformed."""
    where = f"[{index}]"
    if not isinstance(raw, Mapping):
        return f"{where}: expected an object with id, approval, level and expires, got {type(raw).__name__}"
    use_case_id = _text(raw.get("id"))
    if use_case_id is None:
        return f"{where}.id: expected a non-empty string, got {raw.get('id')!r}"
    where = f"{where} ({use_case_id})"
    approval = _text(raw.get("approval"))
    if approval is None:
        return f"{where}.approval: expected a non-empty string, got {raw.get('approval')!r}"
    level = _level(raw.get("level"))
    if level is None:
        return f"{where}.level: expected one of {', '.join(map(str, LEVELS))}, got {raw.get('level')!r}"
    expires = parse_date(raw.get("expires"))
    if expires is None:
        return f"{where}.expires: expected a date YYYY-MM-DD, got {raw.get('expires')!r}"
    return UseCase(use_case_id, approval, level, expires)


def json_list(value: str, what: str) -> list[Any] | str:
    """A stack-config value the engine sent as JSON text, as a list; else why it is not one.

    The one reader of the stack config's registers (use cases here, partners in ``policies/partners.py``).
    """
    try:
        raw = json.loads(value)
    except (json.JSONDecodeError, RecursionError) as error:
        return f"not JSON ({error})"
    return raw if isinstance(raw, list) else f"expected a list of {what}, got {type(raw).__name__}"


def parse_register(value: str | None) -> UseCaseRegister:
    """The register from the JSON text of ``tvt:useCases`` (None: the stack config has no register)."""
    if value is None:
        return MISSING
    raw = json_list(value, "use cases")
    if isinstance(raw, str):
        return _malformed(raw)
    use_cases: list[UseCase] = []
    for index, item in enumerate(raw):
        entry = _entry(index, item)
        if isinstance(entry, str):
            return _malformed(entry)
        if any(u.id == entry.id for u in use_cases):
            return _malformed(f"[{index}].id: use case {entry.id} is listed twice")
        use_cases.append(entry)
    return UseCaseRegister(tuple(use_cases), None)


def register_from_config(config: Mapping[str, str] | None) -> UseCaseRegister:
    """The register in a stack config as ``ConfigureStack`` sends it (None: never configured)."""
    if config is None:
        return MISSING
    return parse_register(config.get(USE_CASES_KEY))
