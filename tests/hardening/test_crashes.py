"""Issue 11 §1: a crash is never a verdict. Bad input exits 2 naming the file (and the key); an
internal error exits 3 with one line; exit 1 is only ever a mandatory finding."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from hardening_helpers import (
    PROJECT,
    REPO,
    assert_bad_input,
    check_args,
    load,
    nested,
    plan_args,
    secret,
    splice,
    stack_text,
    tvt,
    with_input,
    write,
)

from scripts.commands import validate
from scripts.commands.exit_codes import EXIT_INTERNAL

# --- internal errors ----------------------------------------------------------------------------


def _crash(*_: Any, **__: Any) -> Any:
    raise KeyError("a bug in the tool")


def test_an_internal_error_exits_3_with_one_line_and_no_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(validate, "load_stack", _crash)
    run = tvt("validate", "--stack", "clean", "--root", PROJECT)
    assert (run.code, run.out) == (EXIT_INTERNAL, "")
    assert run.err.count("\n") == 1 and "Traceback" not in run.err, run.err
    assert run.err.startswith("tvt validate: internal error: KeyError: 'a bug in the tool'")
    assert "--debug or TVT_DEBUG=1" in run.err


class _NotAnException(BaseException):
    pass


def _crash_hard(*_: Any, **__: Any) -> Any:
    raise _NotAnException("a bug that is not an Exception")


def test_a_base_exception_escaping_a_command_exits_3_not_1(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not an ``Exception`` (``GeneratorExit``, a library's own subclass): Python's default would
    print a traceback and exit 1, the code of a mandatory finding."""
    monkeypatch.setattr(validate, "load_stack", _crash_hard)
    run = tvt("validate", "--stack", "clean", "--root", PROJECT)
    assert (run.code, run.out) == (EXIT_INTERNAL, "")
    assert "Traceback" not in run.err and run.err.startswith(
        "tvt validate: internal error: _NotAnException: a bug that is not an Exception"
    ), run.err


@pytest.mark.parametrize("how", ["tvt --debug validate", "tvt validate --debug", "TVT_DEBUG=1"])
def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    monkeypatch.setattr(validate, "load_stack", _crash)
    argv = ["validate", "--stack", "clean", "--root", str(PROJECT)]
    if how == "TVT_DEBUG=1":
        monkeypatch.setenv("TVT_DEBUG", "1")
    else:
        argv.insert(0 if how.startswith("tvt --debug") else len(argv), "--debug")
    run = tvt(*argv)
    assert run.code == EXIT_INTERNAL
    assert "Traceback (most recent call last)" in run.err and "_crash" in run.err
    assert run.err.rstrip().splitlines()[-1].startswith("tvt validate: internal error: KeyError")


def test_help_documents_every_exit_code() -> None:
    for argv in (["--help"], ["plan", "--help"], ["check", "--help"]):
        run = tvt(*argv)
        text = " ".join(run.out.split())
        assert run.code == 0 and "3 an internal error" in text and "2 bad input" in text, argv
        assert "1 a mandatory policy violation" in text and "--debug" in text, argv


def test_the_real_command_exits_3_not_1_on_an_internal_error() -> None:
    """Through ``sys.exit(main())`` in a fresh interpreter, as CI runs it: a crash is never a verdict."""
    env = {**os.environ, "TVT_TODAY": "2026-06-01", "PYTHONPATH": str(REPO)}
    script = (
        "import sys; from scripts.commands import validate; "
        "validate.load_stack = lambda *a, **k: 1 / 0; "
        "from scripts.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    argv = [
        str(REPO / ".venv/bin/python"),
        "-c",
        script,
        "validate",
        "--stack",
        "clean",
        "--root",
        str(PROJECT),
    ]
    result = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 3, result.stderr
    assert result.stderr.startswith("tvt validate: internal error: ZeroDivisionError")


@pytest.mark.parametrize("command", ["check", "diff"])
def test_a_reader_that_stops_reading_gets_exit_3_not_1(clean_plan: Path, command: str) -> None:
    """``tvt check | head``: rich exits 1 on a broken pipe, which a CI gate would read as a violation."""
    argv = check_args(clean_plan) if command == "check" else ["diff", str(clean_plan), str(clean_plan)]
    env = {**os.environ, "TVT_TODAY": "2026-06-01", "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [str(REPO / ".venv/bin/python"), "-m", "scripts.cli", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # the reader is gone before the first line
    err = child.stderr.read().decode()
    assert child.wait(timeout=60) == EXIT_INTERNAL, err
    assert err.endswith(
        f"tvt {command}: stdout was closed before tvt finished writing (broken pipe): exit 3, not a verdict\n"
    )
    assert "Traceback" not in err and "Exception ignored" not in err


# --- bad stack files ------------------------------------------------------------------------------


def _root_with(tmp_path: Path, text: str | bytes, stack: str = "clean") -> Path:
    (tmp_path / "stacks").mkdir(exist_ok=True)
    write(tmp_path / "stacks" / f"Pulumi.{stack}.yaml", text)
    return tmp_path


def _validate(root: Path, stack: str = "clean") -> Any:
    return tvt("validate", "--stack", stack, "--root", root)


BOMB = (
    "config:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 9))
    + "  tvt:owner: *a8\n"
)


def test_a_yaml_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    start = time.perf_counter()
    run = _validate(_root_with(tmp_path, BOMB))
    assert_bad_input(run, "stacks/Pulumi.clean.yaml: line 6", "expands to more than 100000 values")
    assert time.perf_counter() - start < 5, "expansion must be bounded before anything is built"


def test_aliases_that_chain_past_the_nesting_limit_are_refused(tmp_path: Path) -> None:
    text = (
        "config:\n  a0: &a0 "
        + nested(50, "x")
        + "\n"
        + "".join(f"  a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 40))
    )
    assert_bad_input(_validate(_root_with(tmp_path, text)), "64 levels of nesting once its aliases")


def test_a_stack_file_that_is_a_symlink_to_dev_zero_is_refused(tmp_path: Path) -> None:
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.clean.yaml").symlink_to("/dev/zero")
    run = _validate(tmp_path)
    reason = "cannot read the stack file: expected a regular file, got a character device"
    assert_bad_input(run, f"stacks/Pulumi.clean.yaml: (file): {reason}")


def test_a_stack_file_that_is_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    (tmp_path / "stacks").mkdir()
    os.mkfifo(tmp_path / "stacks" / "Pulumi.clean.yaml")
    assert_bad_input(_validate(tmp_path), "expected a regular file, got a named pipe")


def test_a_stack_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    text = stack_text() + "  azure-native:padding: " + "x" * (1024 * 1024) + "\n"
    assert_bad_input(_validate(_root_with(tmp_path, text)), "expected at most 1 MiB, got a larger file")


@pytest.mark.parametrize("digits", [65, 5000])
def test_a_huge_integer_in_config_is_refused(tmp_path: Path, digits: int) -> None:
    text = stack_text().replace("logRetentionDays: 90", "logRetentionDays: " + "9" * digits)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "logRetentionDays" in row)
    assert_bad_input(
        _validate(_root_with(tmp_path, text)), f"line {line}", "expected an integer of at most 64 digits"
    )


@pytest.mark.parametrize("depth", [65, 1000, 100_000])
def test_deep_nesting_in_config_is_refused(tmp_path: Path, depth: int) -> None:
    text = stack_text() + "  azure-native:deep: " + nested(depth) + "\n"
    assert_bad_input(
        _validate(_root_with(tmp_path, text)),
        "stacks/Pulumi.clean.yaml: line",
        "nested deeper than 64 levels",
    )


def test_deep_block_nesting_in_config_is_refused(tmp_path: Path) -> None:
    text = "config:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(300))
    assert_bad_input(_validate(_root_with(tmp_path, text)), "nested deeper than 64 levels")


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        (".nan", "expected a finite number, got .nan"),
        ("-.inf", "expected a finite number, got -.inf"),
        ("!!binary aGVsbG8=", "got a !!binary value"),
        ("!!timestamp 2026-01-01", "got a !!timestamp value"),
        ("!!set {a, b}", "got a !!set value"),
        ("!!omap [a: 1]", "got a !!omap value"),
    ],
)
def test_values_the_engine_cannot_hand_a_program_are_refused(tmp_path: Path, value: str, phrase: str) -> None:
    """Passed through under ``azure-native:``, these crashed the plan's writer (no JSON for them)."""
    run = _validate(_root_with(tmp_path, stack_text() + f"  azure-native:odd: {value}\n"))
    assert_bad_input(run, "stacks/Pulumi.clean.yaml: line", phrase)


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("tvt:owner: ", 'tvt:owner: "\\ud800" #', "tvt:owner: expected text, got a lone UTF-16 surrogate"),
        ("config:\n", 'config:\n  azure-native:odd: ["ok", "a\\udfffb"]\n', "azure-native:odd[1]: expected"),
        (
            "config:\n",
            'config:\n  azure-native:odd: {"k\\ud800": 1}\n',
            "azure-native:odd.k\\ud800: expected a key",
        ),
    ],
)
def test_a_lone_surrogate_in_a_stack_file_is_refused_by_key(
    tmp_path: Path, old: str, new: str, where: str
) -> None:
    """A YAML escape can spell one and UTF-8 cannot: it crashed the program's first serialisation."""
    text = stack_text().replace(old, new, 1)
    assert_bad_input(_validate(_root_with(tmp_path, text)), f"stacks/Pulumi.clean.yaml: {where}")
    shutil.copytree(PROJECT, tmp_path / "project")
    write(tmp_path / "project" / "stacks" / "Pulumi.clean.yaml", text)
    run = tvt(*plan_args("clean", tmp_path / "out", tmp_path / "project"))
    assert_bad_input(run, f"tvt plan: stacks/Pulumi.clean.yaml: {where}")
    assert not (tmp_path / "out").exists()


def test_invalid_utf8_names_the_file(tmp_path: Path) -> None:
    assert_bad_input(
        _validate(_root_with(tmp_path, b"config:\n  tvt:owner: \xff\n")), "stacks/Pulumi.clean.yaml: (file)"
    )


def test_the_plan_command_refuses_the_same_inputs_and_writes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    write(root / "stacks" / "Pulumi.clean.yaml", BOMB)
    run = tvt(*plan_args("clean", tmp_path / "out", root))
    assert_bad_input(run, "tvt plan: stacks/Pulumi.clean.yaml: line 6")
    assert not (tmp_path / "out").exists()


# --- bad plans and policy configs -------------------------------------------------------------------


def test_a_huge_integer_in_a_plan_is_named_by_file_and_key(clean_plan: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "plan.json", splice(load(clean_plan), "size", "9" * 5000))
    assert_bad_input(
        tvt(*check_args(path)),
        f"{path}: deployment.resources[",
        ".inputs.size: expected an integer of at most 64 digits, got 5000 digits",
    )


@pytest.mark.parametrize("depth", [65, 1000, 100_000])
def test_deep_nesting_in_a_plan_is_refused(clean_plan: Path, tmp_path: Path, depth: int) -> None:
    path = write(tmp_path / "plan.json", splice(load(clean_plan), "deep", nested(depth)))
    # Where the parser could still read it, the key path; past the interpreter's stack, line and column.
    where = ".inputs.deep[0][0]" if depth == 65 else "plan.json: line 1, column "
    for run in (tvt(*check_args(path)), tvt("diff", clean_plan, path)):
        assert_bad_input(run, f"{path}: ", where, "nested deeper than 64 levels")


@pytest.mark.parametrize("depth", [65, 1000, 100_000])
def test_deep_nesting_in_a_policy_config_is_refused(clean_plan: Path, tmp_path: Path, depth: int) -> None:
    config = write(tmp_path / "policy.json", '{"storage-tls": {"exemptions": ' + nested(depth) + "}}")
    assert_bad_input(
        tvt(*check_args(clean_plan, "--policy-config", str(config))),
        f"{config}: ",
        "nested deeper than 64 levels",
    )


def test_a_plan_secret_whose_plaintext_is_not_json_is_named_and_not_quoted(
    clean_plan: Path, tmp_path: Path
) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(with_input(load(clean_plan), "token", secret("hunter2 is not json"))))
    run = tvt(*check_args(path))
    assert_bad_input(
        run,
        f"{path}: deployment.resources[",
        ".inputs.token.plaintext: expected the secret's value as JSON text",
    )
    assert "hunter2" not in run.text


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"])
@pytest.mark.parametrize("analyzer", ["inprocess", "grpc"])
def test_non_finite_numbers_in_a_plan_are_named_by_file_and_key(
    clean_plan: Path, tmp_path: Path, raw: str, analyzer: str
) -> None:
    if analyzer == "grpc" and raw not in ("NaN", "1e400"):
        return  # the transport does not matter to the reader; two values show it for gRPC too
    path = write(tmp_path / "plan.json", splice(load(clean_plan), "ratio", raw))
    args = [a if a != "inprocess" else analyzer for a in check_args(path)]
    run = tvt(*args)
    assert_bad_input(run, f"{path}: deployment.resources[", ".inputs.ratio: expected ")
    assert "policy pack" not in run.err, "refused while reading the plan, not inside the pack's RPC"


def test_a_lone_surrogate_in_a_plan_is_refused(clean_plan: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "plan.json", splice(load(clean_plan), "description", '"\\ud800"'))
    assert_bad_input(
        tvt(*check_args(path)), ".inputs.description: expected text, got a lone UTF-16 surrogate"
    )


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_json_that_pulumis_reader_refuses_is_refused(clean_plan: Path, tmp_path: Path, encoding: str) -> None:
    """Go's encoding/json (pulumi stack import, --policy-pack-config) takes UTF-8 without a BOM only."""
    text = clean_plan.read_text(encoding="utf-8")
    plan = tmp_path / "plan.json"
    plan.write_bytes(text.encode(encoding))
    expected = "byte order mark" if encoding == "utf-8-sig" else "not JSON ('utf-8' codec can't decode"
    assert_bad_input(tvt(*check_args(plan)), f"{plan}: not JSON", expected)
    config = tmp_path / "policy.json"
    config.write_bytes("{}".encode(encoding))
    run = tvt(*check_args(clean_plan, "--policy-config", str(config)))
    assert_bad_input(run, f"{config}: not JSON", expected)


def test_an_out_that_is_a_named_pipe_is_named_so(tmp_path: Path) -> None:
    fifo = tmp_path / "out"
    os.mkfifo(fifo)
    run = tvt(*plan_args("clean", fifo))
    assert_bad_input(run, f"{fifo}: --out: expected a directory, found a named pipe")


def test_a_plan_over_the_size_limit_or_not_a_file_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "plan.json"
    os.mkfifo(fifo)
    assert_bad_input(
        tvt(*check_args(fifo)), f"{fifo}: cannot read the plan: expected a regular file, got a named pipe"
    )
    link = tmp_path / "zero.json"
    link.symlink_to("/dev/zero")
    assert_bad_input(tvt("diff", link, link), f"{link}: cannot read the plan: expected a regular file")


def test_a_directory_where_a_file_is_expected_is_refused(clean_plan: Path, tmp_path: Path) -> None:
    """A directory is refused by its name before anything reads it (``open`` of its descriptor
    would raise IsADirectoryError naming the descriptor's number: an internal error, exit 3)."""
    folder = tmp_path / "plan.json"
    folder.mkdir()
    assert_bad_input(
        tvt(*check_args(folder)), f"{folder}: cannot read the plan: expected a regular file, got a directory"
    )
    config = tmp_path / "config.json"
    config.mkdir()
    expected = f"{config}: cannot read the policy config: expected a regular file, got a directory"
    assert_bad_input(tvt(*check_args(clean_plan, "--policy-config", str(config))), expected)
    assert_bad_input(
        tvt(*plan_args("clean", tmp_path / "out", PROJECT, "--policy-config", str(config))), expected
    )
    assert not (tmp_path / "out").exists()


def _far_exemption(stack: str, years: int = 2) -> dict[str, Any]:
    return {
        "storage-tls": {
            "exemptions": [
                {
                    "resource": f"urn:pulumi:{stack}::tvt-platform::azure-native:storage:StorageAccount::*",
                    "reason": "accepted while the partner migrates its clients",
                    "approver": "TVT Senior Information Risk Owner",
                    "expires": f"{2026 + years}-06-01",
                }
            ]
        }
    }


@pytest.mark.parametrize("analyzer", ["inprocess", "grpc"])
def test_an_exemption_more_than_366_days_ahead_names_the_file(
    clean_plan: Path, tmp_path: Path, analyzer: str
) -> None:
    config = write(tmp_path / "policy.json", json.dumps(_far_exemption("clean")))
    check = tvt(
        *[a if a != "inprocess" else analyzer for a in check_args(clean_plan, "--policy-config", str(config))]
    )
    expected = f"{config}: storage-tls.exemptions[0].expires: 2028-06-01 is more than 366 days after today"
    assert_bad_input(check, expected)
    plan = tvt(*plan_args("clean", tmp_path / "out", PROJECT, "--policy-config", str(config)))
    assert_bad_input(plan, expected)
    assert not (tmp_path / "out").exists()


# --- --out that cannot be written ---------------------------------------------------------------------


def test_out_at_a_dangling_symlink_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "nowhere" / "at" / "all")
    run = tvt(*plan_args("clean", link))
    assert_bad_input(run, f"{link}: --out: expected a directory, found a symbolic link")
    assert not (tmp_path / "nowhere").exists(), "nothing is created where the link points"


@pytest.fixture
def immutable(tmp_path: Path) -> Any:
    """A directory nobody may change: chattr +i where the file system and privileges allow, else 0555."""
    directory = tmp_path / "locked"
    directory.mkdir()
    chattr = shutil.which("chattr")
    made = chattr and subprocess.run([chattr, "+i", str(directory)], capture_output=True, check=False)
    if chattr and made and made.returncode == 0:
        yield directory
        subprocess.run([chattr, "-i", str(directory)], check=True)
        return
    directory.chmod(stat.S_IRUSR | stat.S_IXUSR)
    yield directory
    directory.chmod(stat.S_IRWXU)


def test_out_at_or_under_an_immutable_directory_is_refused(immutable: Path, tmp_path: Path) -> None:
    for out, phrase in ((immutable, "--out: cannot write"), (immutable / "out", "--out: cannot write in")):
        run = tvt(*plan_args("clean", out))
        assert_bad_input(run, f"{out}: {phrase}")
    deeper = tvt(*plan_args("clean", immutable / "a" / "out"))
    assert_bad_input(deeper, "cannot create the output's parent directory")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["locked"], "no staging directory is left behind"
