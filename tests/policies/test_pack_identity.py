"""The pack's own Analyze and AnalyzeStack answer byte for byte what pulumi_policy's stock loop answers.

:class:`TvtAnalyzer` converts each request once and hands every policy one read-only view
(``policies/pack.py``). :class:`StockAnalyzer` is the reference: the SDK's own
``_PolicyAnalyzerServicer.Analyze``, which deserialises and proxies the request afresh for each
policy, and an ``AnalyzeStack`` in the SDK's shape, which converts the stack afresh for each stack
policy (with the pack's own additions: requested inputs, the stack index and the stack context).
The reference also decides ABAC conditions by enumeration (``abac.access_by_enumeration``) and
parses each one afresh.

Both get the same requests, built by ``tvt``'s engine from real plans: every example stack, a grown
estate, and the prod plan with every mutant of the plan-mutation catalogue applied, so that most
rules have findings to agree on. The pack served over gRPC, answering concurrent Analyze calls as
the engine makes them, must give the same bytes too.
"""

from __future__ import annotations

import asyncio
import copy
import io
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from inspect import isawaitable
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, json_format
from pulumi.runtime import proto
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_policy import EnforcementLevel, PolicyResource, StackValidationPolicy
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.policy import _NotApplicableError, _PolicyAnalyzerServicer
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from components.config.load import read_stack_file, stack_file
from policies import abac
from policies.framework import StackContext, TvtStackValidationArgs
from policies.pack import TvtAnalyzer, build_policies, make_analyzer
from policies.partners import partners_from_config
from policies.props import requested
from policies.stack_index import StackIndex
from policies.use_cases import register_from_config
from scripts.bench.estate import Shape, write_estate
from scripts.commands.pipeline import PlanOptions, run_plan
from scripts.engine.evaluate import analyze_request, stack_configure_request, stack_resource
from scripts.engine.plan import Plan, parse_plan
from scripts.engine.policy_config import configure_request, load_policy_config, pack_info
from tests.conftest import TODAY
from tests.mutation.catalogue import CATALOGUE, Doc

REPO = Path(__file__).resolve().parents[2]
PACK_DIR = REPO / "policies"
# About 300 resources: partners with level-3 grants, ABAC conditions and extra zones.
GROWN = Shape(partners=20, zones=2, use_cases=2)
CONDITION_MUTANTS = [m for m in CATALOGUE if m.kind == "condition" and m.policy_config is None]


class StockAnalyzer(TvtAnalyzer):
    """The reference: the pack on pulumi_policy's own per-policy loop."""

    def Analyze(self, request: Any, context: Any) -> Any:
        self._inputs[request.urn] = deserialize_properties(json_format.MessageToDict(request.properties))
        response = _PolicyAnalyzerServicer.Analyze(self, request, context)  # type: ignore[no-untyped-call]
        self._apply_exemptions(response, request.urn)
        return response

    def AnalyzeStack(self, request: Any, context: Any) -> Any:
        self._configure_runtime_settings()  # type: ignore[no-untyped-call]
        response = proto.AnalyzeResponse()
        for policy in self._policies:
            level = self._get_enforcement_level(policy)
            if level == EnforcementLevel.DISABLED or not isinstance(policy, StackValidationPolicy):
                continue
            if level == EnforcementLevel.REMEDIATE:
                level = EnforcementLevel.MANDATORY
            report = self._create_report_violation(
                response, policy.name, policy.description, level, policy.severity
            )
            resources = self._stock_resources(request)  # afresh for each policy, as the SDK does
            stack = StackContext(
                StackIndex.from_policy_resources(resources),
                self.exemptions,
                self._today(),
                register_from_config(self._stack_config),
                partners_from_config(self._stack_config),
            )
            args = TvtStackValidationArgs(resources, self._get_policy_config(policy.name), self._tags, stack)
            try:
                result = policy.validate(args, report)
                if isawaitable(result):
                    asyncio.run(result)  # type: ignore[arg-type]
            except UnknownValueError as error:
                response.diagnostics.append(self._cannot_run(policy, error))
            except _NotApplicableError as error:
                response.not_applicable.append(
                    proto.PolicyNotApplicable(policy_name=policy.name, reason=error.reason or "")
                )
        self._apply_exemptions(response, "")
        return response

    def _stock_resources(self, request: Any) -> list[PolicyResource]:
        resources: list[PolicyResource] = []
        links = []
        for r in request.resources:
            outputs = deserialize_properties(json_format.MessageToDict(r.properties))
            inputs = self._inputs.get(r.urn)
            judged = outputs if inputs is None else requested(inputs, outputs)
            resource = PolicyResource(
                r.type,
                unknown_checking_proxy(judged),
                r.urn,
                r.name,
                self._get_resource_options(r),
                self._get_provider_resource(r),
                None,
                [],
                {},
            )
            deps = {k: list(v.urns) for k, v in r.propertyDependencies.items()}
            links.append((resource, r.parent, list(r.dependencies), deps))
            resources.append(resource)
        by_urn = {r.urn: r for r in resources}
        for resource, parent, dependencies, property_dependencies in links:
            if parent in by_urn:
                resource.parent = by_urn[parent]
            resource.dependencies = [by_urn[d] for d in dependencies if d in by_urn]
            resource.property_dependencies = {
                k: [by_urn[d] for d in urns if d in by_urn] for k, urns in property_dependencies.items()
            }
        return resources


@dataclass(frozen=True)
class Requests:
    """Every request the engine sends for one plan, in its order."""

    name: str
    configure: analyzer_pb2.ConfigureAnalyzerRequest
    configure_stack: analyzer_pb2.AnalyzerStackConfigureRequest
    analyze: tuple[analyzer_pb2.AnalyzeRequest, ...]
    analyze_stack: analyzer_pb2.AnalyzeStackRequest

    @classmethod
    def of(cls, name: str, plan: Plan, root: Path, stack: str) -> Requests:
        pack = pack_info(make_analyzer().GetAnalyzerInfo(empty_pb2.Empty(), None))
        resolved = load_policy_config(PACK_DIR / "config" / f"{stack}.json", pack)
        stack_config = read_stack_file(stack_file(stack, root), root=root)
        return cls(
            name,
            configure_request(resolved),
            stack_configure_request(plan, stack_config),
            tuple(analyze_request(r, plan) for r in plan.resources),
            analyzer_pb2.AnalyzeStackRequest(resources=[stack_resource(r, plan) for r in plan.resources]),
        )


def _bytes(message: Any) -> bytes:
    return bytes(message.SerializeToString(deterministic=True))


@dataclass(frozen=True)
class Answers:
    info: bytes
    analyze: tuple[bytes, ...]
    analyze_stack: bytes

    def findings(self) -> int:
        responses = [*self.analyze, self.analyze_stack]
        return sum(len(analyzer_pb2.AnalyzeResponse.FromString(r).diagnostics) for r in responses)


def answers(servicer: Any, requests: Requests, *, threads: int = 1) -> Answers:
    """Send ``requests`` in the engine's order; ``threads``: that many Analyze calls at once."""
    info = _bytes(servicer.GetAnalyzerInfo(empty_pb2.Empty(), None))
    servicer.Configure(requests.configure, None)
    servicer.ConfigureStack(requests.configure_stack, None)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        analyzed = tuple(_bytes(r) for r in pool.map(lambda q: servicer.Analyze(q, None), requests.analyze))
    return Answers(info, analyzed, _bytes(servicer.AnalyzeStack(requests.analyze_stack, None)))


@pytest.fixture(scope="module")
def estates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Requests]:
    """The requests of every example stack, a grown estate and a mutated prod plan."""
    found: dict[str, Requests] = {}
    base = tmp_path_factory.mktemp("identity")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TVT_TODAY", TODAY)
        grown = base / "grown-project"
        write_estate(grown, REPO, "prod", GROWN)
        for name, stack, root in (
            ("dev", "dev", REPO),
            ("test", "test", REPO),
            ("prod", "prod", REPO),
            ("grown", "prod", grown),
        ):
            options = PlanOptions(stack=stack, out=base / name, root=root, analyzer="inprocess")
            code = run_plan(options, out=io.StringIO(), err=io.StringIO())
            assert code == 0, f"tvt plan of {name} exited {code}"
            document = json.loads((base / name / "plan.json").read_text())
            found[name] = Requests.of(name, parse_plan(document, name), root, stack)
            if name == "prod":
                mutated = copy.deepcopy(document)
                applied = [m.name for m in CATALOGUE if m.policy_config is None and m.mutate(Doc(mutated))]
                assert len(applied) > 40, f"only {len(applied)} mutants applied to one prod plan"
                found["prod-mutated"] = Requests.of("prod-mutated", parse_plan(mutated, name), root, stack)
                # Condition mutants rewrite the same grants, so each is also judged alone.
                for mutant in CONDITION_MUTANTS:
                    alone = copy.deepcopy(document)
                    assert mutant.mutate(Doc(alone)), f"{mutant.name} does not apply to the prod plan"
                    found[mutant.name] = Requests.of(mutant.name, parse_plan(alone, name), root, stack)
    return found


def stock_answers(requests: Requests) -> Answers:
    """What the reference answers, deciding ABAC conditions by their definition, each parsed afresh
    (patched for this call only: the pack's own answers use the fast paths)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(abac, "access", abac.access_by_enumeration)
        mp.setattr(abac, "parse", abac.parse.__wrapped__)
        return answers(StockAnalyzer(build_policies()), requests)


def _first_difference(name: str, got: Answers, expected: Answers, requests: Requests) -> str:
    if got.info != expected.info:
        return f"{name}: GetAnalyzerInfo differs"
    for request, mine, theirs in zip(requests.analyze, got.analyze, expected.analyze, strict=True):
        if mine != theirs:
            return (
                f"{name}: Analyze of {request.urn} differs:\n"
                f"pack: {analyzer_pb2.AnalyzeResponse.FromString(mine)}\n"
                f"stock: {analyzer_pb2.AnalyzeResponse.FromString(theirs)}"
            )
    return f"{name}: AnalyzeStack differs" if got.analyze_stack != expected.analyze_stack else ""


ESTATES = ("dev", "test", "prod", "grown", "prod-mutated", *(m.name for m in CONDITION_MUTANTS))


@pytest.mark.parametrize("name", ESTATES)
def test_the_pack_answers_what_the_stock_loop_answers(name: str, estates: dict[str, Requests]) -> None:
    requests = estates[name]
    expected = stock_answers(requests)
    got = answers(make_analyzer(), requests)
    assert not _first_difference(name, got, expected, requests)
    assert got == expected


def test_the_comparison_has_findings_to_compare(estates: dict[str, Requests]) -> None:
    """Not vacuous: the mutated plan has findings of resource and stack rules, and exemptions apply."""
    requests = estates["prod-mutated"]
    got = answers(make_analyzer(), requests)
    stack = analyzer_pb2.AnalyzeResponse.FromString(got.analyze_stack)
    assert got.findings() > 100
    assert len(stack.diagnostics) > 20
    rules = {
        d.policyName for r in got.analyze for d in analyzer_pb2.AnalyzeResponse.FromString(r).diagnostics
    } | {d.policyName for d in stack.diagnostics}
    assert {"azure-api-conformance", "identity-level3-use-case", "encryption-tls"} <= rules
    assert any("EXEMPTED (" in d.message for d in stack.diagnostics) or any(
        "EXEMPTED (" in d.message
        for r in got.analyze
        for d in analyzer_pb2.AnalyzeResponse.FromString(r).diagnostics
    )


def _relevelled(
    configure: analyzer_pb2.ConfigureAnalyzerRequest, shift: int
) -> analyzer_pb2.ConfigureAnalyzerRequest:
    """The same config with every policy's level rotated through the four (disabled and remediate too)."""
    levels = [proto.ADVISORY, proto.MANDATORY, proto.DISABLED, proto.REMEDIATE]
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    request.CopyFrom(configure)
    for i, name in enumerate(sorted(request.policyConfig)):
        request.policyConfig[name].enforcementLevel = levels[(i + shift) % len(levels)]
    return request


def test_every_level_and_a_second_configure_answer_alike(estates: dict[str, Requests]) -> None:
    """Disabled, remediate and advisory policies too; a second Configure changes what the pack does,
    as it changes what the stock loop does (the pack keeps its per-type decisions until Configure)."""
    base = estates["prod-mutated"]
    pack = make_analyzer()
    for shift in (0, 1, 2, 3):
        requests = Requests(
            base.name,
            _relevelled(base.configure, shift),
            base.configure_stack,
            base.analyze,
            base.analyze_stack,
        )
        assert answers(pack, requests) == stock_answers(requests), f"levels shifted {shift}"


@pytest.mark.parametrize("name", ["grown", "prod-mutated"])
def test_concurrent_analyze_calls_answer_alike(name: str, estates: dict[str, Requests]) -> None:
    """The engine calls Analyze concurrently; four at once answer what the stock loop does."""
    requests = estates[name]
    assert answers(make_analyzer(), requests, threads=4) == stock_answers(requests)


class _Served:
    """The pack as the engine starts it, answering through ``AnalyzerStub`` (one interface for answers())."""

    def __init__(self, stub: Any) -> None:
        self.stub = stub

    def __getattr__(self, method: str) -> Any:
        call = getattr(self.stub, method)
        return lambda request, _context: call(request, timeout=300)


def test_the_served_pack_answers_concurrent_calls_as_the_stock_loop(
    estates: dict[str, Requests], tmp_path: Path
) -> None:
    """``python -m pulumi.policy`` (the engine's launch), four Analyze calls in flight at once."""
    requests = estates["prod-mutated"]
    expected = stock_answers(requests)
    command = [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:0", str(PACK_DIR)]
    env = {"TVT_TODAY": TODAY, "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert process.stdout is not None
        port = process.stdout.readline().decode().strip()
        assert port.isdigit(), f"expected the port, got {port!r}"
        options = [("grpc.max_receive_message_length", 400 * 1024 * 1024)]
        with grpc.insecure_channel(f"127.0.0.1:{port}", options=options) as channel:
            served = _Served(analyzer_pb2_grpc.AnalyzerStub(channel))
            got = answers(served, requests, threads=4)
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert not _first_difference("served", got, expected, requests)
