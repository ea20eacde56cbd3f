"""The README leads with the two commands and links every doc; docs/rules.md matches the registry."""

from __future__ import annotations

import re
from pathlib import Path

from policies.pack import RULES
from scripts.review import rules_table

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def test_readme_names_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "make plan" in text and "make test" in text


def test_readme_links_resolve() -> None:
    text = README.read_text(encoding="utf-8")
    links = re.findall(r"\]\(((?:docs/)[^)#]+)", text)
    assert "docs/rules.md" in links, "the README must link the rule table"
    missing = [link for link in links if not (ROOT / link).is_file()]
    assert not missing, f"README.md links to missing files: {missing}"


def test_rule_table_matches_the_registry() -> None:
    assert rules_table.RULES_DOC.read_text(encoding="utf-8") == rules_table.render(), (
        "docs/rules.md is stale: run `make docs`"
    )
    text = rules_table.render()
    for rule in RULES:
        assert f"[`{rule.meta.id}`]({rule.meta.docs}) | {rule.meta.enforcement.value} |" in text, rule.meta.id


def test_layout_table_names_every_top_level_package() -> None:
    text = README.read_text(encoding="utf-8")
    packages = (
        "components/",
        "policies/",
        "scripts/engine/",
        "scripts/review/",
        "scripts/commands/",
        "docs/",
    )
    for path in packages:
        assert f"`{path}" in text, f"README.md's layout table does not describe {path}"


def test_make_help_shows_values_and_the_readme_s_targets() -> None:
    import subprocess

    done = subprocess.run(
        ["make", "-s", "help", "STACK=dev"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "$(" not in done.stdout, "make help must print values, not variable names"
    assert "out/dev/plan.json" in done.stdout
    for target in ("plan", "check", "report", "diff", "test"):
        assert f"  make {target} " in done.stdout, target
