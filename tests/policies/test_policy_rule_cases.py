"""Every rule: the baseline passes it, and each negative case trips it (and only what it should)."""

from __future__ import annotations

from typing import Any

import pytest

from policies.pack import RULES
from tests.conftest import TODAY
from tests.policies.baselines import compliant_stack
from tests.policies.harness import Finding, analyzer, describe, load_config, run
from tests.policies.negative_cases import NEGATIVE_CASES, Case

RULE_IDS = [r.meta.id for r in RULES]
CASES = [
    pytest.param(rule, case, id=f"{rule}: {case}") for rule, cases in NEGATIVE_CASES.items() for case in cases
]
BASELINE = compliant_stack("prod")


def _config(extra: dict[str, Any]) -> dict[str, Any]:
    config = load_config("prod")
    for rule, entry in extra.items():
        config[rule] = {**config.get(rule, {}), **entry}
    return config


# The baseline's findings: the approved design exemptions, advisory and labelled.
EXEMPTED_BY_DESIGN = {
    "encryption-cmk-same-level": "audit-workspace",
    "network-public-access-disabled": "audit-archive-account",
}


def _expected_exemption(f: Finding) -> bool:
    resource = EXEMPTED_BY_DESIGN.get(f.rule)
    return resource is not None and f.urn == BASELINE[resource].urn and f.exempted and f.level == "advisory"


def test_every_registered_rule_has_negative_cases() -> None:
    assert sorted(NEGATIVE_CASES) == sorted(RULE_IDS), "rules without negative cases (or cases for no rule)"
    assert all(NEGATIVE_CASES[r] for r in RULE_IDS)


@pytest.fixture(scope="module")
def baseline_findings() -> list[Finding]:
    import os

    os.environ["TVT_TODAY"] = TODAY
    try:
        return run(analyzer(load_config("prod")), BASELINE)
    finally:
        del os.environ["TVT_TODAY"]


@pytest.mark.parametrize("rule", RULE_IDS)
def test_baseline_passes_rule(rule: str, baseline_findings: list[Finding]) -> None:
    mine = [f for f in baseline_findings if f.rule == rule and not _expected_exemption(f)]
    assert not mine, f"compliant baseline trips {rule}:\n{describe(mine)}"


@pytest.mark.parametrize(("rule", "case"), CASES)
def test_negative_case(rule: str, case: Case, baseline_findings: list[Finding]) -> None:
    stack = BASELINE.copy()
    case.mutate(stack)
    changed = [n for n, r in stack.resources.items() if n not in BASELINE.resources or r != BASELINE[n]]
    findings = [
        f
        for f in run(analyzer(_config(dict(case.config))), stack, only=changed)
        if f not in baseline_findings
    ]
    hits = [f for f in findings if f.rule == rule and case.message in f.message]
    assert hits, (
        f"{case.what}: expected {rule} with {case.message!r}, got:\n{describe(findings) or '  nothing'}"
    )
    expected_urn = stack[case.resource].urn if case.resource else ""
    assert any(f.urn == expected_urn for f in hits), (
        f"{rule} reported on the wrong resource:\n{describe(hits)}"
    )
    assert all(f.level == "mandatory" or rule.startswith(("tagging-", "exemption-unused")) for f in hits)
    unexpected = {f.rule for f in findings} - {rule} - case.also
    assert not unexpected, f"{case.what}: also tripped {sorted(unexpected)}:\n{describe(findings)}"
