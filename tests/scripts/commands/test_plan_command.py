"""``tvt plan``: exit codes, atomic output, the summary and report, and a quiet stderr off a TTY."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from preview_helpers import PACK, PROJECT, load, plan_args, tvt, write_json

from scripts.commands.pipeline import PlanOptions, run_plan
from scripts.commands.progress import Progress
from scripts.engine import output
from scripts.engine.errors import PreviewError

L3_STORAGE = "urn:pulumi:violate::tvt-platform::azure-native:storage:StorageAccount::l3-storage"
NOTHING = "urn:pulumi:violate::tvt-platform::azure-native:storage:StorageAccount::nothing"


OUTPUTS = ["findings.json", "plan.json", "report.html", "report.junit.xml", "report.md", "report.sarif"]


def test_clean_stack_exits_0_and_writes_every_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tvt(plan_args("clean", tmp_path / "out"), capsys)
    assert run.code == 0, run.err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == OUTPUTS
    assert run.out.startswith("tvt plan: stack clean: PASS (0 mandatory violations, 2 findings)")
    assert "by level: 3: 5" in run.out
    assert "by type" not in run.out, "the by-type table belongs in the reports"
    assert "timings: validate" in run.err


def test_mandatory_violation_exits_1_and_names_rule_and_resource(
    planned: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tvt(plan_args("violate", tmp_path / "out"), capsys)
    assert run.code == 1
    lines = run.out.splitlines()
    assert lines[0].startswith("tvt plan: stack violate: FAIL (1 mandatory violation, 3 findings)")
    failed = next(i for i, line in enumerate(lines) if line.startswith("MANDATORY "))
    assert lines[failed].startswith(
        "MANDATORY  storage-no-public-access (high) azure-native:storage:StorageAccount l3-storage: "
    )
    assert lines[failed + 1].startswith("  declared at __main__.py:"), (
        "where to fix it comes with the failure"
    )
    assert failed < next(i for i, line in enumerate(lines) if line.startswith("findings:")), "failures first"
    document = load(tmp_path / "out" / "findings.json")
    assert document["summary"]["verdict"] == "FAIL"
    assert [f["rule"] for f in document["findings"] if f["enforcement"] == "mandatory"] == [
        "storage-no-public-access"
    ]


def test_invalid_stack_config_exits_2_listing_every_issue_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "project"
    (root / "stacks").mkdir(parents=True)
    (root / "__main__.py").write_text((PROJECT / "__main__.py").read_text())
    bad = (PROJECT / "stacks" / "Pulumi.clean.yaml").read_text()
    bad = bad.replace("tvt:location: uksouth", "tvt:location: eastus").replace(
        "logRetentionDays: 90", "logRetentionDays: 9"
    )
    (root / "stacks" / "Pulumi.clean.yaml").write_text(bad)
    run = tvt(
        [
            "plan",
            "--stack",
            "clean",
            "--out",
            str(tmp_path / "out"),
            "--root",
            str(root),
            "--pack",
            str(PACK),
        ],
        capsys,
    )
    assert run.code == 2
    assert "stacks/Pulumi.clean.yaml: tvt:location:" in run.err
    assert "stacks/Pulumi.clean.yaml: tvt:audit.logRetentionDays:" in run.err
    assert "Traceback" not in run.err
    assert not (tmp_path / "out").exists(), "bad config must leave no output directory"


def test_missing_stack_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = tvt(plan_args("nosuch", tmp_path / "out"), capsys)
    assert run.code == 2
    assert "stacks/Pulumi.nosuch.yaml" in run.err and "no such stack file" in run.err


def test_program_failure_exits_2_with_one_paragraph_and_leaves_no_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tvt(plan_args("broken", tmp_path / "out"), capsys)
    assert run.code == 2
    assert "Traceback" not in run.err
    # Notes (e.g. "no policy config") may come first; the failure itself is one paragraph.
    message = "\n".join(line for line in run.err.strip().splitlines() if not line.startswith("note: "))
    assert message.startswith("tvt plan: __main__.py: the Pulumi program stopped for stack broken:")
    assert "tvt:levels: expected levels 1, 2 and 3" in message
    assert "\n" not in message, f"expected one paragraph, got:\n{message}"
    assert not (tmp_path / "out").exists()


def test_program_that_logs_an_error_fails_like_pulumi_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tvt(plan_args("logerror", tmp_path / "out"), capsys)
    assert run.code == 2
    assert "logged 1 error(s) for stack logerror: level 3 has no key vault configured" in run.err
    assert not (tmp_path / "out").exists()


def test_failure_while_writing_leaves_the_previous_output_untouched(
    planned: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "plan.json").write_text("previous")
    original = Path.write_bytes

    def fail_on_report(self: Path, data: bytes) -> int:
        if self.name == "report.md":
            raise OSError(28, "No space left on device")
        return original(self, data)

    monkeypatch.setattr(Path, "write_bytes", fail_on_report)
    with pytest.raises(PreviewError, match="No space left"):
        output.write_directory(out, {"plan.json": b"new", "report.md": b"new"})
    assert (out / "plan.json").read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], "no staging directory may be left behind"


def test_write_directory_replaces_a_previous_output_as_a_whole(tmp_path: Path) -> None:
    out = tmp_path / "nested" / "out"
    output.write_directory(out, {"plan.json": b"1", "report.md": b"old"})
    output.write_directory(out, {"plan.json": b"2", "report.md": b"new"})
    assert sorted(p.name for p in out.iterdir()) == ["plan.json", "report.md"]
    assert (out / "plan.json").read_bytes() == b"2"
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]


def test_write_directory_never_replaces_a_directory_holding_other_files(tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "sub").mkdir(parents=True)
    (work / "sub" / "notes.txt").write_text("mine")
    with pytest.raises(PreviewError, match=r"--out: expected an empty directory or a previous plan output"):
        output.write_directory(work, {"plan.json": b"new"})
    assert (work / "sub" / "notes.txt").read_text() == "mine"
    assert not (work / "plan.json").exists()


def test_bad_policy_config_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_json(tmp_path / "policy.json", {"storage-tls": {"enforcementLevel": "strict"}})
    run = tvt(plan_args("clean", tmp_path / "out", "--policy-config", str(config)), capsys)
    assert run.code == 2
    assert f"{config}: storage-tls.enforcementLevel: expected one of advisory, mandatory" in run.err
    assert not (tmp_path / "out").exists()


def test_report_shows_access_matrix_exemptions_and_protected_resources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exempt = {
        "storage-no-public-access": {
            "exemptions": [
                {
                    "resource": L3_STORAGE,
                    "reason": "Public read for the published statistics, agreed by the partnership board.",
                    "approver": "Head of Information Governance",
                    "expires": "2026-12-31",
                }
            ]
        },
        "owner-tag": {"exemptions": [{"resource": NOTHING,
                                      "reason": "Placeholder owner in the fixture stack.",
                                      "approver": "Platform lead", "expires": "2026-01-31"}]},
    }  # fmt: skip
    config = write_json(tmp_path / "policy.json", exempt)
    run = tvt(plan_args("violate", tmp_path / "out", "--policy-config", str(config)), capsys)
    assert run.code == 0, "an applied exemption downgrades the only mandatory finding"
    report = (tmp_path / "out" / "report.md").read_text()
    rows = [
        [re.sub(r"\\(.)", r"\1", c.strip()) for c in line.strip("|").split(" | ")]  # cells are escaped
        for line in report.splitlines()
        if line.startswith("| ")
    ]
    reason = exempt["storage-no-public-access"]["exemptions"][0]["reason"]
    assert [
        "storage-no-public-access", L3_STORAGE, reason, "Head of Information Governance",
        "2026-12-31", "213", "applied (1 findings)",
    ] in rows  # fmt: skip
    assert ["owner-tag", NOTHING, "Placeholder owner in the fixture stack.", "Platform lead", "2026-01-31",
            "-121", "expired"] in rows  # fmt: skip
    assert ["3", "Fixture VRU analysts", "reader", "Storage Blob Data Reader", "yes", "zone matched",
            "UC-2026-001 (DEC-2026-03)", "2027-09-30"] in rows  # fmt: skip
    posture = report.split("## Posture of data and keys")[1].split("\n## ")[0]
    assert "| 3 | sttvtdevl3 | azure-native:storage:StorageAccount |" in posture
    assert posture.count("| protect |") == 1, posture
    assert "exemptions: 1 applied, 0 unused, 1 expired" in run.out


def test_progress_is_silent_when_stderr_is_not_a_tty(tmp_path: Path) -> None:
    err = io.StringIO()
    options = PlanOptions(stack="clean", out=tmp_path / "out", root=PROJECT, pack=PACK, analyzer="inprocess")
    assert run_plan(options, out=io.StringIO(), err=err) == 0
    assert "\r" not in err.getvalue() and "\x1b" not in err.getvalue()
    assert err.getvalue().startswith("note: no policy config")


def test_progress_draws_on_a_tty() -> None:
    terminal = io.StringIO()
    with Progress(terminal, force_terminal=True) as progress:
        progress.update("running the program\x1b[2J")
        import time

        time.sleep(0.2)
    drawn = terminal.getvalue()
    assert "running the program" in drawn
    assert "\x1b[2J" not in drawn and "\\x1b[2J" in drawn, "a label cannot send its own escapes"
    assert "\x1b[?25h" in drawn and drawn.endswith("\x1b[2K"), "rich restores the cursor and clears the line"


def test_one_run_judges_one_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """tvt plan pins the day for itself and the pack it starts, unless TVT_TODAY already does."""
    import datetime as dt
    import os

    from scripts.commands.pipeline import one_day

    monkeypatch.delenv("TVT_TODAY", raising=False)
    with one_day():
        assert os.environ["TVT_TODAY"] == dt.date.today().isoformat()
    assert "TVT_TODAY" not in os.environ
    monkeypatch.setenv("TVT_TODAY", "2026-06-01")
    with one_day():
        assert os.environ["TVT_TODAY"] == "2026-06-01"
    assert os.environ["TVT_TODAY"] == "2026-06-01"
