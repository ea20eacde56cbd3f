"""policies/partners.py: the stack config's register of partners and their groups, read fail-closed."""

from __future__ import annotations

import json

import pytest

from policies.partners import ABSENT, NO_PARTNERS, PARTNERS_KEY, parse_partners, partners_from_config

TVP = "0F7C3A52-7D0E-4C4E-9A8B-2D1F3E4A5B6C"
OCC = "1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d"
GOOD = [
    {"id": "thames-valley-police", "groups": [{"key": "tvp", "objectId": TVP}]},
    {"id": "oxfordshire-county-council", "name": "OCC", "groups": [{"key": "occ", "objectId": OCC}]},
    {"id": "slough-borough-council"},
]


def test_each_group_belongs_to_its_partner() -> None:
    register = parse_partners(json.dumps(GOOD))
    assert register.problem is None
    assert register.owner(TVP.lower()) == "thames-valley-police"
    assert register.owner(OCC.upper()) == "oxfordshire-county-council"
    assert register.owner("2b3c4d5e-6f7a-4b2c-9d3e-4f5a6b7c8d9e") is None


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("[{", "not JSON"),
        ('{"id": "x"}', "expected a list of partners, got dict"),
        ('["tvp"]', "[0]: expected an object with id and groups"),
        ('[{"id": "Thames Valley Police"}]', "[0].id: expected a kebab-case partner id"),
        ('[{"id": "tvp", "groups": {}}]', "[0] (tvp).groups: expected a list"),
        (
            '[{"id": "tvp", "groups": [{"objectId": "not-a-guid"}]}]',
            "[0] (tvp).groups[0].objectId: expected a GUID",
        ),
        ('[{"id": "tvp", "groups": ["x"]}]', "[0] (tvp).groups[0].objectId: expected a GUID"),
        (
            json.dumps(
                [{"id": "a", "groups": [{"objectId": TVP}]}, {"id": "b", "groups": [{"objectId": TVP}]}]
            ),
            f"group {TVP.lower()} belongs to both a and b",
        ),
    ],
)
def test_a_malformed_register_vouches_for_nothing(text: str, why: str) -> None:
    register = parse_partners(text)
    assert register.problem is not None and why in register.problem
    assert register.problem.startswith(
        f"the partner register {PARTNERS_KEY} in the stack config is malformed"
    )
    assert register.owner(TVP) is None


def test_no_register_fails_closed() -> None:
    assert parse_partners(None) is NO_PARTNERS and NO_PARTNERS.problem == ABSENT
    assert partners_from_config(None).problem == ABSENT
    assert partners_from_config({}).problem == ABSENT
    assert partners_from_config({PARTNERS_KEY: json.dumps(GOOD)}).owner(TVP) == "thames-valley-police"
