"""The CI workflows: static checks (zizmor, schemas, shellcheck, pinning) and gates that can fail.

Every step that runs a gate command is executed under the shell GitHub would use, with the gate
replaced by a stub, to prove that the step fails when the gate fails.
"""

from __future__ import annotations

import os
import re
import shlex
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from tests.workflows.workflow_checks import (
    EXPRESSION,
    GITHUB_DEFAULT_SHELL,
    PIPEFAIL_BASH,
    PLACEHOLDER,
    REPO,
    SHELLCHECK_MISSING,
    WORKFLOWS,
    RunStep,
    azure_run_steps,
    github_run_steps,
    is_azure,
    run_steps,
    schema_check,
    shellcheck,
    substitute,
    workflow_files,
    zizmor,
)

FILES = workflow_files()
GITHUB_FILES = [path for path in FILES if not is_azure(path)]
STEPS = run_steps()

# Commands whose exit status is a verdict (tests, policy gate, data-loss alarm).
GATE = re.compile(r"(?<![\w./-])(?:make|(?:\.venv/bin/)?tvt)(?![\w.-])|\.ci/run\b")
GATE_STEPS = [step for step in STEPS if GATE.search(step.script)]

# The gate steps as they stand: discovery must keep finding these (a broken pattern would
# otherwise make the gate tests pass by testing nothing).
KNOWN_GATES = {
    ("ci.yml", "test", "make test (ruff, mypy, import contracts, workflow checks, pytest)"),
    ("ci.yml", "offline-plan", "Offline preview and policy evaluation (exit 1 on a mandatory violation)"),
    ("ci.yml", "replacement-alarm", "Plan this branch"),
    ("ci.yml", "replacement-alarm", "Plan the base branch"),
    ("ci.yml", "replacement-alarm", "Compare (exit 1 on a data-loss alarm)"),
    ("deploy.yml", "up", "Gate on the offline plan first (config, program and policies, no cloud calls)"),
    (
        "azure-pipelines.yml",
        "plan",
        "Offline preview and policy evaluation (exit 1 on a mandatory violation)",
    ),
    ("azure-pipelines-deploy.yml", "up", "Gate on the offline plan first (dev)"),
}

# Steps that pass when `tvt plan` exits 1 (a mandatory violation still writes plan.json): the
# replacement alarm only needs the plans, and offline-plan is the job that fails on violations.
# They must still fail on any other non-zero exit.
ACCEPTS_EXIT_1 = {
    ("ci.yml", "replacement-alarm", "Plan this branch"),
    ("ci.yml", "replacement-alarm", "Plan the base branch"),
}

# The compare step as it was before `defaults: run: shell: bash` (GitHub ran it with `bash -e`).
OLD_COMPARE = """\
if [ -f ../base/out/${{ matrix.stack }}/plan.json ]; then
  .venv/bin/tvt diff ../base/out/${{ matrix.stack }}/plan.json out/${{ matrix.stack }}/plan.json \
| tee -a "$GITHUB_STEP_SUMMARY"
else
  echo "No base plan for ${{ matrix.stack }}: nothing to compare." >> "$GITHUB_STEP_SUMMARY"
fi
"""
OLD_PUBLISH = (
    "test -f out/${{ matrix.stack }}/report.md && "
    'cat out/${{ matrix.stack }}/report.md >> "$GITHUB_STEP_SUMMARY" || true'
)

STUB = '#!/bin/sh\necho "stub $(basename "$0") $*"\nexit "${GATE_EXIT:-0}"\n'
# GNU make exits 2 when a recipe fails, whatever the recipe's own code: a step cannot tell tvt's 1
# from its 2 through make. Setting up the venv (`make setup`) is no verdict and succeeds.
MAKE_STUB = (
    '#!/bin/sh\necho "stub make $*"\ncase " $* " in *" setup "*) exit 0 ;; esac\n'
    '[ "${GATE_EXIT:-0}" -eq 0 ] || exit 2\n'
)
HELPER_STUB = "#!/bin/sh\nexit 0\n"


def key(step: RunStep) -> tuple[str, str, str]:
    return (step.workflow.name, step.job, step.step)


def ids(steps: list[RunStep]) -> list[str]:
    return [step.location for step in steps]


def executable(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


class Sandbox:
    """A checkout-shaped directory where gate commands are stubs exiting with GATE_EXIT.

    `make` and `tvt` are stubs first on PATH (make's exits 2 on a failed gate, as GNU make does),
    `.venv/bin/tvt` is a stub in the working directory and the base checkout, `.ci/run` one in the
    working directory, `git` is a no-op, and the plans and stack files the steps test for exist
    (under the name every `${{ }}` expression is replaced with), with a base checkout at ../base.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.work = root / "work"
        self.bin = root / "bin"
        self.summary = root / "summary.md"
        self.output = root / "output"
        executable(self.bin / "make", MAKE_STUB)
        executable(self.bin / "tvt", STUB)
        executable(self.bin / "git", HELPER_STUB)
        for tree in (self.work, root / "base"):
            executable(tree / ".venv" / "bin" / "tvt", STUB)
        executable(self.work / ".ci" / "run", STUB)
        for tree in (self.work, root / "base"):
            (tree / "Makefile").write_text("setup: ## the target the steps look for\n", encoding="utf-8")
            (tree / "stacks").mkdir(parents=True)
            (tree / "stacks" / f"Pulumi.{PLACEHOLDER}.yaml").write_text("config: {}\n", encoding="utf-8")
            (tree / "out" / PLACEHOLDER).mkdir(parents=True)
            (tree / "out" / PLACEHOLDER / "plan.json").write_text("{}\n", encoding="utf-8")

    def run(self, step: RunStep, gate_exit: int = 0) -> subprocess.CompletedProcess[str]:
        """Run the step's script exactly as GitHub would: its shell command line, `{0}` a file."""
        self.summary.write_text("", encoding="utf-8")
        self.output.write_text("", encoding="utf-8")
        script = self.root / "step.sh"
        script.write_text(substitute(step.script), encoding="utf-8")
        env = {
            "PATH": f"{self.bin}{os.pathsep}/usr/bin{os.pathsep}/bin",
            "HOME": str(self.root),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_OUTPUT": str(self.output),
            "GATE_EXIT": str(gate_exit),
            **step.env,
        }
        command = [word.replace("{0}", str(script)) for word in shlex.split(step.shell)]
        return subprocess.run(
            command, cwd=self.work, env=env, capture_output=True, text=True, timeout=30, check=False
        )


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    return Sandbox(tmp_path)


def old_step(script: str, shell: str = GITHUB_DEFAULT_SHELL) -> RunStep:
    return RunStep(Path("ci.yml"), "replacement-alarm", "old", script, shell)


def find(job: str, name: str) -> RunStep:
    return next(step for step in STEPS if step.job == job and step.step == name)


# --- the files -----------------------------------------------------------------------------------


def test_there_are_workflows_and_run_steps() -> None:
    assert {"ci.yml", "preview.yml", "deploy.yml"} <= {path.name for path in FILES}
    assert len(STEPS) >= 8, ids(STEPS)


def test_zizmor_reports_nothing() -> None:
    done = zizmor(GITHUB_FILES)
    assert done.returncode == 0, f"zizmor --offline --persona=auditor:\n{done.stdout}{done.stderr}"


# azure-pipelines.yml is checked against its own schema, where the repository has one.
SCHEMA_GROUPS = {"github-workflows": GITHUB_FILES, "azure-pipelines": [p for p in FILES if is_azure(p)]}


@pytest.mark.parametrize("group", [name for name, files in SCHEMA_GROUPS.items() if files])
def test_workflows_match_their_schema(group: str) -> None:
    done = schema_check(SCHEMA_GROUPS[group])
    assert done.returncode == 0, done.stdout + done.stderr


def test_shellcheck_passes_on_every_run_block() -> None:
    try:
        problems = shellcheck(STEPS)
    except FileNotFoundError:
        pytest.fail(SHELLCHECK_MISSING)
    assert not problems, "\n".join(problems)


def test_every_run_step_uses_bash_with_pipefail() -> None:
    wrong = [
        f"{step.location}: {step.shell}"
        for step in STEPS
        if not is_azure(step.workflow) and step.shell != PIPEFAIL_BASH
    ]
    assert not wrong, "set `defaults: run: shell: bash` (GitHub's default `bash -e` has no pipefail):\n" + (
        "\n".join(wrong)
    )


def test_run_blocks_take_expressions_through_env() -> None:
    spliced = [step.location for step in STEPS if EXPRESSION.search(step.script)]
    assert not spliced, f"an expression in a script is spliced into its code; pass it via `env:`: {spliced}"


USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<rest>.*)$")
PINNED = re.compile(r"^(?P<action>[\w.-]+/[\w.-]+(?:/[\w./-]+)?)@(?P<sha>[0-9a-f]{40})$")
VERSION_COMMENT = re.compile(r"^\s+# (?P<version>v\d+\.\d+\.\d+)$")


def uses_lines() -> Iterator[tuple[str, str, str]]:
    for path in GITHUB_FILES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if match := USES.match(line):
                yield f"{path.name}:{number}", match["ref"], match["rest"]


def test_every_action_is_pinned_to_a_commit_with_its_version() -> None:
    pins: dict[str, set[tuple[str, str]]] = {}
    problems = []
    for where, ref, rest in uses_lines():
        if ref.startswith(("$/", "./")):
            continue
        pinned, version = PINNED.match(ref), VERSION_COMMENT.match(rest)
        if not (pinned and version):
            problems.append(f"{where}: `{ref}{rest}` is not `owner/repo@<40-hex sha> # vX.Y.Z`")
            continue
        pins.setdefault(pinned["action"], set()).add((pinned["sha"], version["version"]))
    assert not problems, "\n".join(problems)
    assert pins, "no action references found"
    drift = {action: sorted(seen) for action, seen in pins.items() if len(seen) > 1}
    assert not drift, f"one action, one pin: {drift}"


def test_zizmor_ignores_carry_a_reason() -> None:
    ignore = re.compile(r"#\s*zizmor:\s*ignore\[[^\]]*\](?P<reason>.*)$")
    bare = [
        f"{path.name}:{number}"
        for path in GITHUB_FILES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if (match := ignore.search(line)) and len(match["reason"].strip(" :-—")) < 10
    ]
    assert not bare, f"a `# zizmor: ignore[...]` needs its reason on the same line: {bare}"


def test_no_workflow_dispatch_inputs() -> None:
    # Checkov CKV_GHA_7: what a run builds must not depend on parameters typed in at dispatch.
    with_inputs = []
    for path in GITHUB_FILES:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        triggers = document.get("on", document.get(True))  # YAML 1.1 reads a bare `on` as true
        dispatch = triggers.get("workflow_dispatch") if isinstance(triggers, dict) else None
        if isinstance(dispatch, dict) and dispatch.get("inputs"):
            with_inputs.append(path.name)
    assert not with_inputs, f"workflow_dispatch inputs in {with_inputs}: fix the value in a workflow per case"


def test_each_stack_has_a_deploy_workflow() -> None:
    """deploy.yml is called with the stack fixed, one entry workflow per stack file."""
    for stack_file in sorted((REPO / "stacks").glob("Pulumi.*.yaml")):
        stack = stack_file.name.removeprefix("Pulumi.").removesuffix(".yaml")
        caller = WORKFLOWS / f"deploy-{stack}.yml"
        assert caller.exists(), f"{stack_file.name} has no {caller.name}"
        (job,) = yaml.safe_load(caller.read_text(encoding="utf-8"))["jobs"].values()
        assert job["uses"] == "$/.github/workflows/deploy.yml", caller.name
        assert job["with"] == {"stack": stack}, caller.name


# --- the gates -----------------------------------------------------------------------------------


def test_gate_steps_are_discovered() -> None:
    found = {key(step) for step in GATE_STEPS}
    assert found >= KNOWN_GATES, f"gate steps not found any more: {sorted(KNOWN_GATES - found)}"
    assert found >= ACCEPTS_EXIT_1, f"stale ACCEPTS_EXIT_1 entries: {sorted(ACCEPTS_EXIT_1 - found)}"


@pytest.mark.parametrize("step", GATE_STEPS, ids=ids(GATE_STEPS))
def test_gate_step_passes_when_its_gate_passes(step: RunStep, sandbox: Sandbox) -> None:
    done = sandbox.run(step, gate_exit=0)
    assert done.returncode == 0, f"{step.location} fails even with passing stubs:\n{done.stdout}{done.stderr}"


@pytest.mark.parametrize("gate_exit", [1, 2])
@pytest.mark.parametrize("step", GATE_STEPS, ids=ids(GATE_STEPS))
def test_gate_step_fails_when_its_gate_fails(step: RunStep, gate_exit: int, sandbox: Sandbox) -> None:
    done = sandbox.run(step, gate_exit=gate_exit)
    if gate_exit == 1 and key(step) in ACCEPTS_EXIT_1:
        assert done.returncode == 0, f"{step.location} should accept exit 1:\n{done.stdout}{done.stderr}"
    else:
        assert done.returncode != 0, f"{step.location} passed although its gate command exited {gate_exit}"


def test_the_alarm_still_reaches_the_job_summary(sandbox: Sandbox) -> None:
    done = sandbox.run(find("replacement-alarm", "Compare (exit 1 on a data-loss alarm)"), gate_exit=1)
    assert done.returncode == 1
    assert "stub tvt diff ../base/out/" in sandbox.summary.read_text(encoding="utf-8")


def test_the_report_is_published_when_it_exists(sandbox: Sandbox) -> None:
    step = find("offline-plan", "Publish the policy report to the job summary")
    assert sandbox.run(step).returncode == 0  # no report (the plan failed early): nothing to publish
    assert sandbox.summary.read_text(encoding="utf-8") == ""
    (sandbox.work / "out" / PLACEHOLDER / "report.md").write_text("# report\n", encoding="utf-8")
    assert sandbox.run(step).returncode == 0
    assert sandbox.summary.read_text(encoding="utf-8") == "# report\n"


# --- the checks can fail -------------------------------------------------------------------------


def test_old_tee_step_passed_under_bash_e_and_fails_under_pipefail(sandbox: Sandbox) -> None:
    """The bug this suite guards: under GitHub's default `bash -e` the step took tee's status."""
    step = old_step(OLD_COMPARE)
    assert GATE.search(step.script)
    assert sandbox.run(step, gate_exit=1).returncode == 0, "bash -e should have hidden the alarm"
    assert sandbox.run(replace(step, shell=PIPEFAIL_BASH), gate_exit=1).returncode == 1


def test_a_workflow_without_a_shell_default_is_caught(tmp_path: Path) -> None:
    workflow = tmp_path / "old.yml"
    job = {"runs-on": "ubuntu-latest", "steps": [{"name": "s", "run": "true"}]}
    workflow.write_text(yaml.safe_dump({"on": "push", "jobs": {"a": job}}), encoding="utf-8")
    (step,) = github_run_steps(workflow)
    assert step.shell == GITHUB_DEFAULT_SHELL != PIPEFAIL_BASH


def test_shellcheck_reports_the_old_publish_step() -> None:
    try:
        problems = shellcheck([old_step(OLD_PUBLISH)])
    except FileNotFoundError:
        pytest.fail(SHELLCHECK_MISSING)
    assert len(problems) == 1 and "SC2015" in problems[0], problems
    assert problems[0].startswith("ci.yml: job 'replacement-alarm', step 'old', line 1 of its run block")


def test_zizmor_reports_an_unpinned_action(tmp_path: Path) -> None:
    workflow = tmp_path / "unpinned.yml"
    workflow.write_text(
        "name: x\non: push\npermissions: {}\njobs:\n  a:\n    name: a\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - name: c\n        uses: actions/checkout@v4\n",
        encoding="utf-8",
    )
    done = zizmor([workflow])
    assert done.returncode != 0
    assert "unpinned-uses" in done.stdout and "artipacked" in done.stdout


def test_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    workflow = tmp_path / "broken.yml"
    workflow.write_text("on: push\njobs:\n  a:\n    steps: 3\n", encoding="utf-8")
    assert schema_check([workflow]).returncode != 0


def test_azure_pipeline_steps_are_extracted(tmp_path: Path) -> None:
    pipeline = tmp_path / "azure-pipelines.yml"
    pipeline.write_text(
        "jobs:\n  - job: build\n    steps:\n      - bash: echo $(Build.SourceBranch)\n"
        "        displayName: Show\n      - script: make test\n",
        encoding="utf-8",
    )
    steps = list(azure_run_steps(pipeline))
    assert [(s.job, s.step, s.script) for s in steps] == [
        ("build", "Show", "echo $(Build.SourceBranch)"),
        ("build", "#2", "make test"),
    ]
    try:
        problems = shellcheck(steps)
    except FileNotFoundError:
        pytest.fail(SHELLCHECK_MISSING)
    assert not problems, problems  # `$(macro)` is expanded by Azure, not run by the shell


# --- report.yml: the workflow_run half trusts no artifact -----------------------------------------


def _find_pr(sandbox: Sandbox, claimed: str, head: str) -> subprocess.CompletedProcess[str]:
    step = find("publish", "Find the pull request (digits, and its head is the commit ci ran on)")
    (sandbox.work / "artifacts" / "comment-dev").mkdir(parents=True)
    (sandbox.work / "artifacts" / "comment-dev" / "pr-number").write_text(claimed + "\n", encoding="utf-8")
    executable(sandbox.bin / "gh", f"#!/bin/sh\necho {head}\n")
    return sandbox.run(replace(step, env={**step.env, "EVENT": "pull_request", "HEAD_SHA": "abc123"}))


def test_report_accepts_a_pull_request_whose_head_is_the_run_s_commit(sandbox: Sandbox) -> None:
    done = _find_pr(sandbox, "42", "abc123")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "number=42" in sandbox.output.read_text() and "ref=refs/pull/42/head" in sandbox.output.read_text()


@pytest.mark.parametrize(("claimed", "head"), [("42; rm -rf /", "abc123"), ("", "abc123"), ("42", "other")])
def test_report_refuses_a_forged_pull_request_number(sandbox: Sandbox, claimed: str, head: str) -> None:
    done = _find_pr(sandbox, claimed, head)
    assert done.returncode != 0 and "number=" not in sandbox.output.read_text()
