"""Talk to a CrossGuard policy pack the way the Pulumi engine does: through the analyzer protocol.

Two transports behind one interface (:class:`Analyzer`):

- ``grpc``: spawn the pack as the engine does (``python -m pulumi.policy <engine> <packdir>``), read
  the port it prints on stdout, and call it through ``AnalyzerStub``. This is the faithful path: the
  pack runs in its own process with its own imports, exactly as under ``pulumi preview``.
- ``inprocess`` (the default, :data:`DEFAULT_TRANSPORT`): import ``<packdir>/pack.py`` and call
  the servicer from its ``make_analyzer()`` with the same protobuf request objects. Less work:
  one interpreter, no serialisation between two processes.

Either way a failure of the pack (it will not start, an RPC fails) is a :class:`PreviewError`, with
what the pack wrote on stderr, never a traceback.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import grpc
from google.protobuf import empty_pb2, message_factory
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from scripts.engine.errors import STOPS, PreviewError

TRANSPORTS = ("grpc", "inprocess")
_ANALYZER = analyzer_pb2.DESCRIPTOR.services_by_name["Analyzer"]
# Each method's answer: the generated message class (an instance of it, not merely its DESCRIPTOR).
_ANSWERS = {m.name: message_factory.GetMessageClass(m.output_type) for m in _ANALYZER.methods}
# In-process by default: the same servicer gets the same requests, and the suite holds both
# transports to the same answers (tests/policies/test_pack_identity.py, test_ahead.py). Measured
# interleaved on a 3,015-resource estate, five rounds: in-process 8.7-13.7 s against 9.7-17.2 s
# over gRPC with the stream, with about 35% less CPU (no second interpreter, no protobuf over a
# socket); level at the prod stack's size (docs/performance.md, eighth round).
DEFAULT_TRANSPORT = "inprocess"
STARTUP_TIMEOUT_S = 60.0
# No call to the pack may wait for ever: a pack that accepted a request and never answers is a
# failure (exit 2), not a hung CI job. A whole AnalyzeStack of a large estate takes seconds.
CALL_TIMEOUT_S = 600.0
_EXIT_WAIT_S = 2.0  # how long a dropped connection waits for the pack's exit code
# The pack's own server accepts 400 MB messages (pulumi_policy); a whole stack goes in one request.
_MAX_MESSAGE = 400 * 1024 * 1024
_CHANNEL_OPTIONS = [
    ("grpc.max_send_message_length", _MAX_MESSAGE),
    ("grpc.max_receive_message_length", _MAX_MESSAGE),
]


class Analyzer(Protocol):
    """The calls the engine makes on an analyzer plugin, in the order it makes them."""

    name: str

    def get_info(self) -> analyzer_pb2.AnalyzerInfo: ...

    def configure(self, request: analyzer_pb2.ConfigureAnalyzerRequest) -> None: ...

    def configure_stack(self, request: analyzer_pb2.AnalyzerStackConfigureRequest) -> None: ...

    def analyze(self, request: analyzer_pb2.AnalyzeRequest) -> analyzer_pb2.AnalyzeResponse: ...

    def analyze_stack(self, request: analyzer_pb2.AnalyzeStackRequest) -> analyzer_pb2.AnalyzeResponse: ...


class _Calls:
    """The analyzer calls, each through ``_call``: the one place a transport reports a failure."""

    name: str

    def _call(self, method: str, request: Any) -> Any:
        raise NotImplementedError

    def get_info(self) -> analyzer_pb2.AnalyzerInfo:
        info: analyzer_pb2.AnalyzerInfo = self._call("GetAnalyzerInfo", empty_pb2.Empty())
        return info

    def configure(self, request: analyzer_pb2.ConfigureAnalyzerRequest) -> None:
        self._call("Configure", request)

    def analyze(self, request: analyzer_pb2.AnalyzeRequest) -> analyzer_pb2.AnalyzeResponse:
        response: analyzer_pb2.AnalyzeResponse = self._call("Analyze", request)
        return response

    def analyze_stack(self, request: analyzer_pb2.AnalyzeStackRequest) -> analyzer_pb2.AnalyzeResponse:
        response: analyzer_pb2.AnalyzeResponse = self._call("AnalyzeStack", request)
        return response


@contextmanager
def _reported(what: str) -> Iterator[None]:
    """A failure of the pack's own code in this process as a :class:`PreviewError` naming ``what``.

    ``SystemExit`` too (``sys.exit()``, ``exit()`` in a pack): it would otherwise end tvt with the
    pack's code, 0 with no verdict and nothing written, where over gRPC the same pack is a process
    that ended, an error. So is any other ``BaseException`` (``GeneratorExit``, a pack's own
    subclass), which would otherwise end tvt with Python's traceback and exit 1, the code of a
    mandatory finding. Ctrl-C and SIGTERM still stop the run (a pack that raises
    ``KeyboardInterrupt`` itself is taken for Ctrl-C: exit 130, never a verdict). A pack that calls
    ``os._exit`` ends this process and cannot be caught: ``--analyzer grpc`` isolates it.

    What the pack prints goes to stderr meanwhile: stdout is tvt's own (``tvt check --format json``
    prints findings.json there), where over gRPC the pack's stdout is its own process's."""
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    except STOPS:
        raise
    except SystemExit as stop:
        raise PreviewError(
            f"{what} tried to end the process (SystemExit {stop.code!r}); a pack must answer, not "
            "exit, so there is no verdict"
        ) from None
    except BaseException as error:  # noqa: BLE001  (a pack bug is reported, not a traceback)
        raise PreviewError(f"{what} failed: {type(error).__name__}: {_said(error)}") from None


def _said(error: BaseException, limit: int = 2000) -> str:
    """What ``error`` says, at most ``limit`` characters, even when its own ``__str__`` fails."""
    try:
        text = str(error)
    except STOPS:
        raise
    except BaseException:  # noqa: BLE001  (a pack's exception that cannot say what it is)
        return "(its message could not be read)"
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text) - limit} more characters)"


def pack_directory(packdir: Path) -> Path:
    """``packdir`` resolved, if it is a policy pack as the engine runs one (its ``__main__.py``)."""
    resolved = packdir.resolve()
    if not (resolved / "__main__.py").is_file():
        raise PreviewError(f"{resolved}: not a policy pack (expected __main__.py and PulumiPolicy.yaml)")
    return resolved


class InProcessAnalyzer(_Calls):
    """Calls a ``_PolicyAnalyzerServicer`` directly, with the protobuf messages the engine would send."""

    def __init__(self, servicer: Any, name: str) -> None:
        self.servicer = servicer
        self.name = name

    def _call(self, method: str, request: Any) -> Any:
        with _reported(f"policy pack {self.name}: {method}"):
            answer = getattr(self.servicer, method)(request, None)
        # Over gRPC an answer that is not a message fails to serialise; here nothing would stop it
        # (an AnalyzeResponse-shaped object with no diagnostics would read as a pass), so the
        # answer must be the protocol's own message for the method.
        expected = _ANSWERS[method]
        if not isinstance(answer, expected):
            raise PreviewError(
                f"policy pack {self.name}: {method} answered {type(answer).__name__}, not the analyzer "
                f"protocol's {expected.DESCRIPTOR.full_name}"
            )
        return answer

    def configure_stack(self, request: analyzer_pb2.AnalyzerStackConfigureRequest) -> None:
        # Older servicers do not implement it (or do not have it at all, a servicer that is not an
        # AnalyzerServicer); the engine then carries on, and so do we.
        method = getattr(self.servicer, "ConfigureStack", None)
        unimplemented = analyzer_pb2_grpc.AnalyzerServicer.ConfigureStack
        if method is not None and getattr(method, "__func__", None) is not unimplemented:
            self._call("ConfigureStack", request)


class PackEnded(PreviewError):
    """A call the pack's process did not survive: the connection dropped, or the process had exited.
    (A call the pack answered with an error, and lived on, is a plain :class:`PreviewError`.)"""


class GrpcAnalyzer(_Calls):
    """Calls a pack served in another process through ``AnalyzerStub``."""

    def __init__(
        self,
        stub: Any,
        name: str,
        stderr: Callable[[], str],
        pid: int,
        exit_code: Callable[[float], int | None] = lambda wait: None,
    ) -> None:
        self.stub = stub
        self.name = name
        self.pid = pid  # the pack's process, ended when the ``grpc_analyzer`` block ends
        self._stderr = stderr
        self._exit_code = exit_code  # the pack's exit code once it has exited (waiting up to so long)

    @property
    def exited(self) -> bool:
        """Whether the pack's process has ended."""
        return self._exit_code(_EXIT_WAIT_S) is not None

    def _call(self, method: str, request: Any) -> Any:
        try:
            return getattr(self.stub, method)(request, timeout=CALL_TIMEOUT_S)
        except grpc.RpcError as error:
            raise self._failure(method, error) from None

    def _failure(self, method: str, error: grpc.RpcError) -> PreviewError:
        detail = error.details() if hasattr(error, "details") else str(error)
        # A connection the pack dropped is usually the pack ending: wait a moment for its exit code.
        gone = hasattr(error, "code") and error.code() == grpc.StatusCode.UNAVAILABLE
        code = self._exit_code(_EXIT_WAIT_S if gone else 0.0)
        if code is not None:
            detail += f" (the policy pack's process exited with code {code})"
        tail = _tail(self._stderr())
        kind = PackEnded if gone or code is not None else PreviewError
        return kind(
            f"policy pack {self.name}: {method} failed over gRPC: {detail}" + (f"\n{tail}" if tail else "")
        )

    def analyze_later(self, request: analyzer_pb2.AnalyzeRequest) -> PendingAnswer:
        """Send ``Analyze`` now and return its answer to come (as :meth:`analyze` would give it), so
        the next requests can be on their way while the pack works on this one."""
        return PendingAnswer(self, self.stub.Analyze.future(request, timeout=CALL_TIMEOUT_S), "Analyze")

    def analyze_stack_later(self, request: analyzer_pb2.AnalyzeStackRequest) -> PendingAnswer:
        """Send ``AnalyzeStack`` now and return its answer to come, as :meth:`analyze_later`."""
        future = self.stub.AnalyzeStack.future(request, timeout=CALL_TIMEOUT_S)
        return PendingAnswer(self, future, "AnalyzeStack")

    def configure_stack(self, request: analyzer_pb2.AnalyzerStackConfigureRequest) -> None:
        try:
            self.stub.ConfigureStack(request, timeout=CALL_TIMEOUT_S)
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.UNIMPLEMENTED:  # older packs: carry on, as the engine does
                self._call("ConfigureStack", request)


class PendingAnswer:
    """An ``Analyze`` (or ``AnalyzeStack``) sent by :meth:`GrpcAnalyzer.analyze_later` and not yet read."""

    def __init__(self, analyzer: GrpcAnalyzer, future: Any, method: str) -> None:
        self._analyzer = analyzer
        self._future = future
        self._method = method

    def ready(self) -> bool:
        return bool(self._future.done())

    def cancel(self) -> None:
        """Stop waiting: the call is cancelled (the pack may still finish it); the answer is dropped."""
        self._future.cancel()

    def failure(self) -> PreviewError | None:
        """How the call failed, if it is over and failed (as :meth:`answer` would raise it); else None."""
        if not self._future.done() or self._future.cancelled():
            return None
        error = self._future.exception()
        return self._analyzer._failure(self._method, error) if isinstance(error, grpc.RpcError) else None

    def settle(self) -> None:
        """Wait until the call is over (answered, failed or past its deadline); the answer is dropped."""
        with contextlib.suppress(Exception):
            self._future.exception()

    def answer(self) -> analyzer_pb2.AnalyzeResponse:
        """The response (waiting for it), or PreviewError as :meth:`GrpcAnalyzer.analyze` raises."""
        try:
            response: analyzer_pb2.AnalyzeResponse = self._future.result()
        except grpc.RpcError as error:
            raise self._analyzer._failure(self._method, error) from None
        return response


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _drain(stream: Any, sink: list[bytes], first_line: queue.Queue[bytes] | None) -> None:
    """Read a child's pipe to the end so it never blocks on a full pipe; hand over the first line."""
    for i, line in enumerate(iter(stream.readline, b"")):
        if i == 0 and first_line is not None:
            first_line.put(line)
        else:
            sink.append(line)
    if first_line is not None:
        first_line.put(b"")  # EOF before a port: the pack died


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class PackProcess:
    """A pack served as the engine serves it (``python -u -m pulumi.policy 127.0.0.1:0 <packdir>``).

    Starting it only spawns the process; :meth:`connect` waits for the port it prints and returns
    a client, so a caller can do other work while the pack imports (about half a second)."""

    def __init__(self, packdir: Path) -> None:
        self.packdir = pack_directory(packdir)
        command = [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:0", str(self.packdir)]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            command, cwd=self.packdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self._out: list[bytes] = []
        self._err: list[bytes] = []
        self._port_line: queue.Queue[bytes] = queue.Queue()
        self._readers = [
            threading.Thread(
                target=_drain, args=(self.process.stdout, self._out, self._port_line), daemon=True
            ),
            threading.Thread(target=_drain, args=(self.process.stderr, self._err, None), daemon=True),
        ]
        for reader in self._readers:
            reader.start()
        self._channel: grpc.Channel | None = None
        _STARTED.add(self)

    def stderr(self) -> str:
        return b"".join(self._err).decode(errors="replace")

    def connect(self, timeout: float | None = None, cancelled: threading.Event | None = None) -> GrpcAnalyzer:
        """Wait for the pack's port (``timeout``: :data:`STARTUP_TIMEOUT_S`) and return a client;
        PreviewError if it does not start, or if ``cancelled`` is set first (the run has failed)."""
        timeout = STARTUP_TIMEOUT_S if timeout is None else timeout
        deadline = time.monotonic() + timeout
        line: bytes | None = None
        while line is None:
            if cancelled is not None and cancelled.is_set():
                raise PreviewError(f"policy pack {self.packdir}: not waited for (the run stopped)")
            left = deadline - time.monotonic()
            if left <= 0:
                raise PreviewError(f"policy pack {self.packdir}: printed no port within {timeout:.0f}s")
            try:
                line = self._port_line.get(timeout=min(left, 0.1))
            except queue.Empty:
                continue
        if not line.strip().isdigit():
            if not line:  # the pack exited: let the stderr reader collect why
                self._readers[1].join(timeout=5)
            got = repr(line.decode(errors="replace").strip()) if line else "nothing: it exited"
            raise PreviewError(
                f"policy pack {self.packdir} failed to start (expected its port on stdout, got {got})"
                + (f"\n{_tail(self.stderr())}" if self.stderr().strip() else "")
            )
        self._channel = grpc.insecure_channel(f"127.0.0.1:{int(line)}", options=_CHANNEL_OPTIONS)
        stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        return GrpcAnalyzer(stub, str(self.packdir), self.stderr, self.process.pid, self.exit_code)

    def exit_code(self, wait: float = 0.0) -> int | None:
        """The pack's exit code, waiting up to ``wait`` seconds for it to exit; None while it runs."""
        try:
            return self.process.wait(timeout=wait) if wait > 0 else self.process.poll()
        except subprocess.TimeoutExpired:
            return None

    def close(self) -> None:
        """End the pack (always, started or not) and the threads reading its output."""
        _STARTED.discard(self)
        if self._channel is not None:
            self._channel.close()
        _stop(self.process)
        for reader in self._readers:
            reader.join(timeout=5)


_STARTED: set[PackProcess] = set()  # packs of this process not yet closed


def stop_started_packs() -> None:
    """End the process of every pack started and not yet closed (the process is about to exit
    without unwinding the blocks that would close them)."""
    for pack in list(_STARTED):
        _stop(pack.process)


@contextmanager
def pack_process(packdir: Path) -> Iterator[PackProcess]:
    """A started :class:`PackProcess` that always ends with the block."""
    pack = PackProcess(packdir)
    try:
        yield pack
    finally:
        pack.close()


@contextmanager
def grpc_analyzer(packdir: Path, timeout: float | None = None) -> Iterator[GrpcAnalyzer]:
    """Serve ``packdir`` as the engine does and yield a client; the child always ends with the block."""
    with pack_process(packdir) as pack:
        yield pack.connect(timeout)


def load_servicer(packdir: Path) -> Any:
    """``make_analyzer()`` from ``<packdir>/pack.py``, imported as ``<packdir name>.pack``."""
    packdir = pack_directory(packdir)
    parent = str(packdir.parent)
    module_name = f"{packdir.name}.pack"
    if parent not in sys.path:
        sys.path.insert(0, parent)
    with _reported(f"policy pack {packdir}: importing {module_name}"):
        module = importlib.import_module(module_name)
    origin = Path(getattr(module, "__file__", "") or "").resolve()
    if origin.parent != packdir.resolve():
        # One interpreter holds one package of a name: the pack's own imports would be the other's.
        raise PreviewError(
            f"policy pack {packdir}: --analyzer inprocess cannot load it: this process already has "
            f"{module_name} from {origin.parent} (another copy of the pack); run it in its own process "
            "with --analyzer grpc, or run the tvt of the copy that holds the pack"
        )
    factory = getattr(module, "make_analyzer", None)
    if not callable(factory):
        raise PreviewError(
            f"{packdir / 'pack.py'}: make_analyzer: expected a function returning the servicer"
        )
    with _reported(f"{packdir / 'pack.py'}: make_analyzer()"):
        return factory()


@contextmanager
def open_analyzer(transport: str, packdir: Path) -> Iterator[Analyzer]:
    """The analyzer for ``packdir`` over ``transport`` (``grpc`` or ``inprocess``)."""
    if transport == "grpc":
        with grpc_analyzer(packdir) as analyzer:
            yield analyzer
    elif transport == "inprocess":
        yield InProcessAnalyzer(load_servicer(packdir), str(packdir))
    else:
        raise PreviewError(f"--analyzer: expected one of {', '.join(TRANSPORTS)}, got {transport!r}")
