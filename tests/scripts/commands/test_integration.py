"""The real program, stacks and policy pack: every example stack plans clean, as ``make plan`` runs it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
import yaml
from preview_helpers import REPO, Run, load, tvt

from components.config.load import load_stack, read_stack_file, stack_file
from scripts.commands.pipeline import PlanOptions, run_plan
from scripts.review.findings import FINDINGS_SCHEMA
from tests.conftest import TODAY
from tests.scripts.review.report_checks import (
    HTML_SECTIONS,
    check_html,
    check_junit,
    check_markdown,
    check_sarif,
    render,
)

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
    findings = load(out_dir / "findings.json")["findings"] if (out_dir / "findings.json").exists() else []
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


@pytest.mark.parametrize("stack", STACKS)
def test_every_output_of_every_example_stack_passes_its_schema_or_parser(
    real_plans: dict[str, tuple[int, str, Path]], stack: str
) -> None:
    _, _, out_dir = real_plans[stack]
    findings = load(out_dir / "findings.json")
    jsonschema.validate(findings, FINDINGS_SCHEMA)
    assert findings["summary"]["verdict"] == "PASS" and findings["summary"]["stack"] == stack
    check_sarif(out_dir / "report.sarif", findings)
    check_junit(out_dir / "report.junit.xml")
    check_markdown(out_dir / "report.md")
    check_html(out_dir / "report.html")


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_prod_report_html_renders_in_chromium_and_prints(
    real_plans: dict[str, tuple[int, str, Path]], tmp_path: Path
) -> None:
    """Headless Chromium, no network: a screenshot, a PDF, and the DOM it built has every section."""
    _, _, out_dir = real_plans["prod"]
    shot, pdf = tmp_path / "report.png", tmp_path / "report.pdf"
    dom = render(out_dir / "report.html", shot, pdf)
    assert _png_size(shot) == (1280, 2400)
    assert pdf.read_bytes().startswith(b"%PDF-") and pdf.read_bytes().count(b"/Type /Page") >= 2
    for section in HTML_SECTIONS:
        assert f'id="{section}"' in dom, f"Chromium's DOM has no #{section}"
    assert '<span class="verdict PASS">PASS</span>' in dom
    config = load_stack("prod", REPO)
    for partner in config.partners:
        for group in partner.groups:
            if any(grant.group == group.key for grant in config.grants):
                assert group.object_id in dom, f"the access matrix lacks {group.display_name}"


def _posture(out_dir: Path) -> list[list[str]]:
    section = (out_dir / "report.md").read_text().split("## Posture of data and keys")[1].split("\n## ")[0]
    return [[c.strip() for c in line.strip("|").split(" | ")] for line in section.splitlines()[4:] if line]


def test_prod_posture_shows_every_data_resource_protected_and_locked(
    real_plans: dict[str, tuple[int, str, Path]],
) -> None:
    _, printed, out_dir = real_plans["prod"]
    assert (out_dir / "report.md").exists(), printed
    rows = _posture(out_dir)
    types = {row[2] for row in rows}
    for type_ in (
        "storage:StorageAccount",
        "keyvault:Vault",
        "keyvault:Key",
        "operationalinsights:Workspace",
    ):
        assert f"azure-native:{type_}" in types, f"prod: no {type_} in the posture table"
    for level, name, type_, encrypted, audited, private, protected in rows:
        assert protected.startswith("protect, CanNotDelete lock on rg-tvt-prod-"), (name, protected)
        if type_.endswith("StorageAccount"):
            assert encrypted.startswith("customer-managed key cmk-tvt-prod-"), (name, encrypted)
            assert "workspace log-tvt-prod-audit" in audited, (name, audited)
        if type_.endswith(("StorageAccount", "Vault")) and level != "shared":
            assert private.startswith("public access disabled; private endpoints:"), (name, private)


def test_dev_posture_has_no_locks(real_plans: dict[str, tuple[int, str, Path]]) -> None:
    _, _, out_dir = real_plans["dev"]
    assert all("lock" not in row[6] for row in _posture(out_dir)), "dev has no delete locks"


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
    assert done.stdout.startswith("tvt plan: stack prod: PASS (0 mandatory violations, ")
    _, _, in_process = real_plans["prod"]
    names = sorted(p.name for p in in_process.iterdir())
    assert sorted(p.name for p in (tmp_path / "prod").iterdir()) == names
    for name in names:
        assert (tmp_path / "prod" / name).read_bytes() == (in_process / name).read_bytes(), (
            f"{name}: the gRPC run in a subprocess differs from the in-process run"
        )


# -- the use-case register reaches the pack through ConfigureStack, for tvt check too -------------

LEVEL3_RULE = "identity-level3-use-case"
NO_REGISTER = "no approved use-case register in the stack config (tvt:useCases)"


def _check(plan: Path, root: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """``tvt check`` of a prod plan: the real pack, prod's policy config, stack files under ``root``."""
    config = REPO / "policies" / "config" / "prod.json"
    args = ["check", str(plan), "--root", str(root), "--pack", str(REPO / "policies"), "--policy-config"]
    return tvt([*args, str(config), "--analyzer", "inprocess"], capsys)


def _level3_grants() -> int:
    return sum(1 for grant in load_stack("prod", REPO).grants if grant.level == 3)


def test_check_of_prod_plan_with_its_stack_file_passes(
    real_plans: dict[str, tuple[int, str, Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, out_dir = real_plans["prod"]
    run = _check(out_dir / "plan.json", REPO, capsys)
    assert run.code == 0, run.out + run.err
    assert run.out.startswith("tvt check: stack prod: PASS (0 mandatory violations, ")
    assert LEVEL3_RULE not in run.out
    assert "no stack file" not in run.err


def test_check_without_the_register_reports_every_level3_grant(
    real_plans: dict[str, tuple[int, str, Path]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, out_dir = real_plans["prod"]
    config = read_stack_file(stack_file("prod", REPO), root=REPO)
    del config["tvt:useCases"]
    (tmp_path / "stacks").mkdir()
    stack_file("prod", tmp_path).write_text(yaml.safe_dump({"config": config}), encoding="utf-8")
    run = _check(out_dir / "plan.json", tmp_path, capsys)
    assert run.code == 1
    hits = [line for line in run.out.splitlines() if line.startswith(f"MANDATORY  {LEVEL3_RULE} ")]
    assert len(hits) == _level3_grants() > 0, run.out
    assert all(line.endswith(f"group access to level-3 data: {NO_REGISTER}") for line in hits)
    assert all("azure-native:authorization:RoleAssignment l3-storage-grant-" in line for line in hits)


def test_check_without_a_stack_file_says_so_and_fails_level3_closed(
    real_plans: dict[str, tuple[int, str, Path]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, out_dir = real_plans["prod"]
    run = _check(out_dir / "plan.json", tmp_path, capsys)
    assert run.code == 1
    assert "note: no stack file at stacks/Pulumi.prod.yaml; the pack gets no stack config" in run.err
    mandatory = [line for line in run.out.splitlines() if line.startswith("MANDATORY")]
    assert len(mandatory) == _level3_grants(), run.out
    assert all(line.startswith(f"MANDATORY  {LEVEL3_RULE} ") for line in mandatory), "only level 3 fails"
    assert all(line.endswith(NO_REGISTER) for line in mandatory)
