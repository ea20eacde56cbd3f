"""The gRPC transport: the pack runs in its own process, which always ends; failures are exit-2 errors."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from preview_helpers import PACK

from scripts.engine.analyzer import grpc_analyzer, load_servicer
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
