"""Every registered rule has negative cases in the test module that mirrors its file, and only rules do.

``policies/rules/<family>/<rule>.py`` is tested by ``tests/policies/rules/<family>/test_<rule>.py``,
which declares ``RULE`` (the rule's id) and a non-empty ``CASES``. The path comes from the module
that defines the rule's check, so moving a rule without its tests fails here.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from policies.framework import Rule
from policies.pack import RULES

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent


def mirror(rule: Rule) -> Path:
    family, stem = rule.check.__module__.removeprefix("policies.rules.").split(".")
    return HERE / family / f"test_{stem}.py"


def test_every_registered_rule_has_negative_cases() -> None:
    problems = []
    for rule in RULES:
        path = mirror(rule)
        where = path.relative_to(ROOT)
        if not path.is_file():
            problems.append(f"{rule.meta.id}: no {where}")
            continue
        module = importlib.import_module(".".join(where.with_suffix("").parts))
        if getattr(module, "RULE", None) != rule.meta.id:
            problems.append(f"{rule.meta.id}: {where} declares RULE = {getattr(module, 'RULE', None)!r}")
        if not getattr(module, "CASES", None):
            problems.append(f"{rule.meta.id}: {where} has no CASES")
    assert not problems, "rules without negative cases:\n" + "\n".join(problems)


def test_every_rule_test_module_is_for_a_registered_rule() -> None:
    expected = {mirror(rule) for rule in RULES}
    strays = sorted(str(p.relative_to(ROOT)) for p in HERE.glob("*/test_*.py") if p not in expected)
    assert not strays, f"test modules for no registered rule: {strays}"
