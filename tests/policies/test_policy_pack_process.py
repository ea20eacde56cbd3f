"""The pack as the engine runs it: PulumiPolicy.yaml, and ``python -m pulumi.policy`` serving gRPC."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import grpc
import yaml
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2_grpc

from policies.pack import PACK_NAME, PACK_VERSION, RULES

PACK_DIR = Path(__file__).resolve().parents[2] / "policies"


def test_policy_project_file() -> None:
    project = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text())
    assert project["runtime"]["name"] == "python"
    assert project["runtime"]["options"]["toolchain"] == "uv"
    assert (PACK_DIR / project["runtime"]["options"]["virtualenv"]).resolve() == PACK_DIR.parent / ".venv"
    assert str(project["version"]) == PACK_VERSION


def test_requirements_pin_the_sdks() -> None:
    pins = [
        line for line in (PACK_DIR / "requirements.txt").read_text().splitlines() if line and line[0] != "#"
    ]
    assert pins[:2] == ["pulumi==3.272.0", "pulumi-policy==1.21.0"]
    # The Azure model packages azure-api-conformance reads, at the versions the project locks.
    project = tomllib.loads((PACK_DIR.parent / "pyproject.toml").read_text())["project"]["dependencies"]
    assert pins[2:] == [d for d in project if d.startswith("azure-mgmt-")]


def test_engine_launch_serves_the_analyzer(tmp_path: Path) -> None:
    # Exactly what the engine runs, from an unrelated working directory: the pack must find itself.
    command = [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:0", str(PACK_DIR)]
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().decode().strip()
        if not line.isdigit():
            process.kill()
            errors = process.stderr.read().decode() if process.stderr else ""
            raise AssertionError(f"expected the port on stdout, got {line!r}; stderr:\n{errors}")
        with grpc.insecure_channel(f"127.0.0.1:{line}") as channel:
            info = analyzer_pb2_grpc.AnalyzerStub(channel).GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
        assert info.name == PACK_NAME
        assert [p.name for p in info.policies] == [r.meta.id for r in RULES]
    finally:
        process.terminate()
        process.wait(timeout=10)
