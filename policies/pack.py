"""The pack: its explicit rule registry, the analyzer that applies exemptions, and the gRPC server.

Two ways in, one analyzer:

- Under the engine, ``pulumi preview --policy-pack policies`` runs ``python -u -m pulumi.policy
  <engine> policies``, which runs ``policies/__main__.py``, which calls :func:`serve`.
- In-process (offline preview, tests), callers use :func:`make_analyzer` and send the same
  protobuf requests: ``GetAnalyzerInfo``, ``Configure``, ``ConfigureStack``, ``Analyze`` per
  resource, ``AnalyzeStack`` once.

:class:`TvtAnalyzer` is pulumi-policy's own servicer with six changes: the pack default level is
MANDATORY (the SDK's is advisory); ``Analyze`` converts each request once and hands every policy
one read-only view of it (the SDK converts it again for each policy), and answers "not applicable"
for a rule's types without running it; stack rules judge what would be requested, each resource's
``Analyze`` inputs plus only the computed outputs (:func:`policies.props.requested`); exemptions
from each rule's config are applied to findings after the rules ran (valid: advisory with an
``EXEMPTED (...)`` prefix; expired: left at its level with ``(exemption expired <date>)``
appended); ``AnalyzeStack`` builds the stack's resources and
:class:`~policies.stack_index.StackIndex` once for all stack rules instead of once per rule; and
``ConfigureStack`` keeps the stack's config, from which stack rules get the approved use-case
register (:mod:`policies.use_cases`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent import futures
from inspect import isawaitable
from types import MappingProxyType
from typing import Any

import grpc
from google.protobuf import json_format
from pulumi.runtime import proto
from pulumi.runtime.proto import analyzer_pb2_grpc
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyProviderResource,
    PolicyResource,
    ReportViolation,
    ResourceValidationPolicy,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.policy import _NotApplicableError, _PolicyAnalyzerServicer
from pulumi_policy.proxy import UnknownValueError

from policies.clock import today as default_today
from policies.exemptions import Exemption, ExemptionError, ExemptionStatus, decide, parse_exemptions
from policies.framework import (
    Rule,
    StackContext,
    TvtResourcePolicy,
    TvtResourceValidationArgs,
    TvtStackValidationArgs,
    crashed,
    to_policy,
)
from policies.heap import settled_heap
from policies.model import Resource
from policies.partners import partners_from_config
from policies.props import read_only, requested
from policies.rules.audit import (
    activity_log_export,
    blob_service_logs,
    diagnostics_destination,
    diagnostics_present,
    workspace_retention,
)
from policies.rules.azure import api_conformance
from policies.rules.data_protection import (
    audit_immutability,
    blob_soft_delete,
    keyvault,
    level_boundary,
    no_cross_tenant_replication,
    prod_locks,
    prod_protect,
    write_once_zones,
)
from policies.rules.encryption import cmk_same_level, infrastructure, key_strength, tls, unclassified_type
from policies.rules.exemption import expired, unused
from policies.rules.identity import (
    cmk_grant_scope,
    grant_scope,
    keyvault_rbac,
    level3_use_case,
    no_access_policies,
    no_privileged_roles,
    role_allow_list,
    role_assignment_groups,
    shared_key_disabled,
)
from policies.rules.network import (
    default_deny,
    no_public_blob,
    nsg_deny_internet_inbound,
    private_dns,
    private_endpoint,
    public_access_disabled,
    subnet_nsg,
)
from policies.rules.residency import geo_redundancy_uk, uk_only
from policies.rules.tagging import required_tags
from policies.stack_index import StackIndex
from policies.use_cases import register_from_config

PACK_NAME = "tvt-platform-guardrails"
# Equal to PulumiPolicy.yaml's version (a test checks): the CLI reports the YAML's, in-process callers this.
PACK_VERSION = "0.1.0"
PACK_DEFAULT_LEVEL = EnforcementLevel.MANDATORY

# The registry. Explicit on purpose: a rule runs because it is listed here, and the snapshot test
# in tests/policies pins this list with each rule's level.
RULES: tuple[Rule, ...] = (
    cmk_same_level.RULE,
    unclassified_type.RULE,
    api_conformance.RULE,
    infrastructure.RULE,
    tls.RULE,
    key_strength.RULE,
    diagnostics_present.RULE,
    diagnostics_destination.RULE,
    blob_service_logs.RULE,
    workspace_retention.RULE,
    activity_log_export.RULE,
    public_access_disabled.RULE,
    default_deny.RULE,
    private_endpoint.RULE,
    private_dns.RULE,
    subnet_nsg.RULE,
    nsg_deny_internet_inbound.RULE,
    no_public_blob.RULE,
    shared_key_disabled.RULE,
    keyvault_rbac.RULE,
    no_access_policies.RULE,
    role_assignment_groups.RULE,
    role_allow_list.RULE,
    no_privileged_roles.RULE,
    cmk_grant_scope.RULE,
    grant_scope.RULE,
    level3_use_case.RULE,
    uk_only.RULE,
    geo_redundancy_uk.RULE,
    keyvault.RULE,
    blob_soft_delete.RULE,
    prod_protect.RULE,
    prod_locks.RULE,
    audit_immutability.RULE,
    write_once_zones.RULE,
    no_cross_tenant_replication.RULE,
    level_boundary.RULE,
    required_tags.RULE,
    expired.RULE,
    unused.RULE,
)

# As PolicyPack serves it: 400 MB messages, because a whole stack arrives in one AnalyzeStack.
_MAX_RPC_MESSAGE_SIZE = 1024 * 1024 * 400
_GRPC_CHANNEL_OPTIONS = [("grpc.max_receive_message_length", _MAX_RPC_MESSAGE_SIZE)]
_ONE_DAY_IN_SECONDS = 60 * 60 * 24


def build_policies(rules: Sequence[Rule] = RULES) -> list[Policy]:
    """The CrossGuard policies of the pack, in registry order."""
    return [to_policy(rule) for rule in rules]


class TvtAnalyzer(_PolicyAnalyzerServicer):
    """pulumi-policy's analyzer servicer, with exemptions, a MANDATORY default and a shared stack index."""

    def __init__(
        self,
        policies: list[Policy],
        *,
        today: Callable[[], dt.date] = default_today,
        version: str = PACK_VERSION,
    ) -> None:
        super().__init__(
            PACK_NAME,
            version,
            policies,
            PACK_DEFAULT_LEVEL,
            None,
            "Thames Valley Together guardrails: encryption, audit, network, identity, residency, "
            "data protection",
            "TVT platform guardrails",
            None,
            "azure-native",
            ["azure", "ncsc-csp", "mcsb", "cis-azure"],
            None,
        )
        self._policies = list(policies)
        self._version = version
        self._today = today
        self._exemptions: Mapping[str, tuple[Exemption, ...]] = {}
        self._tags: Mapping[str, str] = {}
        self._stack_tags: Mapping[str, str] = MappingProxyType({})
        # The stack's config as ConfigureStack sent it; None until it does (rules then fail closed).
        self._stack_config: Mapping[str, str] | None = None
        # Each resource's inputs as Analyze saw them: AnalyzeStack sends only outputs, and stack
        # rules judge what the program asks Azure for (policies.props.requested). A resource the
        # engine did not register this run (outside --target) is judged on its outputs: what Azure
        # holds for it, which this run does not change.
        self._inputs: dict[str, dict[str, Any]] = {}
        # Shared by concurrent Analyze calls: each entry is computed from what never changes between
        # Configure calls (a racing duplicate computes the same), and is never changed after.
        self._steps: dict[str, tuple[_Step, ...]] = {}
        self._providers: dict[bytes, PolicyProviderResource] = {}

    # -- configuration ---------------------------------------------------------------------------

    def Configure(self, request: Any, context: Any) -> Any:
        """Parse every rule's exemptions before accepting the config, so a malformed one fails the run."""
        known = {p.name for p in self._policies}
        exemptions: dict[str, tuple[Exemption, ...]] = {}
        today = self._today()
        for name in request.policyConfig:
            properties = json_format.MessageToDict(request.policyConfig[name].properties)
            exemptions[name] = parse_exemptions(name, properties.get("exemptions"), today)
            if exemptions[name] and name not in known:
                # It could never match a finding, yet a reader would believe something is exempted.
                raise ExemptionError(f"{name}.exemptions: {name} is not a policy of pack {PACK_NAME}")
        response = super().Configure(request, context)  # type: ignore[no-untyped-call]
        self._exemptions = exemptions
        self._steps = {}  # levels may have changed
        return response

    def ConfigureStack(self, request: Any, context: Any) -> Any:
        """Keep the stack's tags and config ("namespace:key" -> string, objects JSON) for stack rules."""
        self._tags = dict(request.tags)
        self._stack_tags = MappingProxyType(dict(request.tags))  # what the SDK hands resource policies
        self._stack_config = dict(request.config)
        return super().ConfigureStack(request, context)

    @property
    def exemptions(self) -> tuple[Exemption, ...]:
        return tuple(e for group in self._exemptions.values() for e in group)

    # -- analysis --------------------------------------------------------------------------------

    def Analyze(self, request: Any, context: Any) -> Any:
        """As the SDK's Analyze, but the request is converted once and every policy reads one view.

        The SDK deserialises and proxies the properties and the provider again for each policy;
        here :func:`~policies.props.read_only` gives one view no policy can change, and one
        :class:`~policies.model.Resource` serves every rule. The policies run in registry order
        and answer exactly what the SDK's loop would (``tests/policies/test_pack_identity.py``).
        Calls share only ``_inputs`` (one entry per URN) and memos of what does not change between
        ``Configure`` calls, so concurrent calls are safe.
        """
        self._configure_runtime_settings()  # type: ignore[no-untyped-call]
        inputs = deserialize_properties(json_format.MessageToDict(request.properties))
        self._inputs[request.urn] = inputs
        response = proto.AnalyzeResponse()
        opts = self._get_resource_options(request)
        resource = Resource(
            urn=request.urn,
            type=request.type,
            name=request.name,
            props=read_only(inputs),
            protect=bool(opts.protect),
            parent=opts.parent,
        )
        provider = self._provider(request)
        for policy, level, skipped in self._resource_steps(request.type):
            if skipped is not None:
                response.not_applicable.add(policy_name=policy.name, reason=skipped)
                continue
            report = self._create_report_violation(
                response, policy.name, policy.description, level, policy.severity
            )
            args = TvtResourceValidationArgs(
                resource, opts, provider, self._get_policy_config(policy.name), self._stack_tags
            )
            self._validate(policy, args, report, response)
        self._apply_exemptions(response, request.urn)
        return response

    def AnalyzeStack(self, request: Any, context: Any) -> Any:
        """As the SDK's AnalyzeStack, but resources are deserialised and indexed once for all stack rules."""
        with settled_heap():
            return self._analyze_stack(request)

    def _analyze_stack(self, request: Any) -> Any:
        self._configure_runtime_settings()  # type: ignore[no-untyped-call]
        response = proto.AnalyzeResponse()
        resources = self._stack_resources(request)
        stack = StackContext(
            StackIndex.from_policy_resources(resources),
            self.exemptions,
            self._today(),
            register_from_config(self._stack_config),
            partners_from_config(self._stack_config),
        )
        for policy in self._policies:
            level = self._get_enforcement_level(policy)
            if level == EnforcementLevel.DISABLED or not isinstance(policy, StackValidationPolicy):
                continue
            if level == EnforcementLevel.REMEDIATE:
                level = EnforcementLevel.MANDATORY  # stack policies cannot remediate (as the SDK does)
            report = self._create_report_violation(
                response, policy.name, policy.description, level, policy.severity
            )
            args = TvtStackValidationArgs(resources, self._get_policy_config(policy.name), self._tags, stack)
            self._validate(policy, args, report, response)
        self._apply_exemptions(response, "")
        return response

    def _resource_steps(self, resource_type: str) -> tuple[_Step, ...]:
        """What ``Analyze`` does with each resource policy for a type, in registry order; kept per
        type until the next ``Configure`` (which sets the levels)."""
        steps = self._steps.get(resource_type)
        if steps is None:
            steps = self._steps[resource_type] = tuple(self._steps_for(resource_type))
        return steps

    def _steps_for(self, resource_type: str) -> Iterator[_Step]:
        # The SDK's Analyze loop, up to calling validate.
        for policy in self._policies:
            level = self._get_enforcement_level(policy)
            if level == EnforcementLevel.DISABLED or not isinstance(policy, ResourceValidationPolicy):
                continue
            if not policy.has_validation():
                yield policy, level, "Policy does not implement validate"
                continue
            if level == EnforcementLevel.REMEDIATE:
                level = EnforcementLevel.MANDATORY  # a violation left after remediation (as the SDK does)
            skipped = (
                policy.not_applicable_to(resource_type) if isinstance(policy, TvtResourcePolicy) else None
            )
            yield policy, level, skipped

    def _provider(self, request: Any) -> PolicyProviderResource | None:
        """The request's provider as the SDK makes it, with a read-only view; one per distinct
        provider message (a stack's resources share a few), since no policy can change it."""
        if not request.HasField("provider"):
            return None
        key = request.provider.SerializeToString(deterministic=True)
        provider = self._providers.get(key)
        if provider is None:
            provider = self._providers[key] = _provider(request.provider)
        return provider

    def _validate(
        self,
        policy: ResourceValidationPolicy | StackValidationPolicy,
        args: Any,
        report: ReportViolation,
        response: Any,
    ) -> None:
        """``policy.validate`` as the SDK calls it: a value unknown during preview is its advisory
        "can't run" (rules fail closed before it comes to that), "not applicable" is recorded."""
        try:
            result = policy.validate(args, report)
            if result is not None and isawaitable(result):
                asyncio.run(_awaited(result))
        except UnknownValueError as error:
            response.diagnostics.append(self._cannot_run(policy, error))
        except _NotApplicableError as error:
            response.not_applicable.append(
                proto.PolicyNotApplicable(policy_name=policy.name, reason=error.reason or "")
            )

    def _stack_resources(self, request: Any) -> list[PolicyResource]:
        resources: list[PolicyResource] = []
        links: list[tuple[PolicyResource, str, list[str], dict[str, list[str]]]] = []
        for r in request.resources:
            outputs = deserialize_properties(json_format.MessageToDict(r.properties))
            inputs = self._inputs.get(r.urn)
            judged = outputs if inputs is None else requested(inputs, outputs)
            props = read_only(judged)
            resource = PolicyResource(
                r.type,
                props,
                r.urn,
                r.name,
                self._get_resource_options(r),
                self._provider(r),
                None,
                [],
                {},
            )
            deps = {k: list(v.urns) for k, v in r.propertyDependencies.items()}
            links.append((resource, r.parent, list(r.dependencies), deps))
            resources.append(resource)
        by_urn = {r.urn: r for r in resources}
        # Second pass, as the SDK does: references become the PolicyResource objects themselves.
        for resource, parent, dependencies, property_dependencies in links:
            resource.parent = by_urn.get(parent) if parent else None
            resource.dependencies = [by_urn[d] for d in dependencies if d in by_urn]
            resource.property_dependencies = {
                k: [by_urn[d] for d in urns if d in by_urn] for k, urns in property_dependencies.items()
            }
        return resources

    def _cannot_run(self, policy: Policy, error: UnknownValueError) -> Any:
        return proto.AnalyzeDiagnostic(
            policyName=policy.name,
            policyPackName=PACK_NAME,
            policyPackVersion=self._version,
            message=(
                f"can't run policy '{policy.name}' from policy pack '{PACK_NAME}@v{self._version}' "
                f"during preview: "
                f"{error.message}"
            ),
            urn="",
            description=policy.description,
            enforcementLevel=proto.ADVISORY,
        )

    def _apply_exemptions(self, response: Any, default_urn: str) -> None:
        """Rewrite exempted findings in place (:func:`~policies.exemptions.decide`); never drop one."""
        if not self._exemptions:
            return
        today = self._today()
        for diagnostic in response.diagnostics:
            decision = decide(
                self._exemptions.get(diagnostic.policyName, ()),
                diagnostic.policyName,
                diagnostic.urn or default_urn,
                today,
                crashed=crashed(diagnostic.message),
            )
            if decision is None:
                continue
            if decision.status is ExemptionStatus.APPLIED:
                diagnostic.enforcementLevel = proto.ADVISORY
            diagnostic.message = decision.rewrite(diagnostic.message)


def _provider(provider: Any) -> PolicyProviderResource:
    """A provider as the SDK's ``_get_provider_resource`` makes it, with a read-only view."""
    props = read_only(deserialize_properties(json_format.MessageToDict(provider.properties)))
    return PolicyProviderResource(provider.type, props, provider.urn, provider.name)


# What Analyze does with one resource policy: run it at a level, or answer why it does not apply.
_Step = tuple[ResourceValidationPolicy, EnforcementLevel, str | None]


async def _awaited(result: Any) -> None:
    await result


def make_analyzer(*, today: Callable[[], dt.date] = default_today) -> TvtAnalyzer:
    """The pack's analyzer with every registered rule, for in-process callers and :func:`serve`."""
    return TvtAnalyzer(build_policies(), today=today)


def serve() -> None:
    """Serve the analyzer over gRPC as ``pulumi_policy.PolicyPack`` does: print the port, then wait."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=_GRPC_CHANNEL_OPTIONS)
    analyzer_pb2_grpc.add_AnalyzerServicer_to_server(make_analyzer(), server)
    port = server.add_insecure_port(address="127.0.0.1:0")
    server.start()
    # The engine reads the port from the first line of stdout; nothing may be printed before it.
    sys.stdout.buffer.write(f"{port}\n".encode())
    sys.stdout.flush()
    # While the engine (or tvt plan) starts the program, import what azure-api-conformance reads.
    threading.Thread(target=api_conformance.warm, name="tvt-warm-azure-models", daemon=True).start()
    try:
        while True:
            time.sleep(_ONE_DAY_IN_SECONDS)
    except KeyboardInterrupt:
        server.stop(0)


__all__ = ["PACK_NAME", "RULES", "TvtAnalyzer", "build_policies", "make_analyzer", "serve"]
