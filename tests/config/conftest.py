"""Shared fixtures for the stack-config tests: a fixed 'today' and a small valid base config."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.cli import main
from tests.conftest import SUBSCRIPTION, TODAY

BASE: dict[str, Any] = {
    "tvt:environment": "prod",
    "tvt:location": "uksouth",
    "tvt:subscriptionId": SUBSCRIPTION,
    "azure-native:subscriptionId": SUBSCRIPTION,
    "tvt:tenantId": "00000000-0000-4000-8000-200000000000",
    "tvt:owner": "tvt-platform-team",
    "tvt:audit": {
        "addressSpace": "10.70.0.0/24",
        "privateEndpointSubnet": "10.70.0.0/26",
        "logRetentionDays": 730,
        "archiveRetentionDays": 2557,
        "archiveCreated": "2026-05-04",
    },
    "tvt:keys": {"firstVersionExpires": "2027-12-31"},
    "tvt:levels": {
        "1": {
            "addressSpace": "10.71.0.0/24",
            "privateEndpointSubnet": "10.71.0.0/26",
            "additionalZones": ["dashboards"],
        },
        "2": {"addressSpace": "10.72.0.0/24", "privateEndpointSubnet": "10.72.0.0/26"},
        "3": {"addressSpace": "10.73.0.0/24", "privateEndpointSubnet": "10.73.0.0/26"},
    },
    "tvt:partners": [
        {
            "id": "thames-valley-police",
            "name": "Thames Valley Police",
            "kind": "police",
            "groups": [
                {
                    "key": "tvp-analysts",
                    "objectId": "00000000-0000-4000-8000-000000000901",
                    "displayName": "TVP analysts",
                },
                {
                    "key": "tvp-data-ingest",
                    "objectId": "00000000-0000-4000-8000-000000000902",
                    "displayName": "TVP ingest",
                },
            ],
        },
        {
            "id": "thames-valley-vru",
            "name": "Thames Valley Violence Reduction Unit",
            "kind": "vru",
            "groups": [
                {
                    "key": "vru-analysts",
                    "objectId": "00000000-0000-4000-8000-000000000911",
                    "displayName": "VRU analysts",
                },
            ],
        },
    ],
    "tvt:useCases": [
        {
            "id": "UC-2026-001",
            "title": "Knife crime hotspot matching",
            "level": 3,
            "approval": "DEC-2026-03",
            "expires": "2027-09-30",
        },
        {
            "id": "UC-2026-002",
            "title": "Night-time economy profile",
            "level": 2,
            "approval": "DEC-2026-04",
            "expires": "2027-12-31",
        },
    ],
    "tvt:grants": [
        {
            "group": "tvp-data-ingest",
            "level": 3,
            "zone": "landing",
            "role": "ingest-writer",
            "useCase": "UC-2026-001",
        },
        {
            "group": "vru-analysts",
            "level": 3,
            "zone": "matched",
            "role": "contributor",
            "useCase": "UC-2026-001",
        },
        {
            "group": "vru-analysts",
            "level": 2,
            "zone": "curated",
            "role": "contributor",
            "useCase": "UC-2026-002",
        },
        {"group": "tvp-analysts", "level": 1, "role": "reader"},
    ],
}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TVT_TODAY", TODAY)
    return TODAY


@pytest.fixture
def base() -> dict[str, Any]:
    return copy.deepcopy(BASE)


def _write_stack(root: Path, stack: str, config: Any, raw: str | None) -> Path:
    path = root / "stacks" / f"Pulumi.{stack}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(raw if raw is not None else yaml.safe_dump({"config": config}, sort_keys=False))
    return path


def _issues_of(stderr: str) -> list[tuple[str, str, str]]:
    """(file, path, message) of every ``FILE: PATH: MESSAGE`` line; fails on any other line."""
    triples = []
    for line in stderr.splitlines():
        file, path, message = line.split(": ", 2)
        triples.append((file, path, message))
    return triples


@pytest.fixture
def write_stack(tmp_path: Path) -> Callable[..., Path]:
    """Write ``stacks/Pulumi.<stack>.yaml`` under the temporary root (``raw`` text wins over ``config``)."""

    def write(config: Any = None, *, stack: str = "prod", raw: str | None = None) -> Path:
        return _write_stack(tmp_path, stack, config, raw)

    return write


@pytest.fixture
def validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, list[Any]]]:
    """Run ``tvt validate --root <tmp>`` in-process: (exit code, stdout, [(file, path, message)])."""

    def run(config: Any = None, *, stack: str = "prod", raw: str | None = None) -> tuple[int, str, list[Any]]:
        _write_stack(tmp_path, stack, config, raw)
        capsys.readouterr()
        code = main(["validate", "--stack", stack, "--root", str(tmp_path)])
        out, err = capsys.readouterr()
        return code, out, _issues_of(err)

    return run
