"""Drive the pack in-process with the protobuf requests the engine sends, built by ``tvt``'s own engine.

``GetAnalyzerInfo``, ``Configure`` (reconciled like the engine: every policy listed, its level
always set, schema defaults filled), ``ConfigureStack``, ``Analyze`` per resource and
``AnalyzeStack``: each request comes from ``scripts.engine`` (the harness's stack is turned into a
plan), so the tests exercise the same builders ``tvt plan`` uses.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2

from policies.exemptions import ExemptionStatus, decide
from policies.framework import crashed
from policies.pack import TvtAnalyzer, build_policies, make_analyzer
from scripts.engine.evaluate import analyze_request as engine_analyze_request
from scripts.engine.evaluate import stack_configure_request as engine_stack_configure_request
from scripts.engine.evaluate import stack_resource
from scripts.engine.plan import Plan, PlanResource
from scripts.engine.policy_config import configure_request as engine_configure_request
from scripts.engine.policy_config import pack_info, resolve_policy_config
from tests.policies.baselines import PROJECT, Res, Stack

CONFIG_DIR = Path(__file__).resolve().parents[2] / "policies" / "config"
LEVEL_NAMES = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.DISABLED: "disabled",
    analyzer_pb2.REMEDIATE: "remediate",
}
LEVELS = {v: k for k, v in LEVEL_NAMES.items()}


def load_config(stack: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CONFIG_DIR / f"{stack}.json").read_text())
    return data


def configure_request(
    config: Mapping[str, Mapping[str, Any]], servicer: TvtAnalyzer | None = None
) -> analyzer_pb2.ConfigureAnalyzerRequest:
    """As ``tvt plan`` reconciles ``--policy-pack-config`` (the engine's rules), by ``tvt``'s own builder.

    The schema check is left to the pack here: these tests prove the pack refuses bad config itself.
    """
    pack = pack_info((servicer or make_analyzer()).GetAnalyzerInfo(empty_pb2.Empty(), None))
    resolved = resolve_policy_config(dict(config), "<test config>", pack, check_schema=False)
    return engine_configure_request(resolved)


def plan_of(stack: Stack) -> Plan:
    """The harness's stack as a plan, so the engine's own request builders serve the tests too."""
    resources = tuple(
        PlanResource(
            urn=r.urn,
            type=r.type,
            custom=not r.type.startswith("tvt:") and r.type != "pulumi:pulumi:Stack",
            id="",
            inputs=r.props,
            outputs=r.outputs,
            parent=r.parent,
            protect=r.protect,
            dependencies=tuple(r.depends_on),
            property_dependencies={k: tuple(v) for k, v in r.deps.items()},
            provider="",
            source_position="",
        )
        for r in stack.resources.values()
    )
    by_urn = {r.urn: r for r in resources}
    return Plan("<test stack>", stack.stack, PROJECT, pulumi_version="", resources=resources, by_urn=by_urn)


def stack_configure_request(stack: Stack) -> analyzer_pb2.AnalyzerStackConfigureRequest:
    return engine_stack_configure_request(plan_of(stack), stack.config)


def analyze_request(res: Res, stack: Stack | None = None) -> analyzer_pb2.AnalyzeRequest:
    holder = Stack(res.urn.split("::", 1)[0].removeprefix("urn:pulumi:")) if stack is None else stack
    if stack is None:
        holder.resources[res.name] = res
    plan = plan_of(holder)
    resource = plan.get(res.urn)
    assert resource is not None
    return engine_analyze_request(resource, plan)


def stack_request(stack: Stack, plan: Plan | None = None) -> analyzer_pb2.AnalyzeStackRequest:
    plan = plan or plan_of(stack)
    return analyzer_pb2.AnalyzeStackRequest(resources=[stack_resource(r, plan) for r in plan.resources])


@dataclass(frozen=True)
class Hit:
    """One finding of the pack, as the tests compare them."""

    rule: str
    urn: str
    level: str
    message: str  # the rule's own message: no policy description, no exemption wording
    exempted: bool = False  # an exemption applied (decided by policies.exemptions.decide, as the tool does)
    shown: str = ""  # the message exactly as the pack sent it (what the CLI prints)


def _hits(servicer: TvtAnalyzer, response: analyzer_pb2.AnalyzeResponse, analyzed: str) -> list[Hit]:
    found = []
    today = servicer._today()
    for d in response.diagnostics:
        urn = d.urn or analyzed
        decision = decide(servicer.exemptions, d.policyName, urn, today, crashed=crashed(d.message))
        message = d.message
        if decision is not None:  # undo exactly what the pack added: the decision knows its wording
            wording = decision.rewrite("")
            message = (
                message.removeprefix(wording) if wording.endswith(" ") else message.removesuffix(wording)
            )
        message = message.removeprefix(d.description + "\n")
        exempted = decision is not None and decision.status is ExemptionStatus.APPLIED
        found.append(Hit(d.policyName, urn, LEVEL_NAMES[d.enforcementLevel], message, exempted, d.message))
    return found


def analyzer(
    config: Mapping[str, Mapping[str, Any]] | None = None, *, base: TvtAnalyzer | None = None
) -> TvtAnalyzer:
    """A configured analyzer: GetAnalyzerInfo then Configure, as the engine starts one."""
    servicer = base or make_analyzer()
    servicer.Configure(configure_request(config or {}, servicer), None)
    return servicer


def custom_analyzer(
    rules: Iterable[Any], config: Mapping[str, Mapping[str, Any]] | None = None
) -> TvtAnalyzer:
    servicer = TvtAnalyzer(build_policies(list(rules)))
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for rule in rules:
        entry = request.policyConfig[rule.meta.id]
        entry.enforcementLevel = LEVELS[rule.meta.enforcement.value]
        entry.properties.update(dict((config or {}).get(rule.meta.id, {})))
    servicer.Configure(request, None)
    return servicer


def run(
    servicer: TvtAnalyzer,
    stack: Stack,
    only: Iterable[str] | None = None,
    *,
    configure_stack: bool = True,
) -> list[Hit]:
    """ConfigureStack (unless told not to), then analyze each resource (or only the named ones), then
    the whole stack; every finding, in order."""
    if configure_stack:
        servicer.ConfigureStack(stack_configure_request(stack), None)
    names = list(stack.resources) if only is None else [n for n in only if n in stack.resources]
    plan = plan_of(stack)
    found: list[Hit] = []
    for name in names:
        resource = plan.get(stack[name].urn)
        assert resource is not None
        request = engine_analyze_request(resource, plan)
        found += _hits(servicer, servicer.Analyze(request, None), resource.urn)
    found += _hits(servicer, servicer.AnalyzeStack(stack_request(stack, plan), None), "")
    return found


def describe(findings: Iterable[Hit]) -> str:
    return "\n".join(
        f"  {f.rule} [{f.level}] {f.urn.rsplit('::', 1)[-1] or '<stack>'}: {f.message}" for f in findings
    )
