"""The transports to the pack: over gRPC it runs in its own process, which always ends; in-process
it is imported; either way a failure of the pack is an exit-2 error, never a verdict."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from preview_helpers import PACK
from pulumi.runtime.proto import analyzer_pb2

from scripts.engine.analyzer import InProcessAnalyzer, grpc_analyzer, load_servicer
from scripts.engine.errors import PreviewError
from scripts.engine.policy_config import pack_info


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not Path(f"/proc/{pid}/status").read_text().count("State:\tZ")


def test_pack_process_ends_with_the_block_even_on_error() -> None:
    with pytest.raises(RuntimeError, match="boom"), grpc_analyzer(PACK) as analyzer:
        pid = analyzer.pid
        assert pack_info(analyzer.get_info()).name == "tvt-fixture"
        assert _alive(pid)
        raise RuntimeError("boom")
    assert not _alive(pid), "the pack's process must not outlive the analyzer"


def test_pack_that_cannot_start_is_reported_with_its_stderr(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack / "__main__.py").write_text("import no_such_module_for_the_pack\n")
    with pytest.raises(PreviewError) as caught, grpc_analyzer(pack):
        pass
    message = str(caught.value)
    assert (
        f"policy pack {pack} failed to start (expected its port on stdout, got nothing: it exited)" in message
    )
    assert "No module named 'no_such_module_for_the_pack'" in message


def test_directory_without_a_pack_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(PreviewError, match="not a policy pack"), grpc_analyzer(tmp_path):
        pass


def test_another_copy_of_the_loaded_pack_is_refused_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--analyzer inprocess`` on another checkout's ``policies``: this interpreter already holds a
    ``policies`` package, so the copy's own imports would be ours. Refused (exit 2), naming both and
    the way that works, never evaluated with a mix of the two."""
    import policies.pack  # the tool's own pack, as the CLI has it loaded

    monkeypatch.setattr(sys, "path", list(sys.path))  # load_servicer puts the copy's parent first
    copy = tmp_path / "policies"
    shutil.copytree(Path(policies.pack.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    with pytest.raises(PreviewError) as caught:
        load_servicer(copy)
    message = str(caught.value)
    assert f"policy pack {copy}: --analyzer inprocess cannot load it" in message
    assert str(Path(policies.pack.__file__).parent) in message and "--analyzer grpc" in message


def _pack(root: Path, name: str, pack_py: str) -> Path:
    """A pack directory named ``name`` whose ``pack.py`` is ``pack_py``."""
    pack = root / name
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack / "__main__.py").write_text("")
    (pack / "pack.py").write_text(pack_py)
    return pack


@pytest.mark.parametrize(
    ("name", "pack_py", "where"),
    [
        ("exits_on_import", "import sys\nsys.exit(0)\n", "importing exits_on_import.pack"),
        ("exits_in_factory", "def make_analyzer():\n    exit(1)\n", "make_analyzer()"),
    ],
)
def test_a_pack_that_exits_in_process_is_an_error_not_a_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, pack_py: str, where: str
) -> None:
    """In-process, ``sys.exit()`` in a pack would end tvt with the pack's code (0: a pass with no
    verdict; 1: a mandatory finding that was never found). It is a PreviewError (exit 2) instead,
    as the same pack's ended process is over gRPC."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setattr(sys, "modules", dict(sys.modules))
    with pytest.raises(PreviewError) as caught:
        load_servicer(_pack(tmp_path, name, pack_py))
    assert where in str(caught.value) and "tried to end the process (SystemExit" in str(caught.value)


def _one_method_pack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, method: str, body: str
) -> InProcessAnalyzer:
    """An in-process analyzer over a pack whose servicer has only ``method``, doing ``body``."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setattr(sys, "modules", dict(sys.modules))
    pack_py = (
        "from pulumi.runtime.proto import analyzer_pb2\n"
        "class Servicer:\n"
        f"    def {method}(self, request, context):\n"
        f"        {body}\n"
        "def make_analyzer():\n"
        "    return Servicer()\n"
    )
    return InProcessAnalyzer(load_servicer(_pack(tmp_path, f"only_{method.lower()}", pack_py)), "one")


def test_a_call_that_exits_in_process_is_an_error_not_a_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    analyzer = _one_method_pack(tmp_path, monkeypatch, "GetAnalyzerInfo", "raise SystemExit(1)")
    with pytest.raises(PreviewError, match=r"policy pack one: GetAnalyzerInfo tried to end the process"):
        analyzer.get_info()


def test_in_process_needs_a_pack_directory_too(tmp_path: Path) -> None:
    with pytest.raises(PreviewError, match="not a policy pack"):
        load_servicer(tmp_path)


@pytest.mark.parametrize(
    "answer",
    [
        "None",
        "analyzer_pb2.AnalyzerInfo()",
        "type('R', (), {'diagnostics': []})()",
        # the protocol's DESCRIPTOR borrowed: a look-alike still, whose diagnostics are not messages
        "type('R', (), {'DESCRIPTOR': analyzer_pb2.AnalyzeResponse.DESCRIPTOR, 'diagnostics': ['x']})()",
    ],
)
def test_an_in_process_answer_must_be_the_protocols_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: str
) -> None:
    """Not a verdict: an answer of the wrong type (nothing to serialise over gRPC; here, an object
    with no diagnostics would read as a pass) is an exit-2 error naming the method."""
    analyzer = _one_method_pack(tmp_path, monkeypatch, "Analyze", f"return {answer}")
    with pytest.raises(
        PreviewError, match=r"policy pack one: Analyze answered \w+, not the analyzer protocol's "
    ):
        analyzer.analyze(analyzer_pb2.AnalyzeRequest())


@pytest.mark.parametrize(
    ("body", "raised"),
    [
        ("raise GeneratorExit('a stray generator')", "GeneratorExit: a stray generator"),
        ("raise type('PackStop', (BaseException,), {})('its own')", "PackStop: its own"),
    ],
)
def test_a_base_exception_from_an_in_process_call_is_an_error_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, raised: str
) -> None:
    """Not an ``Exception``, so it would pass every handler and end tvt with Python's traceback and
    exit 1, the code of a mandatory finding; it is an exit-2 error naming the method instead."""
    analyzer = _one_method_pack(tmp_path, monkeypatch, "Analyze", body)
    with pytest.raises(PreviewError, match=rf"policy pack one: Analyze failed: {raised}"):
        analyzer.analyze(analyzer_pb2.AnalyzeRequest())


@pytest.mark.parametrize("stop", ["KeyboardInterrupt()", "__import__('scripts.cli').cli.Terminated(15)"])
def test_a_stop_during_an_in_process_call_still_stops_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop: str
) -> None:
    """Ctrl-C or SIGTERM arriving while the pack runs (the signal handlers raise them in whatever
    code is running) is not the pack's failure: it passes through, for ``tvt`` to exit 130 or 143."""
    from scripts.cli import Terminated

    analyzer = _one_method_pack(tmp_path, monkeypatch, "Analyze", f"raise {stop}")
    with pytest.raises((KeyboardInterrupt, Terminated)) as caught:
        analyzer.analyze(analyzer_pb2.AnalyzeRequest())
    assert not isinstance(caught.value, PreviewError)


def test_an_exception_that_cannot_say_what_it_is_is_still_an_error_naming_the_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = "raise type('Mute', (RuntimeError,), {'__str__': lambda self: 1 / 0})()"
    analyzer = _one_method_pack(tmp_path, monkeypatch, "Analyze", body)
    with pytest.raises(PreviewError, match=r"Analyze failed: Mute: \(its message could not be read\)"):
        analyzer.analyze(analyzer_pb2.AnalyzeRequest())


def test_a_pack_exception_message_is_cut_short(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    analyzer = _one_method_pack(tmp_path, monkeypatch, "Analyze", "raise RuntimeError('x' * 1_000_000)")
    with pytest.raises(PreviewError) as caught:
        analyzer.analyze(analyzer_pb2.AnalyzeRequest())
    assert len(str(caught.value)) < 2200 and str(caught.value).endswith("(998000 more characters)")


@pytest.mark.parametrize("has_it", [False, True])
def test_a_servicer_that_is_not_an_analyzer_servicer_may_lack_configure_stack(has_it: bool) -> None:
    """A duck-typed servicer (a wrapper of the real one, or a pack with only some methods): without
    ``ConfigureStack`` it is skipped, as for an older servicer; with it, it is called."""
    called: list[object] = []

    class Duck:
        pass

    duck = Duck()
    if has_it:
        duck.ConfigureStack = lambda request, context: (
            called.append(request) or analyzer_pb2.AnalyzerStackConfigureResponse()
        )  # type: ignore[attr-defined]
    InProcessAnalyzer(duck, "duck").configure_stack(analyzer_pb2.AnalyzerStackConfigureRequest(stack="s"))
    assert len(called) == int(has_it)


def test_what_an_in_process_pack_prints_goes_to_stderr_not_tvts_stdout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``tvt check --format json`` prints findings.json on stdout: a pack's print would corrupt it."""
    analyzer = _one_method_pack(
        tmp_path, monkeypatch, "Analyze", "print('from the pack'); return analyzer_pb2.AnalyzeResponse()"
    )
    capsys.readouterr()
    analyzer.analyze(analyzer_pb2.AnalyzeRequest())
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "from the pack\n")
