"""StackConfig's lookups: indexed (linear in the grants overall), answering as a scan in file order would."""

from __future__ import annotations

import dataclasses

import pytest

from components.config.load import load_stack
from components.config.model import PartnerGroup


def test_lookups_answer_for_every_grant_as_a_scan_would() -> None:
    cfg = load_stack("prod")
    for grant in cfg.grants:
        owner = next(p for p in cfg.partners if any(g.key == grant.group for g in p.groups))
        assert cfg.partner_of(grant.group) is owner
        assert cfg.group(grant.group) is next(g for g in owner.groups if g.key == grant.group)
        if grant.use_case:
            assert cfg.use_case(grant.use_case) is next(u for u in cfg.use_cases if u.id == grant.use_case)


def test_the_first_of_equal_keys_wins_and_unknown_keys_raise() -> None:
    cfg = load_stack("prod")
    first = cfg.partners[0]
    twin = dataclasses.replace(cfg.partners[1], groups=(PartnerGroup(first.groups[0].key, "other", "twin"),))
    repeated = dataclasses.replace(cfg, partners=(first, twin), use_cases=cfg.use_cases * 2)
    assert repeated.partner_of(first.groups[0].key) is first
    assert repeated.group(first.groups[0].key) is first.groups[0]
    assert repeated.use_case(cfg.use_cases[0].id) is cfg.use_cases[0]
    with pytest.raises(KeyError):
        cfg.group("no-such-group")


def test_indexes_are_not_fields() -> None:
    """Equality and replace() see only the config, not the indexes built on first use."""
    cfg = load_stack("prod")
    cfg.group(cfg.grants[0].group)
    assert cfg == load_stack("prod")
    assert "_groups" not in {f.name for f in dataclasses.fields(cfg)}
