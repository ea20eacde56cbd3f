"""The README states the two commands and a rule table that matches the registry."""

from __future__ import annotations

from policies.pack import RULES
from scripts import rules_table


def test_readme_names_the_two_commands() -> None:
    text = rules_table.README.read_text(encoding="utf-8")
    assert "make plan" in text and "make test" in text


def test_readme_rule_table_matches_the_registry() -> None:
    text = rules_table.README.read_text(encoding="utf-8")
    assert rules_table.replace_block(text, rules_table.render()) == text, (
        "README.md's rule table is stale: run `make docs`"
    )
    for rule in RULES:
        assert f"| `{rule.meta.id}` | {rule.meta.enforcement.value} |" in text, rule.meta.id


def test_replace_block_requires_markers() -> None:
    import pytest

    with pytest.raises(ValueError, match="markers"):
        rules_table.replace_block("no markers here", "| table |")
