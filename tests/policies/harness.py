"""Drive the pack in-process with the protobuf requests the engine sends.

``GetAnalyzerInfo``, ``Configure`` (reconciled like the engine: every policy listed, its level
always set, schema defaults filled), ``ConfigureStack`` (the stack's config, encoded as the engine
encodes it), ``Analyze`` per resource (inputs, options) and ``AnalyzeStack`` (outputs, parents,
dependencies, property dependencies).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2

from policies.pack import RULES, TvtAnalyzer, build_policies, make_analyzer
from tests.policies.baselines import PROJECT, Res, Stack

CONFIG_DIR = Path(__file__).resolve().parents[2] / "policies" / "config"
LEVEL_NAMES = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.DISABLED: "disabled",
    analyzer_pb2.REMEDIATE: "remediate",
}
LEVELS = {v: k for k, v in LEVEL_NAMES.items()}


def struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    json_format.ParseDict(dict(value), message)
    return message


def load_config(stack: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CONFIG_DIR / f"{stack}.json").read_text())
    return data


def configure_request(config: Mapping[str, Mapping[str, Any]]) -> analyzer_pb2.ConfigureAnalyzerRequest:
    """As the engine reconciles ``--policy-pack-config``: defaults, then the file; levels always set."""
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for rule in RULES:
        meta = rule.meta
        given = dict(config.get(meta.id, {}))
        level = given.pop("enforcementLevel", meta.enforcement.value)
        props = {k: v["default"] for k, v in meta.config_schema().items() if "default" in v}
        props.update(given)
        entry = request.policyConfig[meta.id]
        entry.enforcementLevel = LEVELS[level]
        entry.properties.CopyFrom(struct(props))
    return request


def stack_configure_request(stack: Stack) -> analyzer_pb2.AnalyzerStackConfigureRequest:
    """As the engine sends a stack's config: "namespace:key" -> string, anything but a string as JSON."""
    return analyzer_pb2.AnalyzerStackConfigureRequest(
        stack=stack.stack,
        project=PROJECT,
        dry_run=True,
        config={k: v if isinstance(v, str) else json.dumps(v) for k, v in stack.config.items()},
    )


def analyze_request(res: Res) -> analyzer_pb2.AnalyzeRequest:
    return analyzer_pb2.AnalyzeRequest(
        type=res.type,
        urn=res.urn,
        name=res.name,
        properties=struct(res.props),
        options=analyzer_pb2.AnalyzerResourceOptions(protect=res.protect, parent=res.parent),
    )


def stack_request(stack: Stack) -> analyzer_pb2.AnalyzeStackRequest:
    return analyzer_pb2.AnalyzeStackRequest(
        resources=[
            analyzer_pb2.AnalyzerResource(
                type=r.type,
                urn=r.urn,
                name=r.name,
                properties=struct(r.props),
                parent=r.parent,
                options=analyzer_pb2.AnalyzerResourceOptions(protect=r.protect, parent=r.parent),
                dependencies=r.depends_on,
                propertyDependencies={
                    k: analyzer_pb2.AnalyzerPropertyDependencies(urns=v) for k, v in r.deps.items()
                },
            )
            for r in stack.resources.values()
        ]
    )


@dataclass(frozen=True)
class Finding:
    rule: str
    urn: str
    level: str
    message: str  # the rule's own message, without the policy description the SDK prefixes

    @property
    def exempted(self) -> bool:
        return self.message.startswith("EXEMPTED (")


def _findings(response: analyzer_pb2.AnalyzeResponse, default_urn: str) -> list[Finding]:
    found = []
    for d in response.diagnostics:
        message = d.message
        if message.startswith(d.description + "\n"):
            message = message[len(d.description) + 1 :]
        elif "EXEMPTED (" in message and f") {d.description}\n" in message:
            head, _, rest = message.partition(f") {d.description}\n")
            message = f"{head}) {rest}"
        found.append(Finding(d.policyName, d.urn or default_urn, LEVEL_NAMES[d.enforcementLevel], message))
    return found


def analyzer(
    config: Mapping[str, Mapping[str, Any]] | None = None, *, base: TvtAnalyzer | None = None
) -> TvtAnalyzer:
    """A configured analyzer: GetAnalyzerInfo then Configure, as the engine starts one."""
    servicer = base or make_analyzer()
    servicer.GetAnalyzerInfo(empty_pb2.Empty(), None)
    servicer.Configure(configure_request(config or {}), None)
    return servicer


def custom_analyzer(
    rules: Iterable[Any], config: Mapping[str, Mapping[str, Any]] | None = None
) -> TvtAnalyzer:
    servicer = TvtAnalyzer(build_policies(list(rules)))
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for rule in rules:
        entry = request.policyConfig[rule.meta.id]
        entry.enforcementLevel = LEVELS[rule.meta.enforcement.value]
        entry.properties.CopyFrom(struct(dict((config or {}).get(rule.meta.id, {}))))
    servicer.Configure(request, None)
    return servicer


def run(
    servicer: TvtAnalyzer,
    stack: Stack,
    only: Iterable[str] | None = None,
    *,
    configure_stack: bool = True,
) -> list[Finding]:
    """ConfigureStack (unless told not to), then analyze each resource (or only the named ones), then
    the whole stack; every finding, in order."""
    if configure_stack:
        servicer.ConfigureStack(stack_configure_request(stack), None)
    names = list(stack.resources) if only is None else [n for n in only if n in stack.resources]
    found: list[Finding] = []
    for name in names:
        res = stack[name]
        found += _findings(servicer.Analyze(analyze_request(res), None), res.urn)
    found += _findings(servicer.AnalyzeStack(stack_request(stack), None), "")
    return found


def describe(findings: Iterable[Finding]) -> str:
    return "\n".join(
        f"  {f.rule} [{f.level}] {f.urn.rsplit('::', 1)[-1] or '<stack>'}: {f.message}" for f in findings
    )
