"""Evaluate a policy pack against a plan, making the calls the engine makes, in its order.

Mirrors ``pulumi policy analyze`` (``deploy.AnalyzeSnapshot``): ``GetAnalyzerInfo``, ``Configure``
(the reconciled config, every policy with its level), ``ConfigureStack`` (stack, project, dry run
and the stack's config as the engine encodes it: "namespace:key" -> the string, or JSON for any
other value; the pack reads the use-case register from it), then ``Analyze`` once per
resource with its *inputs*, options and provider, then one ``AnalyzeStack`` with every resource's
*outputs*, parent, dependencies and property dependencies. ``tvt plan`` and ``tvt check`` both
come through :func:`evaluate`, so the same plan always gives the same findings.

Remediations are not run: the engine only reports them during ``policy analyze``, and a remediate
policy that still finds a violation is reported by ``Analyze`` at MANDATORY anyway.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2

from scripts.engine.analyzer import Analyzer
from scripts.engine.capture import config_for_runtime
from scripts.engine.export import SIG_KEY, is_secret
from scripts.engine.plan import Plan, PlanResource, urn_parts
from scripts.engine.policy_config import (
    ENFORCEMENT_NAMES,
    SEVERITY_NAMES,
    Downgrade,
    PackInfo,
    PolicyEntry,
    configure_request,
    downgrades,
    load_policy_config,
    pack_info,
)
from scripts.review.findings import ConfiguredExemption, Finding, configured_exemptions, parse_exemption

Tick = Callable[[int, int], None]


@dataclass(frozen=True)
class Evaluation:
    pack: PackInfo
    config_source: str
    config: Mapping[str, PolicyEntry]
    exemptions: tuple[ConfiguredExemption, ...]
    findings: tuple[Finding, ...]

    @property
    def mandatory(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    @property
    def downgrades(self) -> tuple[Downgrade, ...]:
        """Rules the policy config runs at a weaker level than the pack declares, by rule id."""
        return downgrades(self.pack, self.config)


def to_rpc(value: Any) -> Any:
    """Plan values as the engine marshals them: a plan secret becomes the RPC secret wrapper."""
    if is_secret(value):
        plaintext = value.get("plaintext")
        inner = json.loads(plaintext) if isinstance(plaintext, str) else None
        return {SIG_KEY: value[SIG_KEY], "value": to_rpc(inner)}
    if isinstance(value, Mapping):
        return {k: to_rpc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_rpc(v) for v in value]
    return value


def struct(properties: Mapping[str, Any]) -> struct_pb2.Struct:
    result = struct_pb2.Struct()
    result.update(to_rpc(dict(properties)))
    return result


def options(resource: PlanResource) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(
        protect=resource.protect,
        ignoreChanges=list(resource.ignore_changes),
        additionalSecretOutputs=list(resource.additional_secret_outputs),
        parent=resource.parent,
    )


def provider_of(resource: PlanResource, plan: Plan) -> analyzer_pb2.AnalyzerProviderResource | None:
    provider = plan.get(resource.provider_urn) if resource.provider_urn else None
    if provider is None:
        return None
    return analyzer_pb2.AnalyzerProviderResource(
        type=provider.type, properties=struct(provider.inputs), urn=provider.urn, name=provider.name
    )


def analyze_request(resource: PlanResource, plan: Plan) -> analyzer_pb2.AnalyzeRequest:
    return analyzer_pb2.AnalyzeRequest(
        type=resource.type,
        properties=struct(resource.inputs),
        urn=resource.urn,
        name=resource.name,
        options=options(resource),
        provider=provider_of(resource, plan),
    )


def stack_resource(resource: PlanResource, plan: Plan) -> analyzer_pb2.AnalyzerResource:
    return analyzer_pb2.AnalyzerResource(
        type=resource.type,
        properties=struct(resource.outputs),
        urn=resource.urn,
        name=resource.name,
        options=options(resource),
        provider=provider_of(resource, plan),
        parent=resource.parent,
        dependencies=list(resource.dependencies),
        propertyDependencies={
            k: analyzer_pb2.AnalyzerPropertyDependencies(urns=list(v))
            for k, v in resource.property_dependencies.items()
        },
    )


def stack_configure_request(
    plan: Plan, stack_config: Mapping[str, Any] | None = None
) -> analyzer_pb2.AnalyzerStackConfigureRequest:
    """What the engine sends before analysing: the stack, and its config (the stack file's ``config:``).

    The default provider in the plan carries only ``azure-native:*`` config, so the stack's own
    config has to come from the stack file; None sends none, and rules that need it fail closed.
    """
    return analyzer_pb2.AnalyzerStackConfigureRequest(
        stack=plan.stack,
        project=plan.project,
        dry_run=True,
        config=config_for_runtime(stack_config or {}),
        tags={"pulumi:project": plan.project},
    )


def to_finding(
    diagnostic: analyzer_pb2.AnalyzeDiagnostic,
    urn: str,
    plan: Plan,
    pack: PackInfo,
    exemptions: Iterable[ConfiguredExemption],
) -> Finding:
    policy = pack.policies.get(diagnostic.policyName)
    resource = plan.get(urn)
    parts = urn_parts(urn)
    severity = SEVERITY_NAMES.get(diagnostic.severity, "unspecified")
    if severity == "unspecified" and policy is not None:
        severity = policy.severity
    return Finding(
        rule=diagnostic.policyName,
        enforcement=ENFORCEMENT_NAMES.get(diagnostic.enforcementLevel, "advisory"),
        severity=severity,
        urn=urn,
        type=resource.type if resource else (parts[2].rsplit("$", 1)[-1] if parts else ""),
        name=resource.name if resource else (parts[3] if parts else ""),
        message=diagnostic.message,
        controls=policy.controls if policy else (),
        exemption=parse_exemption(diagnostic.policyName, urn, diagnostic.message, exemptions),
    )


def stack_urn(plan: Plan) -> str:
    return next((r.urn for r in plan.resources if r.is_stack), "")


def evaluate(
    plan: Plan,
    analyzer: Analyzer,
    config_path: Path | None,
    tick: Tick | None = None,
    stack_config: Mapping[str, Any] | None = None,
) -> Evaluation:
    """Run the pack over ``plan`` and return its findings, sorted; bad policy config raises PreviewError.

    ``stack_config`` is the stack file's ``config:`` mapping, sent in ``ConfigureStack``.
    """
    pack = pack_info(analyzer.get_info())
    resolved = load_policy_config(config_path, pack)
    exemptions = tuple(configured_exemptions(resolved))
    analyzer.configure(configure_request(resolved))
    analyzer.configure_stack(stack_configure_request(plan, stack_config))
    total = len(plan.resources) + 1
    findings: list[Finding] = []
    for done, resource in enumerate(plan.resources, start=1):
        response = analyzer.analyze(analyze_request(resource, plan))
        findings += [
            to_finding(d, d.urn or resource.urn, plan, pack, exemptions) for d in response.diagnostics
        ]
        if tick:
            tick(done, total)
    request = analyzer_pb2.AnalyzeStackRequest(resources=[stack_resource(r, plan) for r in plan.resources])
    response = analyzer.analyze_stack(request)
    root = stack_urn(plan)  # once: a stack rule may report every resource
    findings += [to_finding(d, d.urn or root, plan, pack, exemptions) for d in response.diagnostics]
    if tick:
        tick(total, total)
    return Evaluation(
        pack=pack,
        config_source=str(config_path) if config_path else "(pack defaults)",
        config=resolved,
        exemptions=exemptions,
        findings=tuple(sorted(findings, key=Finding.sort_key)),
    )
