"""The control-coverage matrix counts every rule x resource result of the rules that test a control."""

from __future__ import annotations

from scripts.engine.policy_config import PolicyInfo
from scripts.review.coverage import coverage_rows
from scripts.review.findings import Outcome, Result


def _policy(name: str, *controls: str) -> PolicyInfo:
    return PolicyInfo(name, name, "mandatory", "high", controls, "resource", {}, ())


def _results(rule: str, *outcomes: Outcome) -> list[Result]:
    return [Result(rule, f"urn:{rule}:{i}", "t", f"r{i}", o) for i, o in enumerate(outcomes)]


def test_each_control_sums_the_outcomes_of_its_rules() -> None:
    policies = {
        "tls": _policy("tls", "mcsb:DP-3", "ncsc-csp:1"),
        "cmk": _policy("cmk", "mcsb:DP-3"),
        "tags": _policy("tags", "mcsb:AM-2"),
    }
    results = [
        *_results("tls", Outcome.PASS, Outcome.FAIL, Outcome.PASS, Outcome.NOT_APPLICABLE),
        *_results("cmk", Outcome.EXEMPTED, Outcome.PASS),
        *_results("tags", Outcome.NOT_APPLICABLE),
        *_results("unregistered", Outcome.FAIL),
    ]
    rows = {(r.short, r.control): r for r in coverage_rows(policies, results)}
    dp3 = rows[("MCSB", "DP-3")]
    assert (dp3.rules, dp3.passed, dp3.failed, dp3.exempted, dp3.status) == (
        ("tls", "cmk"),
        3,
        1,
        1,
        "fail",
    )
    ncsc1 = rows[("NCSC", "1")]
    assert (ncsc1.rules, ncsc1.passed, ncsc1.failed, ncsc1.exempted) == (("tls",), 2, 1, 0)
    am2 = rows[("MCSB", "AM-2")]
    assert (am2.passed, am2.failed, am2.exempted, am2.status) == (0, 0, 0, "not applicable")
    assert rows[("NCSC", "2.4")].status == "not tested"
