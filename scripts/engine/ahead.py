"""Analyze each resource while the program still runs, so the pack works on the other core.

Under ``pulumi preview`` the engine calls ``Analyze`` for each resource as its step runs, not after
the program. ``tvt plan`` over gRPC does the same: :func:`analyze_ahead` starts the pack, configures
it with the requests :func:`scripts.engine.evaluate.evaluate` builds (``GetAnalyzerInfo``,
``Configure``, ``ConfigureStack``), and a worker thread sends ``Analyze`` for every resource the
capture registers, built from the resource as the plan will record it. The finished plan is then
evaluated by :func:`scripts.engine.evaluate.evaluate` as always, through :attr:`Ahead.analyzer`:
it answers an ``Analyze`` from what was given ahead only when that request, and the ``Configure``
and ``ConfigureStack`` before it, are byte for byte the ones sent ahead; any other call goes to
the pack. So the findings are those of the plan itself, however the stream went
(``tests/scripts/engine/test_ahead.py`` compares every output with an evaluation that never
streamed).

In-process evaluation gains nothing from this (one interpreter, one core), so it never streams.
"""

from __future__ import annotations

import collections
import contextlib
import queue
import sys
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pulumi.runtime.proto import analyzer_pb2

from policies.catalog import PROVIDER_PREFIX
from scripts.engine.analyzer import Analyzer, GrpcAnalyzer, PackProcess, PendingAnswer, pack_process
from scripts.engine.capture import Capture, CapturedResource
from scripts.engine.errors import PreviewError
from scripts.engine.evaluate import Providers, analyze_request, stack_configure_request
from scripts.engine.export import DefaultProvider, default_provider, normalize, redact_paths, source_position
from scripts.engine.plan import Plan, PlanResource
from scripts.engine.policy_config import configure_request, load_policy_config, pack_info

_DONE = None  # what ends the worker's queue
# How often (seconds) the busy program thread hands the interpreter to the worker while it streams:
# after each answer the worker waits for it, so Python's default 5 ms left the worker seconds behind
# the program on a 3,000-resource estate (measured: 3.75 s behind, 2.2 s at 0.1 ms). Scheduling only.
_SWITCH_INTERVAL_S = 0.0001
_IN_FLIGHT = 8  # Analyze requests sent ahead and not yet read, at most
_BATCH = 64  # queued resources taken at once
_CANCEL_WAIT_S = 5.0  # how long a failed run waits for the worker to notice


def _plan_resource(resource: CapturedResource, provider: str) -> PlanResource:
    """What ``Analyze`` reads of ``resource`` as the plan will record it (``export.resource_state``)."""
    return PlanResource(
        urn=resource.urn,
        type=resource.type,
        custom=resource.custom,
        id=resource.id if resource.custom else "",
        inputs=normalize(redact_paths(resource.inputs, resource.secret_paths), f"{resource.urn}: inputs"),
        outputs={},
        parent=resource.parent,
        protect=resource.protect,
        dependencies=(),
        property_dependencies={},
        provider=resource.provider or provider,
        source_position=source_position(resource),
        ignore_changes=resource.ignore_changes,
        additional_secret_outputs=resource.additional_secret_outputs,
    )


def _provider_resource(provider: DefaultProvider) -> PlanResource:
    inputs = normalize(provider.inputs, f"{provider.urn}: inputs")
    return PlanResource(
        urn=provider.urn,
        type=PROVIDER_PREFIX + provider.package,
        custom=True,
        id=provider.id,
        inputs=inputs,
        outputs=inputs,
        parent="",
        protect=False,
        dependencies=(),
        property_dependencies={},
        provider="",
        source_position="",
    )


def _bytes(request: Any) -> bytes:
    return bytes(request.SerializeToString(deterministic=True))


class Ahead:
    """The ``Analyze`` answers given while the program ran, keyed by URN with the exact request."""

    def __init__(
        self,
        process: PackProcess,
        *,
        stack: str,
        project: str,
        config: Mapping[str, Any],
        config_path: Path | None,
    ) -> None:
        self._process = process
        self.pack: GrpcAnalyzer | None = None  # connected by the worker, while the program starts
        self.analyzer: Analyzer = _Answering(self)
        self.hits = 0  # Analyze calls of the evaluation answered from here
        self._capture = Capture(stack=stack, project=project)  # default providers' URNs need both
        self._config = config
        # Absolute now: the worker reads it once the pack listens, by when the program (on the
        # main thread) runs in its project directory, and a relative path would name nothing.
        self._config_path = config_path.resolve() if config_path is not None else None
        self._providers: dict[tuple[str, str], DefaultProvider] = {}
        self._known: dict[str, PlanResource] = {}  # providers by URN, as provider_of looks them up
        self._answers: dict[str, tuple[bytes, analyzer_pb2.AnalyzeResponse]] = {}
        self._configured: list[bytes] = []  # the Configure and ConfigureStack sent ahead
        self._queue: queue.SimpleQueue[CapturedResource | None] = queue.SimpleQueue()
        self._failed = False
        self.start_error: PreviewError | None = None  # why the pack never listened, if it did not
        self._cancelled = threading.Event()
        self._worker = threading.Thread(target=self._work, name="tvt-analyze-ahead", daemon=True)
        self._worker.start()

    def submit(self, resource: CapturedResource) -> None:
        """Queue ``resource`` (called by the capture as it registers, on the SDK's threads)."""
        self._queue.put(resource)

    def finish(self, *, cancel: bool = False) -> None:
        """Wait until every queued resource has been answered; ``cancel`` (the run failed): stop
        waiting for the pack, drop what is still queued, and give the worker a moment, no more."""
        if cancel:
            self._failed = True
            self._cancelled.set()
        self._queue.put(_DONE)
        self._worker.join(timeout=_CANCEL_WAIT_S if cancel else None)

    def answer(self, request: analyzer_pb2.AnalyzeRequest, configured: list[bytes]) -> Any:
        """The answer given ahead to exactly ``request``, after exactly the configuration ``configured``."""
        found = self._answers.get(request.urn)
        if self._failed or configured != self._configured or found is None or found[0] != _bytes(request):
            return None
        self.hits += 1
        return found[1]

    def _provider_ref(self, resource: CapturedResource) -> str:
        if not resource.custom or resource.provider or resource.type.startswith(PROVIDER_PREFIX):
            return ""
        key = (resource.type.split(":", 1)[0], resource.package_version)
        provider = self._providers.get(key)
        if provider is None:
            provider = self._providers[key] = default_provider(self._capture, key[0], key[1], self._config)
            self._known[provider.urn] = _provider_resource(provider)
        return provider.reference

    @property
    def started(self) -> bool:
        """Whether the pack started; after :meth:`finish`, False means :attr:`start_error` says why."""
        return self.pack is not None

    def _work(self) -> None:
        try:
            self._stream()
        except Exception:  # noqa: BLE001  (whatever broke the stream: evaluate sends every request again)
            self._failed = True
            while self._queue.get() is not _DONE:
                pass  # drain, so the capture never blocks

    def _stream(self) -> None:
        plan = Plan("(ahead)", self._capture.stack, self._capture.project, "", (), self._known)
        try:
            pack = self.pack = self._process.connect(cancelled=self._cancelled)
        except PreviewError as error:
            self.start_error = error
            self._failed = True
            while self._queue.get() is not _DONE:
                pass  # nothing to answer with; drain so the capture never blocks
            return
        try:  # as evaluate configures the pack
            configure = configure_request(load_policy_config(self._config_path, pack_info(pack.get_info())))
            pack.configure(configure)
            configure_stack = stack_configure_request(plan, self._config)
            pack.configure_stack(configure_stack)
            self._configured = [_bytes(configure), _bytes(configure_stack)]
        except PreviewError:
            self._failed = True  # evaluate meets the same error and reports it
        # A few requests in flight (the engine too calls Analyze concurrently; the pack's rules are
        # tested for it), and every resource already queued taken at once: this thread shares the
        # interpreter with the program, and each wait for it to be handed back costs more than
        # building a request, so it waits once per batch rather than once per resource.
        pending: collections.deque[tuple[str, bytes, PendingAnswer]] = collections.deque()
        providers = Providers(plan)  # a provider is known here before the first resource it serves
        finished = False
        while not finished:
            for resource in self._batch():
                if resource is _DONE:
                    finished = True
                    break
                if self._failed:
                    continue
                try:
                    ref = self._provider_ref(resource)
                    request = analyze_request(_plan_resource(resource, ref), plan, providers)
                    pending.append((resource.urn, _bytes(request), pack.analyze_later(request)))
                    while len(pending) > _IN_FLIGHT:
                        self._collect(pending.popleft())
                except PreviewError:
                    self._failed = True  # evaluate sends it again and reports what failed
            while pending and not self._failed and (finished or pending[0][2].ready()):
                try:
                    self._collect(pending.popleft())
                except PreviewError:
                    self._failed = True
        # After a failure, what was sent is still let finish (within its deadline), so nothing of
        # this stream is still running in the pack when the evaluation configures it again.
        for _, _, unread in pending:
            unread.settle()

    def _batch(self) -> list[CapturedResource | None]:
        """The next queued resource (waiting for it) and every one queued behind it, up to a limit."""
        batch = [self._queue.get()]
        while len(batch) < _BATCH:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _collect(self, sent: tuple[str, bytes, PendingAnswer]) -> None:
        urn, request, pending = sent
        self._answers[urn] = (request, pending.answer())


class _Answering:
    """The pack as :func:`~scripts.engine.evaluate.evaluate` sees it: ``Analyze`` answered from
    :class:`Ahead` when the request and the configuration before it are the ones sent ahead."""

    def __init__(self, ahead: Ahead) -> None:
        self._ahead = ahead
        self._configured: list[bytes] = []
        self.name = str(ahead._process.packdir)  # as GrpcAnalyzer names it

    @property
    def _pack(self) -> GrpcAnalyzer:
        if self._ahead.pack is None:  # evaluate_plan asks Ahead.started first
            raise PreviewError("the policy pack started for tvt plan did not start")
        return self._ahead.pack

    def get_info(self) -> analyzer_pb2.AnalyzerInfo:
        return self._pack.get_info()

    def configure(self, request: analyzer_pb2.ConfigureAnalyzerRequest) -> None:
        self._configured = [_bytes(request)]
        self._pack.configure(request)

    def configure_stack(self, request: analyzer_pb2.AnalyzerStackConfigureRequest) -> None:
        self._configured = [*self._configured[:1], _bytes(request)]
        self._pack.configure_stack(request)

    def analyze(self, request: analyzer_pb2.AnalyzeRequest) -> analyzer_pb2.AnalyzeResponse:
        answered: analyzer_pb2.AnalyzeResponse | None = self._ahead.answer(request, self._configured)
        return answered if answered is not None else self._pack.analyze(request)

    def analyze_stack(self, request: analyzer_pb2.AnalyzeStackRequest) -> analyzer_pb2.AnalyzeResponse:
        return self._pack.analyze_stack(request)


@contextlib.contextmanager
def analyze_ahead(
    transport: str,
    packdir: Path,
    *,
    stack: str,
    project: str,
    config: Mapping[str, Any],
    config_path: Path | None,
) -> Iterator[Ahead | None]:
    """A started pack that answers ``Analyze`` while the program runs, or None (in-process, or no
    pack in ``packdir``: the evaluation then tries and reports why). The pack is only spawned here;
    the worker waits for it to listen, so the program starts at once. If it never does,
    :attr:`Ahead.started` is False once finished, and the evaluation starts it again."""
    if transport != "grpc":
        yield None
        return
    with contextlib.ExitStack() as stack_:
        try:
            process = stack_.enter_context(pack_process(packdir))
        except PreviewError:
            yield None
            return
        saved = sys.getswitchinterval()
        sys.setswitchinterval(_SWITCH_INTERVAL_S)
        stack_.callback(sys.setswitchinterval, saved)
        ahead = Ahead(process, stack=stack, project=project, config=config, config_path=config_path)
        try:
            yield ahead
        except BaseException:
            ahead.finish(cancel=True)  # no plan: nothing will read the answers
            raise
        ahead.finish()
