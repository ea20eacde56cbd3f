"""The ``tvt`` console script (``scripts.tvt:main``, then ``scripts.cli:entry``) ends the process
itself, with main's exit code."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from preview_helpers import REPO

_PLAN_PROD = (sys.executable, "-m", "scripts.cli", "plan", "--stack", "prod")


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


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie (an ended child its parent has not reaped yet)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _threads(pid: int) -> int:
    try:
        return sum(1 for _ in Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return 0


def test_a_terminated_in_process_plan_ends_143_and_writes_nothing(tmp_path: Path) -> None:
    """The default transport: SIGTERM while the program runs ends tvt plan with 128+15, not a
    traceback, and leaves no half-written output."""
    plan = subprocess.Popen(
        [*_PLAN_PROD, "--out", str(tmp_path / "out")],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    # A second thread: the SDK's executor, started when the program begins to register.
    while _threads(plan.pid) < 2 and time.monotonic() < deadline and plan.poll() is None:
        time.sleep(0.01)
    assert plan.poll() is None, "tvt plan ended before it could be terminated"
    plan.send_signal(signal.SIGTERM)
    _, err = plan.communicate(timeout=60)
    assert plan.returncode == 128 + signal.SIGTERM, err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists(), "a cancelled plan writes nothing"


def test_a_terminated_plan_stops_its_policy_pack(tmp_path: Path) -> None:
    """SIGTERM (a cancelled CI job) ends tvt plan, and with it the pack process it started."""
    plan = subprocess.Popen(
        [*_PLAN_PROD, "--analyzer", "grpc", "--out", str(tmp_path / "out")],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    packs: set[int] = set()
    while not packs and time.monotonic() < deadline and plan.poll() is None:
        packs = _children(plan.pid)
        time.sleep(0.05)
    assert packs, "tvt plan started no policy pack"
    plan.send_signal(signal.SIGTERM)
    assert plan.wait(timeout=60) == 128 + signal.SIGTERM
    for pid in packs:
        deadline = time.monotonic() + 10
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            state = (
                Path(f"/proc/{pid}/stat").read_text().split()[2]
                if Path(f"/proc/{pid}/stat").exists()
                else "X"
            )
            if state == "Z":
                break
            time.sleep(0.05)
        alive = Path(f"/proc/{pid}/stat").exists() and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
        assert not alive, f"the policy pack {pid} outlived tvt plan"
    assert not (tmp_path / "out").exists(), "a cancelled plan writes nothing"


def test_ctrl_c_is_one_line_and_exit_130_not_a_traceback() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import scripts.cli as c\ndef stop(*a): raise KeyboardInterrupt\nc.main = stop\nc.entry()",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 128 + signal.SIGINT, done.stderr
    assert done.stderr == "tvt: interrupted; nothing more was written\n"


def test_both_streams_closed_by_the_reader_is_exit_3_not_1() -> None:
    """``tvt ... 2>&1 | head``: stderr went with stdout, so the broken-pipe line cannot be written
    either; the exit code must still be 3 (internal), never 1 (a mandatory finding)."""
    done = subprocess.run(
        [
            "bash",
            "-c",
            f'"{sys.executable}" -m scripts.cli validate --stack prod 2>&1 | head -c 0; '
            'exit "${PIPESTATUS[0]}"',
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 3, done


_STOP_MID_PROGRAM = """
import os, signal, sys
import scripts.cli as cli
from scripts.engine.capture import CapturingMonitor
answer = CapturingMonitor.RegisterResource
stop, seen = getattr(signal, sys.argv[1]), []
def stopping(self, request):
    seen.append(1)
    if len(seen) == 40:
        os.kill(os.getpid(), stop)
    return answer(self, request)
CapturingMonitor.RegisterResource = stopping
sys.argv = ["tvt", "plan", "--stack", "prod", "--out", sys.argv[2]]
cli.entry()
"""


@pytest.mark.parametrize(
    ("name", "said"), [("SIGTERM", "terminated by signal 15"), ("SIGINT", "interrupted")]
)
def test_a_stop_in_the_middle_of_the_program_is_one_line_and_writes_nothing(
    name: str, said: str, tmp_path: Path
) -> None:
    """The signal lands inside a registration (made on the program's thread); the run stops with
    its exit code and one line, no asyncio traceback of the task it cut short, and writes nothing."""
    done = subprocess.run(
        [sys.executable, "-c", _STOP_MID_PROGRAM, name, str(tmp_path / "out")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        # As an interactive shell starts it: SIGINT not ignored (a background job of a script's would).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert done.returncode == 128 + getattr(signal, name), done.stderr
    assert done.stderr == f"tvt: {said}; nothing more was written\n"
    assert not (tmp_path / "out").exists()


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(
    ("signum", "code", "line"),
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated by signal 15")],
)
def test_a_stop_while_tvt_is_still_loading_is_one_line_and_its_code(
    signum: int, code: int, line: str
) -> None:
    """Before ``entry`` installs its handlers (importing the tool takes most of a second), Ctrl-C
    printed the traceback of the import it cut short and SIGTERM ended tvt with no line at all."""
    done = _python(
        "import os, signal, scripts.tvt as t\n"
        "t.install_loading_handlers()\n"
        f"os.kill(os.getpid(), {int(signum)})\n"
        "import scripts.cli\n"
        "print('not stopped')\n"
    )
    assert (done.returncode, done.stdout) == (code, ""), done.stderr
    assert done.stderr == f"tvt: {line}; nothing more was written\n"


def test_the_console_script_catches_stops_before_the_slow_import() -> None:
    """``tvt`` is ``scripts.tvt:main``, which imports nothing heavy before its handlers are in."""
    import tomllib

    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["tvt"] == "scripts.tvt:main"
    done = _python(
        "import sys, scripts.tvt\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pulumi', 'grpc', 'google', 'rich')"
        " or m.startswith('scripts.c')))\n"
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_a_sigint_ignored_at_start_stays_ignored() -> None:
    """A background job starts with SIGINT ignored: neither the loading handlers nor ``entry``'s take it."""
    done = _python(
        "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nimport scripts.tvt as t\n"
        "t.install_loading_handlers()\nimport scripts.cli as c\n"
        "c.main = lambda: print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN) or 0\n"
        "c.entry()\n"
    )
    assert done.returncode == 0 and done.stdout.strip() == "True", done.stdout + done.stderr
