"""Analyze each resource while the program still runs, so the pack works on the other core.

Under ``pulumi preview`` the engine calls ``Analyze`` for each resource as its step runs, not after
the program. ``tvt plan`` over gRPC does the same: :func:`analyze_ahead` spawns the pack; a worker
thread waits for it to listen and configures it with the requests
:func:`scripts.engine.evaluate.evaluate` builds (``GetAnalyzerInfo``, ``Configure``,
``ConfigureStack``) and sends what registered meanwhile; from then on the capture sends
``Analyze`` for each resource as it registers, built from the resource as the plan will record it,
without waiting for the answer (the engine too calls ``Analyze`` concurrently; the pack's rules are
tested for it). :meth:`Ahead.finish` collects the answers. Once the plan is built,
:meth:`Ahead.analyze_stack_now` sends its ``AnalyzeStack`` (after every ``Analyze``, as the engine
does), and the pack runs the stack rules while this process works out levels and checks answers.
The finished plan is then evaluated by :func:`scripts.engine.evaluate.evaluate` as always, through
:attr:`Ahead.analyzer`: it answers an ``Analyze`` or the ``AnalyzeStack`` from what was given ahead
only when that request, and the ``Configure`` and ``ConfigureStack`` before it, are byte for byte
the ones sent ahead (a configuration the pack already has is not sent twice); any other call goes
to the pack. So the findings are those of the plan itself, however the stream went
(``tests/scripts/engine/test_ahead.py`` compares every output with an evaluation that never
streamed).

In-process evaluation gains nothing from this (one interpreter, one core), so it never streams.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pulumi.runtime.proto import analyzer_pb2

from policies.catalog import PROVIDER_PREFIX
from scripts.engine.analyzer import (
    Analyzer,
    GrpcAnalyzer,
    PackEnded,
    PackProcess,
    PendingAnswer,
    pack_process,
)
from scripts.engine.capture import Capture, CapturedResource
from scripts.engine.errors import PreviewError
from scripts.engine.evaluate import Providers, Requests, analyze_request, stack_configure_request
from scripts.engine.export import DefaultProvider, default_provider, normalize, redact_paths, source_position
from scripts.engine.plan import Plan, PlanResource
from scripts.engine.policy_config import configure_request, load_policy_config, pack_info

_T = TypeVar("_T")
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


def _ended(error: BaseException | None) -> PackEnded | None:
    """``error`` if the pack's process did not survive the call; a call it answered with an error
    and lived on is not what a later failure ended in."""
    return error if isinstance(error, PackEnded) else None


def _bytes(request: Any) -> bytes:
    return bytes(request.SerializeToString(deterministic=True))


class Ahead:
    """The ``Analyze`` answers given while the program ran, keyed by URN with the exact request."""

    # How a request is serialised to compare it with the one sent ahead: once analyze_stack_now has
    # the plan's Requests, by them (each request once, for both comparisons).
    _serialized: Callable[[Any], bytes] = staticmethod(_bytes)

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
        self.stack_hit = False  # whether its AnalyzeStack was too
        self._capture = Capture(stack=stack, project=project)  # default providers' URNs need both
        self._config = config
        # Absolute now: the worker reads it once the pack listens, by when the program (on the
        # main thread) runs in its project directory, and a relative path would name nothing.
        self._config_path = config_path.resolve() if config_path is not None else None
        self._providers: dict[tuple[str, str], DefaultProvider] = {}
        self._known: dict[str, PlanResource] = {}  # providers by URN, as provider_of looks them up
        self._answers: dict[str, tuple[bytes, analyzer_pb2.AnalyzeResponse]] = {}
        self._configured: list[bytes] = []  # the Configure and ConfigureStack sent ahead
        self._queue: queue.SimpleQueue[CapturedResource] = queue.SimpleQueue()  # until the pack listens
        self._lock = threading.Lock()  # submit against the worker's hand-over to direct sending
        self._direct = False  # resources are sent as they register (the pack listens, configured)
        self._plan = Plan("(ahead)", stack, project, "", (), self._known)
        self._provider_messages = Providers(self._plan)  # a provider is known before its first resource
        self._pending: list[tuple[str, bytes, PendingAnswer]] = []
        self._stack: tuple[bytes, PendingAnswer] | None = None  # AnalyzeStack sent by analyze_stack_now
        self._failed = False
        self.start_error: PreviewError | None = None  # why the pack never listened, if it did not
        self.info: analyzer_pb2.AnalyzerInfo | None = None  # GetAnalyzerInfo's answer, asked once
        # The first call sent ahead that the pack's process did not survive, if any.
        self.failure: PackEnded | None = None
        self._cancelled = threading.Event()
        self._worker = threading.Thread(target=self._work, name="tvt-analyze-ahead", daemon=True)
        self._worker.start()

    def submit(self, resource: CapturedResource) -> None:
        """Send ``Analyze`` for ``resource`` now, or queue it until the pack listens (called by the
        capture as it registers, on the thread the monitor is called on; it never raises into it)."""
        with self._lock:
            if self._direct:
                self._send(resource)
            else:
                self._queue.put(resource)

    def _send(self, resource: CapturedResource) -> None:
        """Build and send one request (under the lock, on whichever thread has the resource).

        Sending from the registering thread is what keeps the stream level with the program: a
        separate thread had to win the interpreter back for every request, and only kept up when
        the interpreter switched threads every 0.1 ms, which cost the program about a fifth."""
        if self._failed or self.pack is None:
            return
        try:
            ref = self._provider_ref(resource)
            request = analyze_request(_plan_resource(resource, ref), self._plan, self._provider_messages)
            self._pending.append((resource.urn, _bytes(request), self.pack.analyze_later(request)))
        except Exception:  # noqa: BLE001  (never into the SDK's thread: evaluate sends it again)
            self._failed = True

    def finish(self, *, cancel: bool = False) -> None:
        """Wait for every answer to what was sent; ``cancel`` (the run failed): stop waiting for the
        pack, drop what is still queued, and give the worker a moment, no more."""
        if cancel:
            self._failed = True
            self._cancelled.set()
        self._worker.join(timeout=_CANCEL_WAIT_S if cancel else None)
        with self._lock:
            self._direct, self._failed = True, self._failed or self._worker.is_alive()
            pending, self._pending = self._pending, []
        if self._failed:
            self.drop_stack(cancel=cancel)
        for urn, request, answer in pending:
            if self._failed:
                answer.settle()  # nothing of this stream still runs in the pack when it is reused
                continue
            try:
                self._answers[urn] = (request, answer.answer())
            except PreviewError as error:
                self._failed = True
                self._ended_in(error)
                answer.settle()

    def analyze_stack_now(self, requests: Requests) -> None:
        """Send ``AnalyzeStack`` for the finished plan at the point the engine would: once the
        pack has answered the final ``Analyze`` of every resource (it judges the stack by the inputs
        each resource's last ``Analyze`` carried). So every request of the plan is built, and any
        not answered ahead byte for byte (the stack, its default provider, anything that changed
        since it registered) is sent and answered first; the pack then runs the stack rules while
        this process works out levels and checks each answer it reuses."""
        self.finish()
        if self._failed or self.pack is None:
            return
        self._serialized = requests.serialized  # the evaluation asks with these same requests
        missing: list[tuple[str, bytes, PendingAnswer]] = []
        try:
            for resource in requests.plan.resources:
                request = requests.analyze(resource)
                sent, found = requests.serialized(request), self._answers.get(resource.urn)
                if found is None or found[0] != sent:
                    missing.append((resource.urn, sent, self.pack.analyze_later(request)))
            for urn, sent, answer in missing:
                self._answers[urn] = (sent, answer.answer())
            request = requests.stack()
            self._stack = (requests.serialized(request), self.pack.analyze_stack_later(request))
        except Exception as error:  # noqa: BLE001  (evaluate sends every call again, and reports what breaks)
            self._failed = True
            self._ended_in(error)
            for _, _, answer in missing:
                answer.settle()

    def drop_stack(self, *, cancel: bool = False) -> None:
        """Forget the ``AnalyzeStack`` sent early, once the pack is done with it (``cancel``: the run
        failed, so stop waiting for it at once)."""
        early, self._stack = self._stack, None
        if early is not None:
            if cancel:
                early[1].cancel()
            else:
                early[1].settle()
                self._ended_in(early[1].failure())

    def earlier_failure(self) -> PreviewError | None:
        """The first call sent ahead that failed (the early ``AnalyzeStack`` too, once it is over):
        when the pack is gone by the evaluation's next call, that call is what ended it."""
        if self.failure is None and self._stack is not None:
            return _ended(self._stack[1].failure())
        return self.failure

    def _ended_in(self, error: BaseException | None) -> None:
        """Remember ``error`` if it is the first call sent ahead that the pack did not survive."""
        self.failure = self.failure or _ended(error)

    def stack_answer(self, request: analyzer_pb2.AnalyzeStackRequest, configured: list[bytes]) -> Any:
        """The answer to the ``AnalyzeStack`` sent early, if it was exactly ``request`` after exactly
        the configuration ``configured`` and every ``Analyze`` since was answered from here; None:
        ask the pack. If the early call failed, that is the failure: it was the same call."""
        early = self._stack
        if early is None:
            return None
        if self._failed or configured != self._configured or early[0] != self._serialized(request):
            self.drop_stack()
            return None
        self._stack = None
        answered = early[1].answer()  # a PreviewError is what asking again would raise
        self.stack_hit = True
        return answered

    def configured_with(self, configured: list[bytes]) -> bool:
        """Whether ``configured`` (Configure, then ConfigureStack) is how the pack was configured ahead."""
        return not self._failed and configured == self._configured[: len(configured)]

    def answer(self, request: analyzer_pb2.AnalyzeRequest, configured: list[bytes]) -> Any:
        """The answer given ahead to exactly ``request``, after exactly the configuration ``configured``."""
        found = self._answers.get(request.urn)
        if (
            self._failed
            or configured != self._configured
            or found is None
            or found[0] != self._serialized(request)
        ):
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
        finally:
            with self._lock:
                self._direct = True  # from now on submit sends (or, failed, drops): nothing queues

    def _stream(self) -> None:
        try:
            pack = self.pack = self._process.connect(cancelled=self._cancelled)
        except PreviewError as error:
            self.start_error = error
            self._failed = True
            return
        try:  # as evaluate configures the pack
            self.info = pack.get_info()
            configure = configure_request(load_policy_config(self._config_path, pack_info(self.info)))
            pack.configure(configure)
            configure_stack = stack_configure_request(self._plan, self._config)
            pack.configure_stack(configure_stack)
            self._configured = [_bytes(configure), _bytes(configure_stack)]
        except PreviewError as error:
            self._failed = True  # evaluate meets the same error and reports it
            self._ended_in(error)
            return
        # What registered while the pack started is sent now; then submit sends as they come.
        with self._lock:
            while not self._queue.empty():
                self._send(self._queue.get_nowait())
            self._direct = True


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

    def _ask(self, call: Callable[[], _T]) -> _T:
        """One call to the pack. If it fails because the pack is gone and a call sent ahead had
        failed first, that one is reported: it is the call the pack ended in."""
        try:
            return call()
        except PreviewError as error:
            earlier = self._ahead.earlier_failure()
            if earlier is None or earlier is error or not self._pack.exited:
                raise
            raise earlier from None

    def get_info(self) -> analyzer_pb2.AnalyzerInfo:
        # The pack's metadata, as it answered ahead: the engine too asks a pack once.
        return self._ahead.info if self._ahead.info is not None else self._ask(self._pack.get_info)

    # A configuration the pack already has, byte for byte, is not sent again: the pack may be
    # working on the AnalyzeStack sent early, and is configured as the engine would leave it.
    # Any other is sent, once that AnalyzeStack is over (its answer is then not used).

    def configure(self, request: analyzer_pb2.ConfigureAnalyzerRequest) -> None:
        sent = _bytes(request)
        self._configured = [sent]
        if not self._ahead.configured_with(self._configured):
            self._ahead.drop_stack()
            self._ask(lambda: self._pack.configure(request))

    def configure_stack(self, request: analyzer_pb2.AnalyzerStackConfigureRequest) -> None:
        sent = _bytes(request)
        self._configured = [*self._configured[:1], sent]
        if not self._ahead.configured_with(self._configured):
            self._ahead.drop_stack()
            self._ask(lambda: self._pack.configure_stack(request))

    def analyze(self, request: analyzer_pb2.AnalyzeRequest) -> analyzer_pb2.AnalyzeResponse:
        answered: analyzer_pb2.AnalyzeResponse | None = self._ahead.answer(request, self._configured)
        if answered is not None:
            return answered
        # This Analyze reaches the pack after the AnalyzeStack sent early, which then judged the
        # stack without it: that answer is not the engine's, so AnalyzeStack is asked again later.
        self._ahead.drop_stack()
        return self._ask(lambda: self._pack.analyze(request))

    def analyze_stack(self, request: analyzer_pb2.AnalyzeStackRequest) -> analyzer_pb2.AnalyzeResponse:
        answered: analyzer_pb2.AnalyzeResponse | None = self._ahead.stack_answer(request, self._configured)
        return answered if answered is not None else self._ask(lambda: self._pack.analyze_stack(request))


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
        ahead = Ahead(process, stack=stack, project=project, config=config, config_path=config_path)
        try:
            yield ahead
        except BaseException:
            ahead.finish(cancel=True)  # no plan: nothing will read the answers
            raise
        ahead.finish()
