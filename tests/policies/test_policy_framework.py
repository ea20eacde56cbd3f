"""The wrapper: crashes fail closed, unknowns are "can't run", metadata lands in pulumi-policy's fields."""

from __future__ import annotations

from collections.abc import Iterator

from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.framework import Controls, Params, ResourceRule, RuleMeta, StackContext, StackRule, to_policy
from policies.model import NotApplicable, Resource, Violation
from policies.pack import make_analyzer
from tests.policies.baselines import compliant_stack
from tests.policies.harness import analyze_request, custom_analyzer, run


def _meta(rule_id: str, level: EnforcementLevel = EnforcementLevel.MANDATORY) -> RuleMeta:
    return RuleMeta(
        id=rule_id,
        title="Test rule",
        severity=Severity.HIGH,
        enforcement=level,
        controls=Controls(ncsc=("2.3",), mcsb=("DP-5",), cis=("3.12",)),
        remediation="Fix it.",
        docs="https://example.org/rule",
    )


def crashing_check(resource: Resource, params: Params) -> Iterator[str]:
    """Always crashes.

    Stands in for a rule with a bug: the pack must report it, never pass the resource.
    """
    raise KeyError("encryption")
    yield ""  # pragma: no cover


def crashing_stack_check(context: StackContext, params: Params) -> Iterator[Violation]:
    """Crashes on the stack.

    A stack rule with a bug.
    """
    return iter([Violation(str(1 / len([])))])


def reads_unknown(resource: Resource, params: Params) -> Iterator[str]:
    """Reads a value unknown during preview.

    The SDK would report it as an advisory "can't run during preview"; the pack blocks instead.
    """
    if resource.props["location"]:
        yield "never"


def never_applies(resource: Resource, params: Params) -> NotApplicable:
    """Not applicable to anything.

    Exercises the not-applicable path.
    """
    return NotApplicable("only for testing")


STACK = compliant_stack()


def test_crashing_resource_rule_is_a_violation_at_its_level() -> None:
    rule = ResourceRule(_meta("test-crash"), crashing_check)
    findings = run(custom_analyzer([rule]), STACK, only=["l3-storage"])
    crashes = [f for f in findings if f.rule == "test-crash"]
    assert [f.message for f in crashes] == ["rule crashed: KeyError: 'encryption'"]
    assert crashes[0].level == "mandatory" and crashes[0].urn == STACK["l3-storage"].urn


def test_crashing_stack_rule_is_a_violation() -> None:
    rule = StackRule(_meta("test-stack-crash"), crashing_stack_check)
    findings = run(custom_analyzer([rule]), STACK, only=[])
    assert [(f.rule, f.level, f.message) for f in findings] == [
        ("test-stack-crash", "mandatory", "rule crashed: ZeroDivisionError: division by zero")
    ]


def test_crash_is_never_exempted() -> None:
    rule = ResourceRule(_meta("test-crash"), crashing_check)
    exemption = {
        "resource": STACK["l3-storage"].urn,
        "reason": "Testing that crashes are never exempted at all.",
        "approver": "Test approver",
        "expires": "2027-01-01",
    }
    findings = run(
        custom_analyzer([rule], {"test-crash": {"exemptions": [exemption]}}), STACK, only=["l3-storage"]
    )
    assert [f.level for f in findings if f.rule == "test-crash"] == ["mandatory"]


def test_unknown_value_fails_closed_at_the_rules_level() -> None:
    # The SDK's own answer would be an ADVISORY "can't run policy", which silently turns a
    # mandatory rule advisory on every first preview.
    rule = ResourceRule(_meta("test-unknown"), reads_unknown)
    servicer = custom_analyzer([rule])
    request = analyze_request(STACK["l3-storage"])
    request.properties["location"] = UNKNOWN_STRING_VALUE
    response = servicer.Analyze(request, None)
    assert len(response.diagnostics) == 1
    diagnostic = response.diagnostics[0]
    assert diagnostic.enforcementLevel == analyzer_pb2.MANDATORY
    assert diagnostic.message.endswith(
        "cannot verify during preview: string value at .location can't be known during preview, and the "
        "rule has no other way to check it"
    )
    assert "can't run policy" not in diagnostic.message


def unknown_on_the_stack(context: StackContext, params: Params) -> Iterator[Violation]:
    """Reads an unknown value of a stack resource.

    A stack rule that cannot answer blocks as well.
    """
    for resource in context.index.resources:
        _ = resource.props.get("location")
    return iter(())


def test_unknown_value_in_a_stack_rule_fails_closed() -> None:
    stack = STACK.copy()
    stack["l3-storage"].props["location"] = UNKNOWN_STRING_VALUE
    findings = run(
        custom_analyzer([StackRule(_meta("test-stack-unknown"), unknown_on_the_stack)]), stack, only=[]
    )
    assert [(f.rule, f.level) for f in findings] == [("test-stack-unknown", "mandatory")]
    assert findings[0].message.startswith("cannot verify during preview: string value at .location")


def test_not_applicable_is_reported() -> None:
    servicer = custom_analyzer([ResourceRule(_meta("test-na"), never_applies)])
    response = servicer.Analyze(analyze_request(STACK["l3-storage"]), None)
    assert not response.diagnostics
    assert [(n.policy_name, n.reason) for n in response.not_applicable] == [("test-na", "only for testing")]


def test_types_limit_a_resource_rule() -> None:
    servicer = custom_analyzer(
        [ResourceRule(_meta("test-types"), crashing_check, types=frozenset({"x:y:Z"}))]
    )
    response = servicer.Analyze(analyze_request(STACK["l3-storage"]), None)
    assert not response.diagnostics
    assert response.not_applicable[0].reason == "applies only to x:y:Z"


def test_metadata_uses_pulumi_policy_fields() -> None:
    policy = to_policy(ResourceRule(_meta("test-meta", EnforcementLevel.ADVISORY), crashing_check))
    assert policy.name == "test-meta"
    assert policy.description == "Always crashes."
    assert policy.display_name == "Test rule"
    assert policy.enforcement_level is EnforcementLevel.ADVISORY
    assert policy.severity is Severity.HIGH
    assert policy.tags == ["ncsc-csp:2.3", "mcsb:DP-5", "cis-azure:3.12"]
    assert policy.framework is not None and policy.framework.reference == "2.3"
    assert policy.framework.specification == "2.3 Data at rest protection"
    assert policy.remediation_steps == "Fix it." and policy.url == "https://example.org/rule"
    assert policy.config_schema is not None and "exemptions" in policy.config_schema.properties


def test_metadata_is_validated() -> None:
    import pytest

    with pytest.raises(ValueError, match="kebab-case"):
        _meta("Not_Kebab")
    with pytest.raises(ValueError, match="NCSC principles"):
        Controls(ncsc=("99",))
    with pytest.raises(ValueError, match="docstring"):
        ResourceRule(_meta("test-nodoc"), lambda r, p: []).description  # noqa: B018


def test_analyzer_info_of_a_fresh_analyzer() -> None:
    info = make_analyzer().GetAnalyzerInfo(empty_pb2.Empty(), None)
    assert info.version == "0.1.0"
