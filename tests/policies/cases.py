"""The negative cases' shared parts: ``Case``, the mutations cases are made of, and the one check.

Each rule's cases live in ``tests/policies/rules/<family>/test_<rule>.py``, beside nothing but that
rule. A case mutates one thing (one property, option, reference or resource) of the compliant
baseline and names the exact rule and a key part of its message; ``also`` lists other rules the
same change legitimately trips, so :func:`assert_case_trips` can insist on the exact set.

Every case runs twice: as written, with every value known, and again after :func:`first_preview`,
where every value computed from another resource is unknown and property dependencies decide
(the known-value and the unknown-value paths must agree). A case whose change is only to such a
value, with its dependency kept, is ``known_only``: a first preview cannot see it, by design.

A :class:`Variant` is the other side: another compliant way to write what the baseline writes
(a boundary value, an equivalent spelling, a harmless neighbour), on which the rule must stay
silent, again on both paths. Cases and variants change prod's baseline unless they name another
example stack's (``environment``), for the rules that judge dev and test differently.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.references import EACH, references
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
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # merged over <stack>.json
    known_only: bool = False  # the change is invisible while computed values are unknown
    environment: str = "prod"  # the example stack whose compliant baseline the case changes

    def __str__(self) -> str:
        return self.what


def _put(props: dict[str, Any], path: str, value: Any) -> None:
    node: Any = props
    *head, last = path.split(".")
    for step in head:
        node = node[int(step)] if isinstance(node, list) else node[step]
    key: Any = int(last) if isinstance(node, list) else last
    if value is DELETE:
        del node[key]
    else:
        node[key] = value


def set_prop(name: str, path: str, value: Any = DELETE) -> Mutation:
    """Set (or delete) ``path`` (dotted; integers index lists) on resource ``name``, inputs and outputs."""

    def mutate(stack: Stack) -> None:
        _put(stack[name].props, path, value)

    return mutate


def set_input(name: str, path: str, value: Any = DELETE) -> Mutation:
    """Change what ``name`` asks Azure for while its outputs still report the compliant value."""

    def mutate(stack: Stack) -> None:
        res = stack[name]
        res.frozen_outputs = res.outputs
        _put(res.props, path, value)

    return mutate


def identity_of(stack: Stack, target: str, kind: str = "id") -> str:
    """What a value naming ``target`` holds: its ``id``, vault ``uri``, Azure ``name`` or ``principal``."""
    res = stack[target]
    found = {
        "id": res.computed.get("id"),
        "uri": res.computed.get("properties", {}).get("vaultUri"),
        "name": res.computed.get("name"),
        "principal": res.computed.get("principalId"),
    }[kind]
    assert isinstance(found, str), f"{target} has no {kind}"
    return found


def refer(name: str, path: str, target: str, kind: str = "id") -> Mutation:
    """The value at ``path`` names ``target``; the property dependency still names the original."""

    def mutate(stack: Stack) -> None:
        _put(stack[name].props, path, identity_of(stack, target, kind))

    return mutate


def retarget(name: str, key: str, path: str, target: str, kind: str = "id") -> Mutation:
    """Value and property dependency both name ``target``: a consistent, wrong reference."""
    return chain(refer(name, path, target, kind), point_ref(name, key, target))


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


def computed_from(name: str, path: str, target: str) -> Mutation:
    """The value at ``path`` is unknown during preview and computed from ``target`` alone (its
    top-level property's dependency), as ``x=target.some_output`` would make it."""
    return chain(set_prop(name, path, UNKNOWN_STRING_VALUE), point_ref(name, path.partition(".")[0], target))


LOCK = "azure-native:authorization:ManagementLockAtResourceGroupLevel"


def impostor(name: str, parent: str, refs: Mapping[str, str], **props: Any) -> Mutation:
    """A resource of the wrong type (a lock) whose properties ``refs`` name resources as the type a
    rule looks for would: a rule must not take it for that type."""
    return add(LOCK, name, parent, {"level": "CanNotDelete", **props}, refs)


# What a resource of the wrong type that names something trips besides the rule under test.
IMPOSTOR_ALSO = frozenset({"azure-api-conformance", "data-protection-prod-locks", "tagging-required-tags"})


def add(
    type_: str, name: str, parent: str, props: dict[str, Any], refs: Mapping[str, str] | None = None
) -> Mutation:
    """Declare a resource under ``parent`` whose property ``key`` depends on resource ``refs[key]``."""

    def mutate(stack: Stack) -> None:
        deps = {key: stack[target] for key, target in (refs or {}).items()}
        stack.add(type_, name, stack[parent], copy.deepcopy(props), dict(deps))

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


ELSEWHERE = "/subscriptions/99999999-9999-4999-8999-999999999999/resourceGroups/rg-elsewhere/providers"


def foreign(resource: str) -> str:
    """An ARM id outside this stack, e.g. ``foreign("Microsoft.Storage/storageAccounts/exfil")``."""
    return f"{ELSEWHERE}/{resource}"


def outside(name: str, key: str, path: str, value: Any) -> Mutation:
    """The value at ``path`` names ``value`` (outside the stack) and no longer has a dependency."""
    return chain(set_prop(name, path, value), drop_ref(name, key))


def first_preview(stack: Stack) -> Stack:
    """``stack`` as a first ``pulumi preview`` sends it: nothing exists yet, so what Azure computes
    (ids, principal ids, URIs) is absent from outputs, and every value computed from another
    resource (a reference with a property dependency) is the engine's unknown sentinel."""
    stack = stack.copy()
    for res in stack.resources.values():
        res.computed = {}
        if res.frozen_outputs is not None:
            res.frozen_outputs = {k: v for k, v in res.frozen_outputs.items() if k not in ("id", "name")}
        for ref in references(res.type):
            if res.deps.get(ref.key):
                _unknown(res.props, (ref.key, *ref.path))
    return stack


def _unknown(node: Any, path: tuple[str, ...]) -> None:
    step, *rest = path
    if step == EACH:
        for i, item in enumerate(node if isinstance(node, list) else []):
            if rest:
                _unknown(item, tuple(rest))
            else:
                node[i] = UNKNOWN_STRING_VALUE
        return
    if not isinstance(node, dict) or step not in node:
        return
    if rest:
        _unknown(node[step], tuple(rest))
    else:
        node[step] = UNKNOWN_STRING_VALUE


BASELINE = compliant_stack("prod")
PREVIEW = first_preview(BASELINE)


@functools.cache
def baseline_of(environment: str) -> Stack:
    return BASELINE if environment == "prod" else compliant_stack(environment)


@functools.cache
def preview_of(environment: str) -> Stack:
    return PREVIEW if environment == "prod" else first_preview(baseline_of(environment))


@functools.cache
def _findings_of(environment: str, preview: bool) -> tuple[Hit, ...]:
    stack = preview_of(environment) if preview else baseline_of(environment)
    return tuple(run(analyzer(load_config(environment)), stack))


def _base_findings(rule: str, environment: str, prod: list[Hit], *, preview: bool) -> Sequence[Hit]:
    """The findings a case's changes are compared with: prod's from the session fixture, another
    stack's computed here (and, as prod's are by every rule module, checked to be clean)."""
    if environment == "prod":
        return prod
    found = _findings_of(environment, preview)
    assert_baseline_passes(rule, found, environment)
    return found


# The baseline's findings: the approved design exemptions, advisory and labelled.
EXEMPTED_BY_DESIGN = {
    "encryption-cmk-same-level": "audit-workspace",
    "network-public-access-disabled": "audit-archive-account",
}


def baseline_findings() -> list[Hit]:
    """Every finding on the compliant baseline under prod's pack config."""
    return run(analyzer(load_config("prod")), BASELINE)


def preview_findings() -> list[Hit]:
    """Every finding on the compliant baseline's first preview under prod's pack config."""
    return run(analyzer(load_config("prod")), PREVIEW)


def _expected_exemption(f: Hit, environment: str) -> bool:
    resource = EXEMPTED_BY_DESIGN.get(f.rule)
    return (
        resource is not None
        and f.urn == baseline_of(environment)[resource].urn
        and f.exempted
        and f.level == "advisory"
    )


def _changed(stack: Stack, base: Stack) -> list[str]:
    return [n for n, r in stack.resources.items() if n not in base.resources or r != base[n]]


def _config(extra: Mapping[str, Mapping[str, Any]], environment: str = "prod") -> dict[str, Any]:
    config = load_config(environment)
    for rule, entry in extra.items():
        config[rule] = {**config.get(rule, {}), **entry}
    return config


def assert_baseline_passes(rule: str, baseline: Sequence[Hit], environment: str = "prod") -> None:
    """``rule`` finds nothing on the compliant baseline but its design exemptions."""
    mine = [f for f in baseline if f.rule == rule and not _expected_exemption(f, environment)]
    assert not mine, f"compliant baseline trips {rule}:\n{describe(mine)}"


def assert_case_trips(rule: str, case: Case, baseline: list[Hit]) -> None:
    """``case`` trips ``rule`` with its message on its resource, mandatory, and nothing but ``also``."""
    base, known = (
        baseline_of(case.environment),
        _base_findings(rule, case.environment, baseline, preview=False),
    )
    stack = base.copy()
    case.mutate(stack)
    findings = [
        f
        for f in run(analyzer(_config(case.config, case.environment)), stack, only=_changed(stack, base))
        if f not in known
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


def assert_unknown_path_agrees(rule: str, case: Case, preview: list[Hit]) -> None:
    """With every computed value unknown, ``case`` still trips ``rule`` on the same resource."""
    known = _base_findings(rule, case.environment, preview, preview=True)
    stack = baseline_of(case.environment).copy()
    case.mutate(stack)
    stack = first_preview(stack)
    findings = [
        f
        for f in run(
            analyzer(_config(case.config, case.environment)),
            stack,
            only=_changed(stack, preview_of(case.environment)),
        )
        if f not in known
    ]
    expected_urn = stack[case.resource].urn if case.resource else ""
    hits = [f for f in findings if f.rule == rule and f.urn == expected_urn]
    assert hits, (
        f"{case.what}, values unknown as in a first preview: expected {rule} on "
        f"{case.resource or 'the stack'}, got:\n{describe(findings) or '  nothing'}"
    )
    assert all(f.level == "mandatory" or rule.startswith(("tagging-", "exemption-unused")) for f in hits)


def rule_tests(rule: str, cases: list[Case]) -> tuple[Callable[..., None], Callable[..., None]]:
    """The two tests every rule module has: the baseline passes the rule, and each case trips it,
    both with values known and as a first preview sees them (unless the case is ``known_only``).

    A rule module binds them to module-level names (``test_baseline_passes_rule, test_negative_case
    = rule_tests(RULE, CASES)``) so pytest collects them there, next to the cases they run.
    """

    def test_baseline_passes_rule(baseline_findings: list[Hit], preview_findings: list[Hit]) -> None:
        assert_baseline_passes(rule, baseline_findings)
        assert_baseline_passes(rule, preview_findings)

    @pytest.mark.parametrize("case", cases, ids=str)
    def test_negative_case(case: Case, baseline_findings: list[Hit], preview_findings: list[Hit]) -> None:
        assert_case_trips(rule, case, baseline_findings)
        if not case.known_only:
            assert_unknown_path_agrees(rule, case, preview_findings)

    return test_baseline_passes_rule, test_negative_case


@dataclass(frozen=True)
class Variant:
    """Another compliant way to write what the baseline writes: the rule must not trip on it."""

    what: str
    mutate: Mutation
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # merged over <stack>.json
    environment: str = "prod"

    def __str__(self) -> str:
        return self.what


def assert_variant_passes(rule: str, variant: Variant, baseline: list[Hit], *, preview: bool) -> None:
    """``variant`` of the baseline (or of its first preview) adds no finding of ``rule``."""
    env = variant.environment
    base = preview_of(env) if preview else baseline_of(env)
    known = _base_findings(rule, env, baseline, preview=preview)
    stack = baseline_of(env).copy()
    variant.mutate(stack)
    if preview:
        stack = first_preview(stack)
    findings = [
        f
        for f in run(analyzer(_config(variant.config, env)), stack, only=_changed(stack, base))
        if f.rule == rule and f not in known
    ]
    assert not findings, f"{variant.what}{' (first preview)' if preview else ''}:\n{describe(findings)}"


def variant_tests(rule: str, variants: list[Variant]) -> Callable[..., None]:
    """The test that each compliant variant passes ``rule``, values known and as a first preview."""

    @pytest.mark.parametrize("variant", variants, ids=str)
    def test_compliant_variant(
        variant: Variant, baseline_findings: list[Hit], preview_findings: list[Hit]
    ) -> None:
        assert_variant_passes(rule, variant, baseline_findings, preview=False)
        assert_variant_passes(rule, variant, preview_findings, preview=True)

    return test_compliant_variant


@dataclass(frozen=True)
class Once:
    """A reference of the baseline made to name nothing it can be shown to name (its value and its
    dependency disagree, or its value is unknown with no dependency): the rule that owns the reference
    (``policies/references.py``) reports it exactly once on its resource, and the rule under test,
    which reads the same reference, adds nothing. Values as written (the change is to a value)."""

    what: str
    mutate: Mutation
    owner: str  # the reference's rule
    message: str  # a key part of the owner's one finding
    resource: str
    environment: str = "prod"

    def __str__(self) -> str:
        return self.what


def assert_reported_once(rule: str, case: Once, baseline: list[Hit]) -> None:
    base = baseline_of(case.environment)
    known = _base_findings(rule, case.environment, baseline, preview=False)
    stack = base.copy()
    case.mutate(stack)
    findings = [
        f
        for f in run(analyzer(_config({}, case.environment)), stack, only=_changed(stack, base))
        if f not in known
    ]
    urn = stack[case.resource].urn
    owned = [f for f in findings if f.rule == case.owner and f.urn == urn]
    assert len(owned) == 1 and case.message in owned[0].message and owned[0].level == "mandatory", (
        f"{case.what}: expected one mandatory {case.owner} finding with {case.message!r}, got:\n"
        f"{describe(findings) or '  nothing'}"
    )
    again = [f for f in findings if f.rule == rule and f not in owned]
    assert not again, f"{case.what}: {rule} reports it again:\n{describe(again)}"


def once_tests(rule: str, cases: list[Once]) -> Callable[..., None]:
    """The test that each :class:`Once` case is reported once, by its reference's rule, not by ``rule``."""

    @pytest.mark.parametrize("case", cases, ids=str)
    def test_reported_once(case: Once, baseline_findings: list[Hit]) -> None:
        assert_reported_once(rule, case, baseline_findings)

    return test_reported_once
