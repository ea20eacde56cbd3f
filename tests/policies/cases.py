"""The negative cases' shared parts: ``Case``, the mutations cases are made of, and the one check.

Each rule's cases live in ``tests/policies/rules/<family>/test_<rule>.py``, beside nothing but that
rule. A case mutates one thing (one property, option, reference or resource) of the compliant
baseline and names the exact rule and a key part of its message; ``also`` lists other rules the
same change legitimately trips, so :func:`assert_case_trips` can insist on the exact set.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.policies.baselines import Stack, compliant_stack
from tests.policies.harness import Hit, analyzer, describe, load_config, run

Mutation = Callable[[Stack], None]
DELETE = object()  # a mutation's value that removes the key instead


@dataclass(frozen=True)
class Case:
    what: str
    mutate: Mutation
    message: str  # a key part of the expected finding
    resource: str | None = None  # logical name the finding is on (None: the stack as a whole)
    also: frozenset[str] = frozenset()
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # merged over prod.json

    def __str__(self) -> str:
        return self.what


def set_prop(name: str, path: str, value: Any = DELETE) -> Mutation:
    """Set (or delete) ``path`` (dotted; integers index lists) on resource ``name``."""

    def mutate(stack: Stack) -> None:
        node: Any = stack[name].props
        *head, last = path.split(".")
        for step in head:
            node = node[int(step)] if isinstance(node, list) else node[step]
        key: Any = int(last) if isinstance(node, list) else last
        if value is DELETE:
            del node[key]
        else:
            node[key] = value

    return mutate


def drop(name: str) -> Mutation:
    return lambda stack: stack.remove(name)


def drop_ref(name: str, key: str) -> Mutation:
    """Remove a property dependency: the value no longer comes from a resource of the stack."""

    def mutate(stack: Stack) -> None:
        del stack[name].deps[key]

    return mutate


def point_ref(name: str, key: str, *targets: str) -> Mutation:
    def mutate(stack: Stack) -> None:
        stack[name].deps[key] = [stack[t].urn for t in targets]

    return mutate


def add(type_: str, name: str, parent: str, props: dict[str, Any]) -> Mutation:
    def mutate(stack: Stack) -> None:
        stack.add(type_, name, stack[parent], props)

    return mutate


def chain(*mutations: Mutation) -> Mutation:
    """Several changes that only together make one situation (e.g. "inherits a location from abroad")."""

    def mutate(stack: Stack) -> None:
        for m in mutations:
            m(stack)

    return mutate


def nothing(stack: Stack) -> None:
    """For cases whose change is in the pack config, not the stack."""


def retag_environment(environment: str) -> Mutation:
    """Every tagged resource claims ``environment``; the URNs still name the stack it really is."""

    def mutate(stack: Stack) -> None:
        for res in stack.resources.values():
            if "environment" in res.props.get("tags", {}):
                res.props["tags"]["environment"] = environment

    return mutate


BASELINE = compliant_stack("prod")

# The baseline's findings: the approved design exemptions, advisory and labelled.
EXEMPTED_BY_DESIGN = {
    "encryption-cmk-same-level": "audit-workspace",
    "network-public-access-disabled": "audit-archive-account",
}


def baseline_findings() -> list[Hit]:
    """Every finding on the compliant baseline under prod's pack config."""
    return run(analyzer(load_config("prod")), BASELINE)


def _expected_exemption(f: Hit) -> bool:
    resource = EXEMPTED_BY_DESIGN.get(f.rule)
    return resource is not None and f.urn == BASELINE[resource].urn and f.exempted and f.level == "advisory"


def _config(extra: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    config = load_config("prod")
    for rule, entry in extra.items():
        config[rule] = {**config.get(rule, {}), **entry}
    return config


def assert_baseline_passes(rule: str, baseline: list[Hit]) -> None:
    """``rule`` finds nothing on the compliant baseline but its design exemptions."""
    mine = [f for f in baseline if f.rule == rule and not _expected_exemption(f)]
    assert not mine, f"compliant baseline trips {rule}:\n{describe(mine)}"


def assert_case_trips(rule: str, case: Case, baseline: list[Hit]) -> None:
    """``case`` trips ``rule`` with its message on its resource, mandatory, and nothing but ``also``."""
    stack = BASELINE.copy()
    case.mutate(stack)
    changed = [n for n, r in stack.resources.items() if n not in BASELINE.resources or r != BASELINE[n]]
    findings = [f for f in run(analyzer(_config(case.config)), stack, only=changed) if f not in baseline]
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


def rule_tests(rule: str, cases: list[Case]) -> tuple[Callable[..., None], Callable[..., None]]:
    """The two tests every rule module has: the baseline passes the rule, and each case trips it.

    A rule module binds them to module-level names (``test_baseline_passes_rule, test_negative_case
    = rule_tests(RULE, CASES)``) so pytest collects them there, next to the cases they run.
    """

    def test_baseline_passes_rule(baseline_findings: list[Hit]) -> None:
        assert_baseline_passes(rule, baseline_findings)

    @pytest.mark.parametrize("case", cases, ids=str)
    def test_negative_case(case: Case, baseline_findings: list[Hit]) -> None:
        assert_case_trips(rule, case, baseline_findings)

    return test_baseline_passes_rule, test_negative_case
