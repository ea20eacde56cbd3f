"""The two preview commands as plain functions: ``tvt plan`` (five steps) and ``tvt check``.

``run_plan``: validate the stack config, run the real program under the SDK's mocks, write the plan
in Pulumi's stack-export format, evaluate the policy pack through the analyzer protocol, write
``findings.json`` and ``report.md``, print a summary. Everything is built in memory and the output
directory is written in one rename, so a failure at any step leaves no half-written output.

``run_check``: evaluate a saved plan through the same code (``parse_plan`` + ``evaluate``). The
pack gets the stack's config in ``ConfigureStack`` either way: ``tvt plan`` has just read the stack
file, ``tvt check`` reads ``stacks/Pulumi.<stack>.yaml`` under ``--root`` for the stack the plan's
URNs name (when there is none, it says so and the rules that need the config fail closed).

Exit codes: 0 no mandatory violation, 1 at least one, 2 bad input (or a program/pack that cannot
run), always with a message that names the file and the key, never a traceback.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import pulumi

from components.config.load import ConfigError, load_stack, read_stack_file, stack_file, today
from components.config.model import StackConfig
from scripts.commands.exit_codes import EXIT_BAD_INPUT, EXIT_OK, EXIT_VIOLATION
from scripts.commands.progress import Progress, Timings
from scripts.engine.analyzer import open_analyzer
from scripts.engine.capture import ROOT, Capture, run_program
from scripts.engine.errors import PreviewError
from scripts.engine.evaluate import evaluate
from scripts.engine.export import build_deployment, dumps
from scripts.engine.output import write_directory
from scripts.engine.plan import Plan, load_plan, parse_plan
from scripts.review.findings import Finding, Review, findings_json, review
from scripts.review.levels import plan_levels
from scripts.review.report import ReportInputs, downgrade_lines, report_markdown, summary_text

PLAN_FILE, FINDINGS_FILE, REPORT_FILE = "plan.json", "findings.json", "report.md"


@dataclass(frozen=True)
class PlanOptions:
    stack: str
    out: Path
    root: Path = ROOT
    pack: Path | None = None  # default: <root>/policies
    policy_config: Path | None = None  # default: <root>/policies/config/<stack>.json
    analyzer: str = "grpc"


@dataclass(frozen=True)
class CheckOptions:
    plan: Path
    root: Path = ROOT
    pack: Path | None = None
    policy_config: Path | None = None
    format: str = "text"
    analyzer: str = "grpc"


def display(path: Path, root: Path) -> str:
    """A path as outputs show it: relative to the repository when inside it, else just the file name."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def default_policy_config(root: Path, stack: str, err: TextIO) -> Path | None:
    path = root / "policies" / "config" / f"{stack}.json"
    if path.is_file():
        return path
    err.write(f"note: no policy config at {display(path, root)}; the pack's own defaults apply\n")
    return None


# Pulumi's stack names; anything else (a hand-edited plan's URNs) is never turned into a path.
_STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def plan_stack_config(root: Path, stack: str, err: TextIO) -> dict[str, Any] | None:
    """The ``config:`` mapping of the plan's stack file under ``root``, or None (with a note) if it has none.

    The plan itself records only the default providers' ``azure-native:*`` config, so the stack's
    own config (the use-case register above all) comes from the stack file. Without it the pack
    gets an empty stack config and fails level-3 group grants closed, which is the right answer
    for a plan nobody can vouch for.
    """
    path = stack_file(stack, root) if _STACK_NAME.match(stack) and stack not in (".", "..") else None
    if path is None or not path.is_file():
        shown = display(path, root) if path is not None else f"stacks/Pulumi.{stack}.yaml"
        err.write(
            f"note: no stack file at {shown}; the pack gets no stack config, so rules that need it "
            "(identity-level3-use-case: the use-case register tvt:useCases) fail closed\n"
        )
        return None
    try:
        return read_stack_file(path, root=root)
    except ConfigError as error:
        raise PreviewError(*(str(i) for i in error.issues)) from None


def findings_bytes(findings: tuple[Finding, ...]) -> bytes:
    """``findings.json`` and ``tvt check --format json``: the same list, the same bytes."""
    return (json.dumps(findings_json(findings), indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def today_iso() -> str:
    try:
        return today().isoformat()
    except ConfigError as error:
        raise PreviewError(*(str(i) for i in error.issues)) from None


# --- step 1: the stack config ---------------------------------------------------------------


def validate_stack(stack: str, root: Path) -> tuple[StackConfig, dict[str, Any]]:
    """The validated config and the raw ``config:`` mapping the program gets, or every issue."""
    try:
        return load_stack(stack, root), read_stack_file(stack_file(stack, root), root=root)
    except ConfigError as error:
        raise PreviewError(*(str(i) for i in error.issues)) from None


# --- step 2: the program ----------------------------------------------------------------------


@contextlib.contextmanager
def _as_project(root: Path) -> Iterator[None]:
    """Run as the Pulumi CLI runs a program: from the project directory, importable from there."""
    added = str(root.resolve()) not in sys.path
    if added:
        sys.path.insert(0, str(root.resolve()))
    try:
        with contextlib.chdir(root):
            yield
    finally:
        if added:
            sys.path.remove(str(root.resolve()))


def _where(error: BaseException, root: Path) -> str:
    """The innermost frame of the program's own code, as ``path:line`` relative to the project."""
    frames = [
        f
        for f in traceback.extract_tb(error.__traceback__)
        if Path(f.filename).resolve().is_relative_to(root.resolve()) and "site-packages" not in f.filename
    ]
    return f" (raised at {display(Path(frames[-1].filename), root)}:{frames[-1].lineno})" if frames else ""


def program_failure(program: str, stack: str, error: BaseException, root: Path) -> str:
    detail = " ".join(str(error).split()) or type(error).__name__
    if isinstance(error, pulumi.RunError):
        return f"{program}: the Pulumi program stopped for stack {stack}: {detail}. No plan was written."
    return (
        f"{program}: the Pulumi program failed for stack {stack} with {type(error).__name__}: {detail}"
        f"{_where(error, root)}. No plan was written; fix the program (or its config) and run tvt plan again."
    )


def run_stack_program(
    options: PlanOptions, config: Mapping[str, Any], progress: Progress | None = None
) -> Capture:
    root = options.root.resolve()  # the program runs from its project directory
    program = root / "__main__.py"
    label = display(program, root)
    if not program.is_file():
        raise PreviewError(f"{label}: no Pulumi program (expected __main__.py under --root {options.root})")
    subscription = str(config.get("tvt:subscriptionId", "00000000-0000-0000-0000-000000000000"))

    def counted(n: int) -> None:
        if progress is not None:
            progress.update(f"running the program for stack {options.stack}: {n} resources")

    try:
        with _as_project(root):
            capture = run_program(
                program,
                stack=options.stack,
                config=config,
                subscription_id=subscription,
                project_root=root,
                on_register=counted,
            )
    except (Exception, SystemExit) as error:  # noqa: BLE001  (any program failure: one paragraph)
        raise PreviewError(program_failure(label, options.stack, error, root)) from None
    if capture.errors:
        raise PreviewError(
            f"{label}: the Pulumi program logged {len(capture.errors)} error(s) for stack {options.stack}: "
            + " | ".join(" ".join(e.split()) for e in capture.errors)
            + ". No plan was written."
        )
    return capture


# --- steps 3-5 -----------------------------------------------------------------------------


def group_names(config: StackConfig) -> dict[str, str]:
    return {g.object_id.lower(): g.display_name for p in config.partners for g in p.groups}


def evaluate_plan(
    plan: Plan,
    options: PlanOptions | CheckOptions,
    config_path: Path | None,
    progress: Progress | None,
    stack_config: Mapping[str, Any] | None,
) -> Review:
    """Step 4, shared by ``tvt plan`` and ``tvt check``; ``stack_config`` is the stack file's ``config:``."""
    packdir = options.pack or options.root / "policies"

    def tick(done: int, total: int) -> None:
        if progress is not None:
            progress.update(f"evaluating policies: {done}/{total} resources")

    with open_analyzer(options.analyzer, packdir) as analyzer:
        return review(evaluate(plan, analyzer, config_path, tick, stack_config), plan)


def run_plan(options: PlanOptions, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr  # looked up per call, so redirection works
    timings = Timings()
    try:
        with Progress(err) as progress:
            progress.update(f"validating stacks/Pulumi.{options.stack}.yaml")
            with timings.phase("validate"):
                config, raw_config = validate_stack(options.stack, options.root)
            progress.update(f"running the program for stack {options.stack}")
            with timings.phase("program"):
                capture = run_stack_program(options, raw_config, progress)
            with timings.phase("export"):
                plan_bytes = dumps(build_deployment(capture, raw_config))
            config_path = options.policy_config or default_policy_config(options.root, options.stack, err)
            with timings.phase("policy"):
                plan = parse_plan(json.loads(plan_bytes), PLAN_FILE)
                verdict = evaluate_plan(plan, options, config_path, progress, raw_config)
            with timings.phase("report"):
                inputs = ReportInputs(
                    plan=plan,
                    review=verdict,
                    levels=plan_levels(plan),
                    group_names=group_names(config),
                    today=today_iso(),
                    config_label=display(config_path, options.root) if config_path else "pack defaults",
                )
                files = {
                    PLAN_FILE: plan_bytes,
                    FINDINGS_FILE: findings_bytes(verdict.findings),
                    REPORT_FILE: report_markdown(inputs).encode(),
                }
            with timings.phase("write"):
                write_directory(options.out, files)
    except PreviewError as error:
        err.write(f"tvt plan: {error}\n")
        return EXIT_BAD_INPUT
    out.write(summary_text(inputs, f"{options.out}/{PLAN_FILE}"))
    err.write(f"{timings.line()}\n")
    return EXIT_VIOLATION if verdict.mandatory else EXIT_OK


def finding_line(f: Finding) -> str:
    exempt = (
        f" [exempted: approved by {f.exemption.exemption.approver} until {f.exemption.exemption.expires}]"
        if f.exemption
        else ""
    )
    message = " ".join(f.message.split())
    return f"{f.enforcement.upper():10} {f.rule} ({f.severity}) {f.type} {f.name}{exempt}: {message}"


def run_check(options: CheckOptions, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        with Progress(err) as progress:
            plan = load_plan(options.plan)
            config_path = options.policy_config or default_policy_config(options.root, plan.stack, err)
            stack_config = plan_stack_config(options.root, plan.stack, err)
            verdict = evaluate_plan(plan, options, config_path, progress, stack_config)
    except PreviewError as error:
        err.write(f"tvt check: {error}\n")
        return EXIT_BAD_INPUT
    label = display(config_path, options.root) if config_path else "pack defaults"
    downgrades = [line + "\n" for line in downgrade_lines(verdict.evaluation, label)]
    if options.format == "json":
        out.write(findings_bytes(verdict.findings).decode())
        if verdict.evaluation.downgrades:  # stdout stays the findings list, yet a downgrade is never silent
            err.writelines(downgrades)
    else:
        out.writelines(finding_line(f) + "\n" for f in verdict.findings)
        out.writelines(downgrades)
        mandatory = len(verdict.mandatory)
        out.write(
            f"{plan.stack}: {len(verdict.findings)} findings, {mandatory} mandatory -> "
            f"{'FAIL' if mandatory else 'PASS'}\n"
        )
    return EXIT_VIOLATION if verdict.mandatory else EXIT_OK
