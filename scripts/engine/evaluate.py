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

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2

from policies.clock import today
from policies.exemptions import Exemption, ExemptionError, parse_exemptions
from scripts.engine.analyzer import Analyzer
from scripts.engine.capture import config_for_runtime
from scripts.engine.errors import PreviewError
from scripts.engine.export import REDACTED_VALUE, SECRET_SIG, SIG_KEY, is_secret
from scripts.engine.plan import Plan, PlanResource
from scripts.engine.policy_config import (
    SEVERITY_NAMES,
    Downgrade,
    PackInfo,
    PolicyEntry,
    configure_request,
    downgrades,
    enforcement_name,
    load_policy_config,
    pack_info,
)

Tick = Callable[[int, int], None]


@dataclass(frozen=True)
class Diagnostic:
    """One ``AnalyzeDiagnostic`` the pack returned, with the URN it is about (the stack's for stack-wide)."""

    rule: str
    enforcement: str
    severity: str  # "unspecified" when the pack sent none
    urn: str
    message: str
    exempt_urn: str  # the URN the pack matched exemptions against ("" for a stack-wide finding)

    @classmethod
    def from_rpc(cls, diagnostic: analyzer_pb2.AnalyzeDiagnostic, analyzed: str, shown: str) -> Diagnostic:
        """``analyzed``: the URN the pack defaults to (``Analyze``'s resource, "" in ``AnalyzeStack``).
        A violation at ``remediate`` is ``mandatory``, as the engine reads it: a remediation that ran
        and still left the violation (and a stack rule cannot remediate)."""
        what = f"the diagnostic of {diagnostic.policyName!r} on {diagnostic.urn or shown}"
        enforcement = enforcement_name(diagnostic.enforcementLevel, what)
        return cls(
            rule=diagnostic.policyName,
            enforcement="mandatory" if enforcement == "remediate" else enforcement,
            severity=SEVERITY_NAMES.get(diagnostic.severity, "unspecified"),
            urn=diagnostic.urn or shown,
            message=diagnostic.message,
            exempt_urn=diagnostic.urn or analyzed,
        )


@dataclass(frozen=True)
class NotApplicable:
    """One ``PolicyNotApplicable`` answer: the rule said it does not apply to ``urn`` (the stack's, for
    a stack rule), so that pair is neither a pass nor a failure."""

    rule: str
    urn: str
    reason: str


@dataclass(frozen=True)
class Evaluation:
    """What one run of the pack over a plan answered, and the config and exemptions it ran with."""

    pack: PackInfo
    config_source: str
    config: Mapping[str, PolicyEntry]
    exemptions: tuple[Exemption, ...]
    today: dt.date  # the day exemptions were judged on, as the pack judged them
    diagnostics: tuple[Diagnostic, ...]
    # Every rule x resource the pack answered for, not only failures: what coverage, JUnit and the
    # reports need. ``analyzed``: the URNs sent to ``Analyze``, in order; the stack's is ``stack_urn``.
    not_applicable: tuple[NotApplicable, ...] = ()
    analyzed: tuple[str, ...] = ()
    stack_urn: str = ""

    @property
    def downgrades(self) -> tuple[Downgrade, ...]:
        """Rules the policy config runs at a weaker level than the pack declares, by rule id."""
        return downgrades(self.pack, self.config)


def to_rpc(value: Any) -> Any:
    """Plan values as the engine marshals them: a plan secret becomes the RPC secret wrapper.

    The wrapper holds ``"[secret]"``, never the secret's own value: ``tvt plan`` writes plans
    redacted, and a saved plan with plaintext (``pulumi stack export --show-secrets``) must give the
    same verdict, with no rule able to quote the secret into a finding.
    """
    if is_secret(value):
        return {SIG_KEY: SECRET_SIG, "value": REDACTED_VALUE}
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


class Providers:
    """Each provider's ``AnalyzerProviderResource``, built once for every resource it serves."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._built: dict[str, analyzer_pb2.AnalyzerProviderResource | None] = {}

    def of(self, resource: PlanResource) -> analyzer_pb2.AnalyzerProviderResource | None:
        key = resource.provider_urn
        if key not in self._built:
            self._built[key] = provider_of(resource, self.plan)
        return self._built[key]


def analyze_request(
    resource: PlanResource, plan: Plan, providers: Providers | None = None
) -> analyzer_pb2.AnalyzeRequest:
    return analyzer_pb2.AnalyzeRequest(
        type=resource.type,
        properties=struct(resource.inputs),
        urn=resource.urn,
        name=resource.name,
        options=options(resource),
        provider=(providers or Providers(plan)).of(resource),
    )


def stack_resource(
    resource: PlanResource, plan: Plan, providers: Providers | None = None
) -> analyzer_pb2.AnalyzerResource:
    return analyzer_pb2.AnalyzerResource(
        type=resource.type,
        properties=struct(resource.outputs),
        urn=resource.urn,
        name=resource.name,
        options=options(resource),
        provider=(providers or Providers(plan)).of(resource),
        parent=resource.parent,
        dependencies=list(resource.dependencies),
        propertyDependencies={
            k: analyzer_pb2.AnalyzerPropertyDependencies(urns=list(v))
            for k, v in resource.property_dependencies.items()
        },
    )


def stack_request(plan: Plan, providers: Providers | None = None) -> analyzer_pb2.AnalyzeStackRequest:
    """The one ``AnalyzeStack`` of ``plan``: every resource with its outputs, in plan order."""
    providers = providers or Providers(plan)
    resources = [stack_resource(r, plan, providers) for r in plan.resources]
    return analyzer_pb2.AnalyzeStackRequest(resources=resources)


class Requests:
    """The ``Analyze`` of every resource of one plan and its ``AnalyzeStack``, each built once.

    ``tvt plan`` needs them twice: to send ``AnalyzeStack`` ahead, once every final ``Analyze`` has
    been answered (:meth:`scripts.engine.ahead.Ahead.analyze_stack_now`), and in the evaluation,
    which reuses an answer only for the same request. A protobuf message is mutable; nothing that
    is given one of these changes it."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.providers = Providers(plan)
        self._analyze: dict[int, tuple[PlanResource, analyzer_pb2.AnalyzeRequest]] = {}
        self._stack: analyzer_pb2.AnalyzeStackRequest | None = None
        self._bytes: dict[int, tuple[Any, bytes]] = {}

    def serialized(self, request: Any) -> bytes:
        """``request``'s deterministic bytes, serialised once: it is compared with what was sent
        ahead both before ``AnalyzeStack`` is sent and when the evaluation asks for it."""
        found = self._bytes.get(id(request))
        if found is None or found[0] is not request:
            found = self._bytes[id(request)] = (request, bytes(request.SerializeToString(deterministic=True)))
        return found[1]

    def analyze(self, resource: PlanResource) -> analyzer_pb2.AnalyzeRequest:
        built = self._analyze.get(id(resource))
        if built is None or built[0] is not resource:
            built = (resource, analyze_request(resource, self.plan, self.providers))
            self._analyze[id(resource)] = built
        return built[1]

    def stack(self) -> analyzer_pb2.AnalyzeStackRequest:
        if self._stack is None:
            self._stack = stack_request(self.plan, self.providers)
        return self._stack


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


def configured_exemptions(
    config: Mapping[str, PolicyEntry], day: dt.date, source: str
) -> tuple[Exemption, ...]:
    """Every rule's exemptions, parsed by the pack's own parser (the pack refuses the same ones)."""
    try:
        return tuple(
            e
            for rule in sorted(config)
            for e in parse_exemptions(rule, config[rule].properties.get("exemptions"), day)
        )
    except ExemptionError as error:
        raise PreviewError(f"{source}: {error}") from None


def stack_urn(plan: Plan) -> str:
    return next((r.urn for r in plan.resources if r.is_stack), "")


def evaluate(
    plan: Plan,
    analyzer: Analyzer,
    config_path: Path | None,
    tick: Tick | None = None,
    stack_config: Mapping[str, Any] | None = None,
    *,
    requests: Requests | None = None,
) -> Evaluation:
    """Run the pack over ``plan`` and return what it answered; bad policy config raises PreviewError.

    ``stack_config`` is the stack file's ``config:`` mapping, sent in ``ConfigureStack``;
    ``requests``: those of ``plan`` already built, if any.
    """
    pack = pack_info(analyzer.get_info())
    resolved = load_policy_config(config_path, pack)
    day = today()
    exemptions = configured_exemptions(resolved, day, str(config_path or "(pack defaults)"))
    analyzer.configure(configure_request(resolved))
    analyzer.configure_stack(stack_configure_request(plan, stack_config))
    total = len(plan.resources) + 1
    diagnostics: list[Diagnostic] = []
    skipped: list[NotApplicable] = []
    if requests is None or requests.plan is not plan:
        requests = Requests(plan)
    for done, resource in enumerate(plan.resources, start=1):
        response = analyzer.analyze(requests.analyze(resource))
        diagnostics += [Diagnostic.from_rpc(d, resource.urn, resource.urn) for d in response.diagnostics]
        skipped += [NotApplicable(n.policy_name, resource.urn, n.reason) for n in response.not_applicable]
        if tick:
            tick(done, total)
    response = analyzer.analyze_stack(requests.stack())
    root = stack_urn(plan)  # once: a stack rule may report every resource
    diagnostics += [Diagnostic.from_rpc(d, "", root) for d in response.diagnostics]
    skipped += [NotApplicable(n.policy_name, root, n.reason) for n in response.not_applicable]
    if tick:
        tick(total, total)
    return Evaluation(
        pack=pack,
        config_source=str(config_path) if config_path else "(pack defaults)",
        config=resolved,
        exemptions=exemptions,
        today=day,
        diagnostics=tuple(diagnostics),
        not_applicable=tuple(skipped),
        analyzed=tuple(r.urn for r in plan.resources),
        stack_urn=root,
    )
