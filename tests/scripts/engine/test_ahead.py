"""Analyzing ahead (gRPC, while the program runs) gives every output of an evaluation that never did."""

from __future__ import annotations

import contextlib
import io
import shutil
import sys
import threading
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from preview_helpers import PACK, PROJECT, REPO, files_under
from pulumi.runtime.proto import analyzer_pb2

from scripts.commands import pipeline
from scripts.commands.pipeline import PlanOptions, run_plan
from scripts.engine import ahead as ahead_module
from scripts.engine import evaluate as evaluate_module
from scripts.engine.ahead import Ahead, _Answering, _bytes
from scripts.engine.evaluate import Requests, analyze_request
from scripts.engine.plan import Plan, PlanResource, read_plan_file
from tests.conftest import TODAY


def _record_ahead(monkeypatch: pytest.MonkeyPatch) -> list[Ahead | None]:
    """Make tvt plan's analyze_ahead record each Ahead it yields; returns the record."""
    seen: list[Ahead | None] = []
    real = ahead_module.analyze_ahead

    @contextlib.contextmanager
    def recording(*args: Any, **kwargs: Any) -> Iterator[Ahead | None]:
        with real(*args, **kwargs) as ahead:
            seen.append(ahead)
            yield ahead

    monkeypatch.setattr(pipeline, "analyze_ahead", recording)
    return seen


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_plan_analyzed_ahead_writes_the_same_files_as_one_that_never_streamed(
    stack: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TVT_TODAY", TODAY)
    seen = _record_ahead(monkeypatch)
    streamed = PlanOptions(stack=stack, out=tmp_path / "ahead", root=REPO, analyzer="grpc")
    interval = sys.getswitchinterval()
    assert run_plan(streamed, out=io.StringIO(), err=io.StringIO()) == 0
    assert sys.getswitchinterval() == interval, "the interpreter's switch interval was left changed"
    (ahead,) = seen
    assert ahead is not None, "tvt plan over gRPC did not analyze ahead"

    @contextlib.contextmanager
    def never(*args: Any, **kwargs: Any) -> Iterator[None]:
        yield None

    monkeypatch.setattr(pipeline, "analyze_ahead", never)
    plain = PlanOptions(stack=stack, out=tmp_path / "plain", root=REPO, analyzer="grpc")
    assert run_plan(plain, out=io.StringIO(), err=io.StringIO()) == 0

    ahead_files, plain_files = files_under(tmp_path / "ahead"), files_under(tmp_path / "plain")
    assert sorted(ahead_files) == sorted(plain_files)
    for name, data in plain_files.items():
        assert ahead_files[name] == data, f"stack {stack}: {name} differs when analyzed ahead"
    # Every resource was answered ahead (the stack and its default provider just before the early
    # AnalyzeStack), so the stream is not quietly falling back to evaluating everything again.
    plan_resources = ahead_files["plan.json"].count(b'"urn": ')
    assert ahead.hits == plan_resources, f"{ahead.hits} of {plan_resources} answers reused"
    assert ahead.stack_hit, "the AnalyzeStack sent early was not the one the evaluation made"


def test_each_request_of_the_finished_plan_is_built_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The early AnalyzeStack and the evaluation both need every Analyze of the plan and the stack's
    AnalyzeStack: one set of messages serves both (the stream builds its own as resources register)."""
    monkeypatch.setenv("TVT_TODAY", TODAY)
    seen = _record_ahead(monkeypatch)
    built: list[str] = []
    stacks: list[int] = []
    real_analyze, real_stack = evaluate_module.analyze_request, evaluate_module.stack_request

    def analyze(resource: PlanResource, *args: Any) -> analyzer_pb2.AnalyzeRequest:
        built.append(resource.urn)
        return real_analyze(resource, *args)

    def stack(*args: Any) -> analyzer_pb2.AnalyzeStackRequest:
        stacks.append(1)
        return real_stack(*args)

    monkeypatch.setattr(evaluate_module, "analyze_request", analyze)
    monkeypatch.setattr(evaluate_module, "stack_request", stack)
    options = PlanOptions(stack="prod", out=tmp_path, root=REPO, analyzer="grpc")
    assert run_plan(options, out=io.StringIO(), err=io.StringIO()) == 0
    (ahead,) = seen
    assert ahead is not None and ahead.stack_hit
    _, plan = read_plan_file(tmp_path / "plan.json")
    plan_urns = [r.urn for r in plan.resources]
    assert sorted(built) == sorted(plan_urns), "each resource's request built once, every one built"
    assert stacks == [1]


def test_requests_are_the_engines_and_kept() -> None:
    a, b = (f"urn:pulumi:dev::p::azure-native:storage:StorageAccount::{n}" for n in "ab")
    plan = Plan("(test)", "dev", "p", "", (_resource(a, {"x": 1}), _resource(b, {"x": 2})))
    requests = Requests(plan)
    for resource in plan.resources:
        request = requests.analyze(resource)
        assert _bytes(request) == _bytes(analyze_request(resource, plan))
        assert requests.analyze(resource) is request
    other = _resource(a, {"x": "changed"})  # not the plan's object: its own request
    assert _bytes(requests.analyze(other)) == _bytes(analyze_request(other, plan))
    assert requests.stack() is requests.stack()
    assert _bytes(requests.stack()) == _bytes(evaluate_module.stack_request(plan))
    for request in (*(requests.analyze(r) for r in plan.resources), requests.stack()):
        assert requests.serialized(request) == _bytes(request)
        assert requests.serialized(request) is requests.serialized(request), "serialised once"
    stranger = analyze_request(other, plan)  # not one of these requests: its own bytes
    assert requests.serialized(stranger) == _bytes(stranger)


def test_in_process_evaluation_never_streams() -> None:
    with ahead_module.analyze_ahead(
        "inprocess", REPO / "policies", stack="dev", project="p", config={}, config_path=None
    ) as ahead:
        assert ahead is None


def test_a_changed_request_is_sent_to_the_pack_again() -> None:
    class Pack:
        name = "fake"

        def __init__(self) -> None:
            self.analyzed: list[str] = []

        def analyze(self, request: Any) -> str:
            self.analyzed.append(request.urn)
            return f"pack:{request.type}"

    ahead = Ahead.__new__(Ahead)  # only what answer() and _Answering need
    pack = Pack()
    ahead.pack, ahead.hits, ahead._failed = pack, 0, False  # type: ignore[assignment]
    sent = analyzer_pb2.AnalyzeRequest(urn="urn:a", type="t:one")
    ahead._answers = {"urn:a": (sent.SerializeToString(deterministic=True), "ahead")}  # type: ignore[dict-item]
    ahead._configured = [b"c", b"s"]
    assert ahead.answer(sent, [b"c", b"s"]) == "ahead"
    assert ahead.answer(analyzer_pb2.AnalyzeRequest(urn="urn:a", type="t:two"), [b"c", b"s"]) is None
    assert ahead.answer(sent, [b"other config", b"s"]) is None, "configured differently: no reuse"
    ahead._failed = True
    assert ahead.answer(sent, [b"c", b"s"]) is None, "a stream that gave up is never trusted"
    assert ahead.hits == 1


def test_a_pack_that_cannot_start_is_reported_once_the_program_has_run(tmp_path: Path) -> None:
    """The pack is only spawned before the program; when it never listens, tvt plan still exits 2
    with the reason (the evaluation starts it again and meets the same failure), never hangs."""
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack / "__main__.py").write_text("import no_such_module_for_the_pack\n")
    options = PlanOptions(stack="dev", out=tmp_path / "out", root=REPO, pack=pack, analyzer="grpc")
    err = io.StringIO()
    assert run_plan(options, out=io.StringIO(), err=err) == 2
    assert "failed to start" in err.getvalue() and "no_such_module_for_the_pack" in err.getvalue()
    assert not (tmp_path / "out").exists(), "nothing is written when the pack cannot judge the plan"


def _pack_that_dies(tmp_path: Path, method: str, code: int) -> Path:
    """The fixture pack, ending its own process (as a crash would) inside ``method``."""
    pack = tmp_path / f"dies-in-{method}"
    shutil.copytree(PACK, pack, ignore=shutil.ignore_patterns("__pycache__"))
    source = (pack / "pack.py").read_text()
    head = f"    def {method}(self, request, context):\n"
    assert head in source
    (pack / "pack.py").write_text(source.replace(head, f"{head}        os._exit({code})\n", 1))
    return pack


@pytest.mark.parametrize("method", ["Analyze", "AnalyzeStack"])
def test_a_pack_that_dies_is_reported_in_the_call_it_died_in(tmp_path: Path, method: str) -> None:
    """A pack that ends inside a call sent ahead is reported with that call and its exit code, not
    with the evaluation's next call to the pack that is gone; exit 2, nothing written."""
    options = PlanOptions(
        stack="clean", out=tmp_path / "out", root=PROJECT, pack=_pack_that_dies(tmp_path, method, 7),
        analyzer="grpc",
    )  # fmt: skip
    err = io.StringIO()
    assert run_plan(options, out=io.StringIO(), err=err) == 2
    assert f": {method} failed over gRPC: " in err.getvalue(), err.getvalue()
    assert "the policy pack's process exited with code 7" in err.getvalue()
    assert "GetAnalyzerInfo" not in err.getvalue() and "Configure" not in err.getvalue()
    assert not options.out.exists(), "nothing is written when the pack cannot judge the plan"


def test_a_call_the_pack_answered_with_an_error_is_not_what_it_later_ended_in(tmp_path: Path) -> None:
    """A pack that fails each resource's first ``Analyze`` (the stream's; it lives on, and the
    evaluation asks again and is answered), then ends inside ``AnalyzeStack``, is reported with
    ``AnalyzeStack`` and its exit code, not with the first failure of the stream."""
    pack = _pack_that_dies(tmp_path, "AnalyzeStack", 5)
    source = (pack / "pack.py").read_text()
    head = "    def Analyze(self, request, context):\n"
    first = (
        "        if request.urn not in _FAILED_ONCE and not request.type.startswith('pulumi:'):\n"
        "            _FAILED_ONCE.add(request.urn)\n"
        "            raise RuntimeError('first-call failure')\n"
    )
    (pack / "pack.py").write_text(source.replace(head, head + first, 1) + "\n_FAILED_ONCE: set = set()\n")
    options = PlanOptions(stack="clean", out=tmp_path / "out", root=PROJECT, pack=pack, analyzer="grpc")
    err = io.StringIO()
    assert run_plan(options, out=io.StringIO(), err=err) == 2
    assert ": AnalyzeStack failed over gRPC: " in err.getvalue(), err.getvalue()
    assert "the policy pack's process exited with code 5" in err.getvalue()
    assert "first-call failure" not in err.getvalue()
    assert not options.out.exists()


def test_a_relative_project_root_is_streamed_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``make bench`` runs ``tvt plan --root <relative dir>``; the program then runs in that
    directory while the worker configures the pack, so nothing it reads may be relative."""
    from scripts.bench.estate import link_project

    monkeypatch.setenv("TVT_TODAY", TODAY)
    link_project(tmp_path / "project", REPO)
    (tmp_path / "project" / "stacks" / "Pulumi.dev.yaml").write_bytes(
        (REPO / "stacks" / "Pulumi.dev.yaml").read_bytes()
    )
    monkeypatch.chdir(tmp_path)
    seen = _record_ahead(monkeypatch)
    options = PlanOptions(stack="dev", out=Path("out"), root=Path("project"), analyzer="grpc")
    assert run_plan(options, out=io.StringIO(), err=io.StringIO()) == 0
    (ahead,) = seen
    assert ahead is not None and ahead.started
    resources = (tmp_path / "out" / "plan.json").read_bytes().count(b'"urn": ')
    assert ahead.hits == resources, f"{ahead.hits} of {resources} answers reused"


def _silent_pack(tmp_path: Path) -> Path:
    pack = tmp_path / "silent-pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack / "__main__.py").write_text("import time\ntime.sleep(3600)\n")  # never prints a port
    return pack


def test_a_pack_that_never_listens_costs_one_wait_not_two(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scripts.engine import analyzer

    monkeypatch.setattr(analyzer, "STARTUP_TIMEOUT_S", 3.0)
    options = PlanOptions(
        stack="dev", out=tmp_path / "out", root=REPO, pack=_silent_pack(tmp_path), analyzer="grpc"
    )
    err = io.StringIO()
    start = time.monotonic()
    assert run_plan(options, out=io.StringIO(), err=err) == 2
    assert "printed no port within 3s" in err.getvalue()
    assert time.monotonic() - start < 3.0 * 2, "the evaluation started the pack again and waited again"


def test_a_failed_program_does_not_wait_for_a_pack_that_never_listens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    (root / "stacks").mkdir(parents=True)
    (root / "stacks" / "Pulumi.dev.yaml").write_bytes((REPO / "stacks" / "Pulumi.dev.yaml").read_bytes())
    (root / "__main__.py").write_text("raise RuntimeError('the program broke')\n")
    options = PlanOptions(
        stack="dev", out=tmp_path / "out", root=root, pack=_silent_pack(tmp_path), analyzer="grpc"
    )
    err = io.StringIO()
    start = time.monotonic()
    assert run_plan(options, out=io.StringIO(), err=err) == 2
    assert "the program broke" in err.getvalue()
    assert time.monotonic() - start < 30, "the failed run waited for the pack's port"


class _Pending:
    def __init__(self, answer: str) -> None:
        self.value, self.settled = answer, False

    def answer(self) -> str:
        return self.value

    def settle(self) -> None:
        self.settled = True

    def cancel(self) -> None:
        self.settled = True

    def failure(self) -> None:
        return None


class _Pack:
    """What _Answering forwards to, recorded."""

    name = "fake"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def configure(self, request: Any) -> None:
        self.calls.append("Configure")

    def configure_stack(self, request: Any) -> None:
        self.calls.append("ConfigureStack")

    def analyze_stack(self, request: Any) -> str:
        self.calls.append("AnalyzeStack")
        return "pack"

    def analyze(self, request: Any) -> str:
        self.calls.append(f"Analyze {request.urn}")
        return "pack"

    def analyze_later(self, request: Any) -> _Pending:
        self.calls.append(f"Analyze {request.urn}")
        return _Pending(f"answer {request.urn}")

    def analyze_stack_later(self, request: Any) -> _Pending:
        self.calls.append("AnalyzeStack")
        return _Pending("early")


CONFIGURE = analyzer_pb2.ConfigureAnalyzerRequest()
CONFIGURE_STACK = analyzer_pb2.AnalyzerStackConfigureRequest(stack="dev")
EARLY = analyzer_pb2.AnalyzeStackRequest(resources=[analyzer_pb2.AnalyzerResource(urn="urn:a")])


def _answering(*, failed: bool = False) -> tuple[_Answering, Ahead, _Pack, _Pending]:
    """An Ahead configured with CONFIGURE, CONFIGURE_STACK that sent EARLY, and what evaluate sees."""
    ahead = Ahead.__new__(Ahead)  # only what the stack answer and _Answering need
    pack, pending = _Pack(), _Pending("early")
    ahead.pack, ahead._failed, ahead.stack_hit = pack, failed, False  # type: ignore[assignment]
    ahead._configured = [_bytes(CONFIGURE), _bytes(CONFIGURE_STACK)]
    ahead._stack = (_bytes(EARLY), pending)  # type: ignore[assignment]
    ahead._process = types.SimpleNamespace(packdir="fake")  # type: ignore[assignment]
    ahead.info, ahead.failure = None, None
    answering = _Answering(ahead)
    return answering, ahead, pack, pending


def test_the_early_analyze_stack_answers_the_same_request_after_the_same_configuration() -> None:
    answering, ahead, pack, _ = _answering()
    answering.configure(CONFIGURE)
    answering.configure_stack(CONFIGURE_STACK)
    assert pack.calls == [], "a configuration the pack already has was sent again during the stack rules"
    assert answering.analyze_stack(EARLY) == "early" and ahead.stack_hit
    assert answering.analyze_stack(EARLY) == "pack", "an early answer is used once"


def test_another_configuration_is_sent_once_the_early_analyze_stack_is_over() -> None:
    answering, ahead, pack, pending = _answering()
    answering.configure(CONFIGURE)
    answering.configure_stack(analyzer_pb2.AnalyzerStackConfigureRequest(stack="other"))
    assert pack.calls == ["ConfigureStack"] and pending.settled
    assert answering.analyze_stack(EARLY) == "pack" and not ahead.stack_hit


def test_a_changed_analyze_stack_is_sent_to_the_pack_again() -> None:
    answering, ahead, pack, pending = _answering()
    answering.configure(CONFIGURE)
    answering.configure_stack(CONFIGURE_STACK)
    changed = analyzer_pb2.AnalyzeStackRequest(resources=[analyzer_pb2.AnalyzerResource(urn="urn:b")])
    assert answering.analyze_stack(changed) == "pack" and pending.settled and not ahead.stack_hit
    assert pack.calls == ["AnalyzeStack"]


def test_a_stream_that_gave_up_is_configured_and_asked_again() -> None:
    answering, _, pack, _ = _answering(failed=True)
    answering.configure(CONFIGURE)
    answering.configure_stack(CONFIGURE_STACK)
    assert answering.analyze_stack(EARLY) == "pack"
    assert pack.calls == ["Configure", "ConfigureStack", "AnalyzeStack"]


def test_a_miss_in_the_evaluation_drops_the_early_analyze_stack() -> None:
    answering, ahead, pack, pending = _answering()
    ahead._answers, ahead.hits = {}, 0
    answering.configure(CONFIGURE)
    answering.configure_stack(CONFIGURE_STACK)
    assert answering.analyze(analyzer_pb2.AnalyzeRequest(urn="urn:a")) == "pack"
    assert pending.settled, "the Analyze reached the pack after the early AnalyzeStack, which is then stale"
    assert answering.analyze_stack(EARLY) == "pack" and not ahead.stack_hit
    assert pack.calls == ["Analyze urn:a", "AnalyzeStack"]


def _resource(urn: str, inputs: dict[str, Any]) -> PlanResource:
    return PlanResource(
        urn, "azure-native:storage:StorageAccount", True, "id", inputs, inputs, "", False, (), {}, "", ""
    )


def test_every_final_analyze_reaches_the_pack_before_the_early_analyze_stack() -> None:
    """The pack judges the stack by each resource's last Analyze: one streamed with other inputs
    than the plan's, or never streamed, is sent (and answered) first."""
    a, b, c = (f"urn:pulumi:dev::p::azure-native:storage:StorageAccount::{n}" for n in "abc")
    plan = Plan(
        "(test)", "dev", "p", "", (_resource(a, {"x": 1}), _resource(b, {"x": 2}), _resource(c, {"x": 3}))
    )
    ahead = Ahead.__new__(Ahead)
    pack = _Pack()
    ahead.pack, ahead._failed, ahead._stack, ahead._configured = pack, False, None, []  # type: ignore[assignment]
    ahead._worker = types.SimpleNamespace(join=lambda timeout=None: None, is_alive=lambda: False)  # type: ignore[assignment]
    ahead._lock, ahead._pending, ahead._direct = threading.Lock(), [], True
    same = analyze_request(plan.resources[0], plan)
    stale = analyze_request(_resource(b, {"x": "old"}), plan)
    ahead._answers = {a: (_bytes(same), "ahead a"), b: (_bytes(stale), "ahead b")}  # type: ignore[dict-item]
    ahead.analyze_stack_now(Requests(plan))
    assert pack.calls == [f"Analyze {b}", f"Analyze {c}", "AnalyzeStack"]
    assert ahead._answers[a][1] == "ahead a" and ahead._answers[b][1] == f"answer {b}"
    assert ahead._answers[b][0] == _bytes(analyze_request(plan.resources[1], plan))
