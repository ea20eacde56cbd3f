"""Static checks of the CI workflow files: zizmor, the built-in workflow schemas, shellcheck on run blocks.

``python -m tests.workflows.workflow_checks`` runs all three (``make lint-workflows``); the tests in
``test_workflows.py`` run each one and also execute the gate steps.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
AZURE_PIPELINES = REPO / "azure-pipelines.yml"  # the offline gates; azure-pipelines-*.yml beside it

# The command lines GitHub runs a Linux step with (docs: "Workflow syntax", jobs.<id>.steps[*].shell).
# With no `shell:` anywhere GitHub uses plain `bash -e`: no pipefail, so `gate | tee` passes.
GITHUB_DEFAULT_SHELL = "bash -e {0}"
GITHUB_SHELLS = {
    "bash": "bash --noprofile --norc -eo pipefail {0}",
    "sh": "sh -e {0}",
}
PIPEFAIL_BASH = GITHUB_SHELLS["bash"]
# Azure Pipelines runs `bash:` and Linux `script:` steps with bash, without errexit.
AZURE_SHELL = "bash --noprofile --norc {0}"

# `${{ ... }}` (both systems) and Azure's `$(macro)` are expanded before the shell sees the script.
EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)
AZURE_MACRO = re.compile(r"\$\((?=[A-Za-z_][\w.]*\))[\w.]+\)")
PLACEHOLDER = "EXPRESSION"

SHELLCHECK_MISSING = (
    "shellcheck is not installed, so the workflows' run blocks cannot be checked: "
    "`apt-get install -y shellcheck` (.ci/run installs it when it is missing)"
)


@dataclass(frozen=True)
class RunStep:
    """One shell step of a workflow, with the shell and environment it would run with."""

    workflow: Path
    job: str
    step: str
    script: str
    shell: str
    env: Mapping[str, str] = field(default_factory=dict)

    @property
    def location(self) -> str:
        return f"{self.workflow.name}: job {self.job!r}, step {self.step!r}"


def workflow_files() -> list[Path]:
    """Every GitHub workflow, and azure-pipelines.yml where there is one."""
    files = sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])
    return [*files, *sorted(REPO.glob("azure-pipelines*.yml"))]


def is_azure(path: Path) -> bool:
    return path.name.startswith("azure-pipelines") and path.suffix in {".yml", ".yaml"}


def substitute(text: str) -> str:
    """The script as a shell would see it, with every expression replaced by one placeholder word."""
    return AZURE_MACRO.sub(PLACEHOLDER, EXPRESSION.sub(PLACEHOLDER, text))


def load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return document


def shell_command(shell: str | None) -> str:
    """GitHub's command line for a `shell:` value (a custom shell is given with its own `{0}`)."""
    if shell is None:
        return GITHUB_DEFAULT_SHELL
    return GITHUB_SHELLS.get(shell, shell)


def _default_shell(node: Mapping[str, Any]) -> str | None:
    shell = ((node.get("defaults") or {}).get("run") or {}).get("shell")
    return str(shell) if shell is not None else None


def _env(*nodes: Mapping[str, Any]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for node in nodes:
        env = node.get("env")
        if isinstance(env, dict):
            merged |= {str(k): substitute(str(v)) for k, v in env.items()}
    return merged


def github_run_steps(path: Path) -> Iterator[RunStep]:
    document = load(path)
    for job_id, job in (document.get("jobs") or {}).items():
        for index, step in enumerate(job.get("steps") or [], start=1):
            if "run" not in step:
                continue
            shell = step.get("shell") or _default_shell(job) or _default_shell(document)
            yield RunStep(
                workflow=path,
                job=str(job_id),
                step=str(step.get("name") or step.get("id") or f"#{index}"),
                script=str(step["run"]),
                shell=shell_command(shell),
                env=_env(document, job, step),
            )


def azure_run_steps(path: Path) -> Iterator[RunStep]:
    """`bash:` and `script:` steps anywhere in an Azure pipeline (stages, jobs, steps or templates)."""

    def walk(node: Any, job: str) -> Iterator[RunStep]:
        if isinstance(node, list):
            for index, item in enumerate(node, start=1):
                if isinstance(item, dict) and ("bash" in item or "script" in item):
                    script = item.get("bash", item.get("script"))
                    name = item.get("displayName") or item.get("name") or f"#{index}"
                    yield RunStep(path, job, str(name), str(script), AZURE_SHELL, _env(item))
                else:
                    yield from walk(item, job)
        elif isinstance(node, dict):
            job = str(node.get("job") or node.get("deployment") or job)
            for value in node.values():
                yield from walk(value, job)

    yield from walk(load(path), "(pipeline)")


def run_steps(paths: list[Path] | None = None) -> list[RunStep]:
    steps: list[RunStep] = []
    for path in workflow_files() if paths is None else paths:
        steps.extend(azure_run_steps(path) if is_azure(path) else github_run_steps(path))
    return steps


def prelude(shell: str) -> list[str]:
    """Lines that tell shellcheck which shell runs the block and with which options."""
    words = shlex.split(shell)
    program = Path(words[0]).name
    options = [w for w in words[1:] if w not in {"{0}", "--noprofile", "--norc"}]
    lines = [f"# shellcheck shell={program}"]
    return [*lines, f"set {' '.join(options)}"] if options else lines


def tool(name: str) -> str | None:
    """A tool from this environment's bin directory (the venv), else from PATH."""
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else shutil.which(name)


def shellcheck(steps: list[RunStep]) -> list[str]:
    """One message per shellcheck finding, naming the workflow, job, step and line of the run block."""
    program = shutil.which("shellcheck")
    if program is None:
        raise FileNotFoundError(SHELLCHECK_MISSING)
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="run-blocks-") as tmp:
        files: dict[str, tuple[RunStep, int]] = {}
        for index, step in enumerate(steps):
            head = prelude(step.shell)
            script = Path(tmp) / f"step{index}.sh"
            script.write_text("\n".join([*head, substitute(step.script)]) + "\n", encoding="utf-8")
            files[str(script)] = (step, len(head))
        if not files:
            return problems
        done = subprocess.run(
            [program, "--format=json1", "--external-sources", *files],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode not in {0, 1}:
            return [f"shellcheck failed to run (exit {done.returncode}): {done.stderr.strip()}"]
        for comment in json.loads(done.stdout)["comments"]:
            step, offset = files[comment["file"]]
            problems.append(
                f"{step.location}, line {comment['line'] - offset} of its run block: "
                f"SC{comment['code']} ({comment['level']}) {comment['message']}"
            )
    return problems


def zizmor(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    """zizmor at its strictest persona, offline (no GitHub API calls)."""
    program = tool("zizmor")
    if program is None:
        raise FileNotFoundError("zizmor is not installed: `uv sync --frozen` (it is in the dev group)")
    return subprocess.run(
        [program, "--offline", "--persona=auditor", "--no-progress", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )


def schema_check(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    """check-jsonschema against its vendored schema for the file's kind; built-in, so no download."""
    program = tool("check-jsonschema")
    if program is None:
        raise FileNotFoundError("check-jsonschema is not installed: `uv sync --frozen` (dev group)")
    schema = "vendor.azure-pipelines" if all(map(is_azure, paths)) else "vendor.github-workflows"
    if any(map(is_azure, paths)) and not all(map(is_azure, paths)):
        raise ValueError("check GitHub workflows and Azure pipelines in separate calls")
    # The vendored Azure Pipelines schema has patterns only Python's regex engine reads; the
    # default (ECMAScript, via regress) stops on them with "Invalid character escape".
    variant = ["--regex-variant", "python"] if schema == "vendor.azure-pipelines" else []
    return subprocess.run(
        [program, "--builtin-schema", schema, *variant, *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )


def main() -> int:
    files = workflow_files()
    github = [p for p in files if not is_azure(p)]
    azure = [p for p in files if is_azure(p)]
    failed = False
    for done in [zizmor(github), *(schema_check(group) for group in (github, azure) if group)]:
        if done.returncode != 0:
            failed = True
            print(done.stdout + done.stderr, file=sys.stderr)
    try:
        problems = shellcheck(run_steps(files))
    except FileNotFoundError as missing:
        problems = [str(missing)]
    for problem in problems:
        print(problem, file=sys.stderr)
    if failed or problems:
        return 1
    print(f"workflows ok: {len(files)} files, zizmor, schemas and shellcheck clean")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
