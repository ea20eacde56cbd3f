"""The use-case register the pack reads from ``ConfigureStack``: parsing, and what is malformed."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from policies.use_cases import ABSENT, UseCase, parse_date, parse_register, register_from_config
from tests.policies.baselines import USE_CASES

ENTRY = {
    "id": "UC-2026-001",
    "title": "Knife crime",
    "level": 3,
    "approval": "DEC-2026-03",
    "expires": "2027-09-30",
}


def _register(*entries: Any) -> str:
    return json.dumps(list(entries))


def test_register_parses_into_frozen_use_cases() -> None:
    register = parse_register(_register(ENTRY, {**ENTRY, "id": "UC-2026-003", "level": "2"}))
    assert register.problem is None
    assert register.get("UC-2026-001") == UseCase("UC-2026-001", "DEC-2026-03", 3, dt.date(2027, 9, 30))
    assert register.get("UC-2026-003") == UseCase("UC-2026-003", "DEC-2026-03", 2, dt.date(2027, 9, 30))
    assert register.get("UC-2026-002") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2027-09-30", dt.date(2027, 9, 30)),
        ("2027-9-3", dt.date(2027, 9, 3)),  # YAML's timestamp form allows one-digit month and day
        ("2027-09-30T00:00:00Z", dt.date(2027, 9, 30)),  # an unquoted YAML date after the engine
        ("2027-09-30 00:00:00+00:00", dt.date(2027, 9, 30)),
        ("2027-09-30T12:00:00Z", None),  # a time of day makes "expires on" ambiguous
        ("2027-02-30", None),
        ("30/09/2027", None),
        (20270930, None),
        (None, None),
    ],
)
def test_dates_as_yaml_and_json_give_them(value: Any, expected: dt.date | None) -> None:
    assert parse_date(value) == expected


def test_absent_register() -> None:
    assert register_from_config(None).problem == ABSENT  # ConfigureStack never called
    assert register_from_config({"tvt:environment": "prod"}).problem == ABSENT
    assert ABSENT == "no approved use-case register in the stack config (tvt:useCases)"


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("[{", "not JSON"),
        (json.dumps({"UC-2026-001": ENTRY}), "expected a list of use cases, got dict"),
        (_register("UC-2026-001"), "[0]: expected an object with id, approval, level and expires, got str"),
        (_register({**ENTRY, "id": ""}), "[0].id: expected a non-empty string"),
        (_register({**ENTRY, "approval": None}), "[0] (UC-2026-001).approval: expected a non-empty string"),
        (_register({**ENTRY, "level": 4}), "[0] (UC-2026-001).level: expected one of 1, 2, 3, got 4"),
        (_register({**ENTRY, "level": True}), "[0] (UC-2026-001).level: expected one of 1, 2, 3, got True"),
        (_register({**ENTRY, "level": None}), "[0] (UC-2026-001).level: expected one of 1, 2, 3, got None"),
        (_register({**ENTRY, "level": 3.0}), "[0] (UC-2026-001).level: expected one of 1, 2, 3, got 3.0"),
        (_register({**ENTRY, "level": "x"}), "[0] (UC-2026-001).level: expected one of 1, 2, 3, got 'x'"),
        (_register({**ENTRY, "expires": "soon"}), "[0] (UC-2026-001).expires: expected a date YYYY-MM-DD"),
        (_register(ENTRY, ENTRY), "[1].id: use case UC-2026-001 is listed twice"),
    ],
)
def test_malformed_register_is_reported_not_raised(value: str, why: str) -> None:
    register = register_from_config({USE_CASES: value})
    assert register.use_cases == ()  # a half-read register vouches for nothing
    assert register.problem is not None
    assert register.problem.startswith(
        "the use-case register tvt:useCases in the stack config is malformed: "
    )
    assert why in register.problem
