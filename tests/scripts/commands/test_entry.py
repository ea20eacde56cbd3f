"""The ``tvt`` console script (``scripts.cli:entry``) ends the process itself, with main's exit code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from preview_helpers import REPO


def _tvt(*args: str, stdout: int | None = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scripts.cli", *args],
        cwd=REPO,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
        check=False,
    )


def test_bad_input_still_exits_2_with_its_message() -> None:
    done = _tvt("validate", "--stack", "no-such-stack")
    assert done.returncode == 2, done.stderr
    assert "stacks/Pulumi.no-such-stack.yaml" in done.stderr and "Traceback" not in done.stderr


def test_what_main_printed_is_flushed_before_the_process_ends() -> None:
    done = _tvt("validate", "--stack", "prod")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip(), "stdout was lost: the streams must be flushed before os._exit"


def test_help_exits_0_through_argparse() -> None:
    done = _tvt("--help")
    assert done.returncode == 0 and "usage: tvt" in done.stdout


def test_under_a_profiler_the_process_exits_normally_so_the_profile_is_written(tmp_path: Path) -> None:
    profile = tmp_path / "tvt.prof"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cProfile",
            "-o",
            str(profile),
            "-m",
            "scripts.cli",
            "validate",
            "--stack",
            "prod",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert profile.stat().st_size > 0
