"""Issue 11 §2: outputs are never lost or mixed: symlinks and foreign entries are refused, writers
take turns, readers never see the directory missing, and a foreign --root runs its own code."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hardening_helpers import REPO, TODAY, assert_bad_input, copy_project, files_under, load, plan_args, tvt

from scripts.engine import output
from scripts.engine.errors import PreviewError

# --- what --out may be ------------------------------------------------------------------------------


def test_a_symlinked_out_is_refused_and_its_target_left_as_it_was(tmp_path: Path) -> None:
    previous = tmp_path / "previous"
    output.write_directory(previous, {"plan.json": b"old", "report.md": b"old"})
    link = tmp_path / "out"
    link.symlink_to(previous)
    run = tvt(*plan_args("clean", link))
    assert_bad_input(run, f"{link}: --out: expected a directory, found a symbolic link (to {previous})")
    assert link.is_symlink() and files_under(previous) == {"plan.json": b"old", "report.md": b"old"}


@pytest.mark.parametrize("kind", ["directory", "symlink", "fifo"])
def test_an_entry_named_like_an_output_but_not_a_file_is_never_touched(tmp_path: Path, kind: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    entry = out / "plan.json"
    if kind == "directory":
        entry.mkdir()
        (entry / "keep.txt").write_text("mine")
    elif kind == "symlink":
        (tmp_path / "elsewhere.json").write_text("mine")
        entry.symlink_to(tmp_path / "elsewhere.json")
    else:
        os.mkfifo(entry)
    run = tvt(*plan_args("clean", out))
    assert_bad_input(
        run, f"{out}: --out: expected an empty directory or a previous plan output", "plan.json (a "
    )
    assert entry.exists() or entry.is_symlink()
    if kind == "directory":
        assert (entry / "keep.txt").read_text() == "mine"


def test_out_at_the_file_system_root_is_refused() -> None:
    with pytest.raises(PreviewError, match="not the file system root"):
        output.write_directory(Path("/"), {"plan.json": b"x"})


def test_out_given_as_dot_writes_beside_no_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "out").mkdir()
    monkeypatch.chdir(tmp_path / "out")
    output.write_directory(Path(), {"plan.json": b"1"})
    assert files_under(tmp_path) == {"out/plan.json": b"1"}


# --- concurrent writers and readers ---------------------------------------------------------------


def _writer(target: str, ident: str, writes: int, failures: multiprocessing.Queue[str]) -> None:
    for i in range(writes):
        content = f"{ident}-{i}".encode()
        try:
            output.write_directory(Path(target), {"plan.json": content, "report.md": content})
        except Exception as error:  # noqa: BLE001  (reported to the test, which fails on any)
            failures.put(f"{ident}: {type(error).__name__}: {error}")


def _reader(target: str, stop: multiprocessing.synchronize.Event, seen: multiprocessing.Queue[str]) -> None:
    """Counts the moments the path names no directory (a reader inside the previous one, which is
    removed after the swap, may find it emptied: that is not the path going missing)."""
    missing = reads = 0
    while not stop.is_set():
        try:
            Path(target).stat()
        except FileNotFoundError:
            missing += 1
            continue
        reads += 1
    seen.put(f"{reads} {missing}")


def test_two_writers_never_crash_and_a_reader_never_sees_the_directory_missing(tmp_path: Path) -> None:
    """The issue's hammering (two processes, 400 writes) raised ENOTEMPTY and left a gap between renames."""
    target = tmp_path / "out"
    output.write_directory(target, {"plan.json": b"0", "report.md": b"0"})
    context = multiprocessing.get_context("fork")
    failures: multiprocessing.Queue[str] = context.Queue()
    seen: multiprocessing.Queue[str] = context.Queue()
    stop = context.Event()
    reader = context.Process(target=_reader, args=(str(target), stop, seen))
    reader.start()
    writers = [context.Process(target=_writer, args=(str(target), w, 200, failures)) for w in "AB"]
    for w in writers:
        w.start()
    for w in writers:
        w.join(timeout=120)
    stop.set()
    reader.join(timeout=30)
    reads, missing = (int(n) for n in seen.get(timeout=5).split())
    problems = [failures.get() for _ in range(failures.qsize())]
    assert problems == [], problems
    assert missing == 0, f"the directory was missing {missing} times in {reads + missing} looks"
    assert reads > 0
    final = files_under(target)
    assert final["plan.json"] == final["report.md"] and final["plan.json"].endswith(b"-199")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], "no staging or retired directory is left"


def test_a_writer_waits_for_the_lock_and_then_says_in_use(tmp_path: Path) -> None:
    target = tmp_path / "out"
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another run is writing in the same directory
        start = time.monotonic()
        with pytest.raises(PreviewError, match=r"--out: in use: another tvt run is writing in"):
            output.write_directory(target, {"plan.json": b"x"}, wait=0.3)
        assert time.monotonic() - start >= 0.3, "it waited before giving up"
    finally:
        os.close(fd)
    output.write_directory(target, {"plan.json": b"x"}, wait=0.3)  # the lock is free again
    assert files_under(target) == {"plan.json": b"x"}


def test_two_real_plan_runs_into_one_out_both_finish_and_leave_one_whole_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "TVT_TODAY": TODAY}
    runs = [
        subprocess.Popen(
            [str(REPO / ".venv/bin/tvt"), *plan_args("clean" if i == 0 else "violate", out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for i in range(2)
    ]
    results = [(p.wait(timeout=180), p.stderr.read() if p.stderr else "") for p in runs]
    assert [code for code, _ in results] == [0, 1], results
    assert all("Traceback" not in err for _, err in results)
    plan = load(out / "plan.json")
    findings = load(out / "findings.json")
    stacks = {r["urn"].split("::")[0] for r in plan["deployment"]["resources"]}
    assert len(stacks) == 1, "plan.json is one run's"
    urns = {
        f["urn"].split("::")[0] for f in (findings["findings"] if isinstance(findings, dict) else findings)
    }
    assert urns <= stacks, "findings.json belongs to the same run as plan.json"


# --- a foreign --root -------------------------------------------------------------------------------


def test_a_foreign_root_runs_with_its_own_packages_and_ours_come_back(tmp_path: Path) -> None:
    """``--root OTHER`` used to run OTHER's __main__.py with this checkout's ``components``."""
    root = copy_project(tmp_path / "other")
    (root / "components").mkdir()
    (root / "components" / "__init__.py").write_text("")
    (root / "components" / "marker.py").write_text('OWNER = "other-checkout"\n')
    main = (root / "__main__.py").read_text()
    main = main.replace("import pulumi\n", "import pulumi\nfrom components.marker import OWNER\n", 1)
    main = main.replace('"owner": "fixture"', '"owner": OWNER')
    (root / "__main__.py").write_text(main)
    ours = sys.modules["components"]
    run = tvt(*plan_args("clean", tmp_path / "out", root))
    assert run.code == 0, run.err
    owners = {
        r["inputs"]["tags"]["owner"]
        for r in load(tmp_path / "out" / "plan.json")["deployment"]["resources"]
        if isinstance(r.get("inputs", {}).get("tags"), dict)
    }
    assert owners == {"other-checkout"}, "the plan is of OTHER's code"
    assert sys.modules["components"] is ours and "components.marker" not in sys.modules
