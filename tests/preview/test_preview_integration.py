"""The real program, stacks and policy pack: every example stack plans clean, as ``make plan`` runs it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from preview_helpers import REPO, TODAY, load

from components.config.load import load_stack
from scripts.preview.pipeline import PlanOptions, run_plan

STACKS = ("dev", "test", "prod")


@pytest.fixture(scope="module")
def real_plans(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[int, str, Path]]]:
    """``tvt plan`` for every example stack, in-process (the pack in-process too, to keep the suite fast)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("TVT_TODAY", TODAY)
    base = tmp_path_factory.mktemp("real")
    results = {}
    for stack in STACKS:
        out, err = io.StringIO(), io.StringIO()
        code = run_plan(PlanOptions(stack=stack, out=base / stack, analyzer="inprocess"), out=out, err=err)
        results[stack] = (code, out.getvalue() + err.getvalue(), base / stack)
    yield results
    mp.undo()


def _mandatory(out_dir: Path) -> list[str]:
    findings = load(out_dir / "findings.json") if (out_dir / "findings.json").exists() else []
    return [f"{f['rule']} on {f['urn']}: {f['message']}" for f in findings if f["enforcement"] == "mandatory"]


@pytest.mark.parametrize("stack", STACKS)
def test_example_stack_plans_with_no_mandatory_finding(
    real_plans: dict[str, tuple[int, str, Path]], stack: str
) -> None:
    code, printed, out_dir = real_plans[stack]
    mandatory = _mandatory(out_dir)
    assert not mandatory, f"stack {stack}: mandatory findings:\n" + "\n".join(mandatory)
    assert code == 0, f"stack {stack}: tvt plan exited {code}:\n{printed}"


@pytest.mark.parametrize("stack", STACKS)
def test_access_matrix_lists_every_grant_by_display_name(
    real_plans: dict[str, tuple[int, str, Path]], stack: str
) -> None:
    _, printed, out_dir = real_plans[stack]
    assert (out_dir / "report.md").exists(), printed
    report = (out_dir / "report.md").read_text()
    matrix = report.split("## Access matrix")[1].split("##")[0]
    config = load_stack(stack, REPO)
    names = {g.key: g.display_name for p in config.partners for g in p.groups}
    rows = [line for line in matrix.splitlines() if line.startswith("| ") and not line.startswith("| level")]
    assert len(rows) == len(config.grants), (
        f"stack {stack}: {len(rows)} access rows for {len(config.grants)} grants"
    )
    for grant in config.grants:
        assert any(f"| {grant.level} | {names[grant.group]} | {grant.role} |" in row for row in rows), (
            f"stack {stack}: no access row for {grant}"
        )


def test_prod_report_shows_protected_data_and_delete_locks(
    real_plans: dict[str, tuple[int, str, Path]],
) -> None:
    _, printed, out_dir = real_plans["prod"]
    assert (out_dir / "report.md").exists(), printed
    section = (out_dir / "report.md").read_text().split("## Protected and locked resources")[1]
    for type_ in (
        "storage:StorageAccount",
        "keyvault:Vault",
        "keyvault:Key",
        "operationalinsights:Workspace",
    ):
        assert f"| azure-native:{type_} |" in section, f"prod: no protected {type_} in the report"
    assert "CanNotDelete lock" in section


def test_make_plan_on_prod_as_a_subprocess(
    real_plans: dict[str, tuple[int, str, Path]], tmp_path: Path
) -> None:
    """What ``make plan`` runs: the installed entry point, the pack over gRPC as the engine runs it."""
    # The repo root on PYTHONPATH stands in for ``uv sync`` (which the Makefile runs and tests may not).
    env = {**os.environ, "TVT_TODAY": TODAY, "PYTHONPATH": str(REPO)}
    tvt = Path(sys.executable).parent / "tvt"
    done = subprocess.run(
        [str(tvt), "plan", "--stack", "prod", "--out", str(tmp_path / "prod")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, (
        f"tvt plan --stack prod exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    )
    assert "result: PASS" in done.stdout
    _, _, in_process = real_plans["prod"]
    for name in ("plan.json", "findings.json", "report.md"):
        assert (tmp_path / "prod" / name).read_bytes() == (in_process / name).read_bytes(), (
            f"{name}: the gRPC run in a subprocess differs from the in-process run"
        )
