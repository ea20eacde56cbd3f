"""The two preview commands as plain functions: ``tvt plan`` (five steps) and ``tvt check``.

``run_plan``: validate the stack config, run the real program under the SDK's mocks, write the plan
in Pulumi's stack-export format, evaluate the policy pack through the analyzer protocol, write the
review outputs beside it (``scripts.review.outputs``: findings, Markdown, HTML, SARIF, JUnit), print
the verdict. Everything is built in memory and the output directory is written in one rename, so a
failure at any step leaves no half-written output. ``run_report`` does the same for a saved plan.

``run_check``: evaluate a saved plan through the same code (``parse_plan`` + ``evaluate``). The
pack gets the stack's config in ``ConfigureStack`` either way: ``tvt plan`` has just read the stack
file, ``tvt check`` reads ``stacks/Pulumi.<stack>.yaml`` under ``--root`` for the stack the plan's
URNs name (when there is none, it says so and the rules that need the config fail closed).

Exit codes: 0 no mandatory violation, 1 at least one, 2 bad input (or a program/pack that cannot
run), always with a message that names the file and the key, never a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import pulumi

from components.config.issues import ConfigIssue
from components.config.load import (
    ConfigError,
    build_stack_config,
    parse_stack_config,
    read_stack_file,
    stack_file,
    today,
)
from components.config.model import StackConfig
from components.config.schema import schema_issues
from policies.clock import TODAY_ENV
from policies.heap import settled_heap
from scripts.commands import terminal
from scripts.commands.exit_codes import EXIT_OK, EXIT_VIOLATION, report_bad_input
from scripts.commands.progress import Progress, Timings
from scripts.engine.ahead import Ahead, analyze_ahead
from scripts.engine.analyzer import DEFAULT_TRANSPORT, open_analyzer
from scripts.engine.capture import PROJECT, ROOT, Capture, CapturedResource, run_program
from scripts.engine.errors import PreviewError
from scripts.engine.evaluate import Requests, evaluate
from scripts.engine.export import build_deployment, dumps, known_secrets, redact_text, redacted_copy
from scripts.engine.output import write_directory
from scripts.engine.plan import Plan, parse_plan, read_plan_file
from scripts.review.findings import Judged, Review, review
from scripts.review.levels import plan_levels
from scripts.review.outputs import PLAN_FILE, findings_bytes, report_files
from scripts.review.report import ReportInputs
from scripts.review.stack_facts import NO_FACTS, StackFacts, stack_facts
from scripts.review.text import escape_controls


@dataclass(frozen=True)
class PlanOptions:
    stack: str
    out: Path
    root: Path = ROOT
    pack: Path | None = None  # default: <root>/policies
    policy_config: Path | None = None  # default: <root>/policies/config/<stack>.json
    analyzer: str = DEFAULT_TRANSPORT


@dataclass(frozen=True)
class CheckOptions:
    plan: Path
    root: Path = ROOT
    pack: Path | None = None
    policy_config: Path | None = None
    format: str = "text"
    analyzer: str = DEFAULT_TRANSPORT


def display(path: Path, root: Path) -> str:
    """A path as outputs show it: relative to the repository when inside it, else just the file name."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


# Pulumi's stack names; anything else (a hand-edited plan's URNs) is never turned into a path.
_STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def _path_safe(stack: str) -> bool:
    return bool(_STACK_NAME.match(stack)) and stack not in (".", "..")


def default_policy_config(root: Path, stack: str, err: TextIO) -> Path | None:
    path = root / "policies" / "config" / f"{stack}.json"
    if _path_safe(stack) and path.is_file():
        return path
    note = f"note: no policy config at {display(path, root)}; the pack's own defaults apply"
    err.write(escape_controls(note) + "\n")
    return None


def plan_stack_config(root: Path, stack: str, err: TextIO) -> dict[str, Any] | None:
    """The ``config:`` mapping of the plan's stack file under ``root``, or None (with a note) if it has none.

    The plan itself records only the default providers' ``azure-native:*`` config, so the stack's
    own config (the use-case register above all) comes from the stack file. Without it the pack
    gets an empty stack config and fails level-3 group grants closed, which is the right answer
    for a plan nobody can vouch for.
    """
    path = stack_file(stack, root) if _path_safe(stack) else None
    if path is None or not path.is_file():
        shown = display(path, root) if path is not None else f"stacks/Pulumi.{stack}.yaml"
        note = (
            f"note: no stack file at {shown}; the pack gets no stack config, so rules that need it "
            "(identity-level3-use-case: the use-case register tvt:useCases) fail closed"
        )
        err.write(escape_controls(note) + "\n")
        return None
    try:
        return read_stack_file(path, root=root)
    except ConfigError as error:
        raise PreviewError(*(str(i) for i in error.issues)) from None


def saved_plan_facts(config: Mapping[str, Any] | None, stack: str, root: Path) -> StackFacts:
    """Group names and use cases from a saved plan's stack file; its schema must hold (exit 2 otherwise).

    Semantic checks are left out on purpose: a report on a plan whose use case has since expired
    must still say so, not refuse to be written.
    """
    if config is None:
        return NO_FACTS
    source = display(stack_file(stack, root), root)
    issues: list[ConfigIssue] = schema_issues(config, source)
    if issues:
        raise PreviewError(*(str(i) for i in issues))
    return stack_facts(build_stack_config(config, stack=stack, source=source))


# --- step 1: the stack config ---------------------------------------------------------------


def validate_stack(stack: str, root: Path) -> tuple[StackConfig, dict[str, Any]]:
    """The validated config and the raw ``config:`` mapping the program gets, or every issue."""
    path = stack_file(stack, root)
    try:  # one read serves both: the file is parsed once (it dominates validation on a large estate)
        raw = read_stack_file(path, root=root)
        return parse_stack_config(raw, stack=stack, source=display(path, root)), raw
    except ConfigError as error:
        raise PreviewError(*(str(i) for i in error.issues)) from None


# --- step 2: the program ----------------------------------------------------------------------


def _top_level_names(root: Path) -> set[str]:
    """The packages and modules a project directory provides (``components``, ``policies``, ...)."""
    names = {p.name for p in root.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    return names | {p.stem for p in root.glob("*.py") if p.stem != "__main__"}


def _under(names: set[str]) -> list[str]:
    return [m for m in sys.modules if m.split(".", 1)[0] in names]


@contextlib.contextmanager
def _as_project(root: Path) -> Iterator[None]:
    """Run as the Pulumi CLI runs a program: from the project directory, with the project's own code.

    Another checkout's ``--root`` brings its own ``components`` (and any other package beside its
    ``__main__.py``); this process has already imported this checkout's, which Python would hand
    the program instead. So for the run those modules leave ``sys.modules``, the program imports
    the root's, and afterwards the root's leave and this checkout's come back.
    """
    root = root.resolve()
    names = _top_level_names(root) if root != ROOT.resolve() else set()
    saved = {m: sys.modules.pop(m) for m in _under(names)}
    added = str(root) not in sys.path
    if added:
        sys.path.insert(0, str(root))
    try:
        with contextlib.chdir(root):
            yield
    finally:
        if added:
            sys.path.remove(str(root))
        for m in _under(names):
            del sys.modules[m]
        sys.modules.update(saved)


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
    options: PlanOptions,
    config: Mapping[str, Any],
    progress: Progress | None = None,
    on_resource: Callable[[CapturedResource], None] | None = None,
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
                on_resource=on_resource,
            )
    except (Exception, SystemExit) as error:  # noqa: BLE001  (any program failure: one paragraph)
        failure = program_failure(label, options.stack, error, root)
        raise PreviewError(redact_text(failure, known_secrets(None, config))) from None
    if capture.errors:
        logged = " | ".join(" ".join(e.split()) for e in capture.errors)
        raise PreviewError(
            f"{label}: the Pulumi program logged {len(capture.errors)} error(s) for stack {options.stack}: "
            + redact_text(logged, known_secrets(capture, config))
            + ". No plan was written."
        )
    return capture


# --- steps 3-5 -----------------------------------------------------------------------------


def evaluate_plan(
    plan: Plan,
    options: PlanOptions | CheckOptions,
    config_path: Path | None,
    progress: Progress | None,
    stack_config: Mapping[str, Any] | None,
    *,
    ahead: Ahead | None = None,
    requests: Requests | None = None,
) -> Review:
    """Step 4, shared by ``tvt plan`` and ``tvt check``; ``stack_config`` is the stack file's ``config:``.

    ``ahead``: the pack ``tvt plan`` started before the program, with what it answered meanwhile;
    ``requests``: the plan's requests, if already built.
    """
    packdir = options.pack or options.root / "policies"

    def tick(done: int, total: int) -> None:
        if progress is not None:
            progress.update(f"evaluating policies: {done}/{total} resources")

    if ahead is not None:
        ahead.finish()
        if ahead.start_error is not None:  # the pack never listened: starting it again would not help
            raise ahead.start_error
        if ahead.started:
            analyzed = evaluate(plan, ahead.analyzer, config_path, tick, stack_config, requests=requests)
            return review(analyzed, plan)
    with open_analyzer(options.analyzer, packdir) as analyzer:
        return review(evaluate(plan, analyzer, config_path, tick, stack_config, requests=requests), plan)


def report_inputs(
    plan: Plan,
    verdict: Review,
    facts: StackFacts,
    config_path: Path | None,
    root: Path,
    *,
    levels: Mapping[str, str] | None = None,
) -> ReportInputs:
    """What every report reads; ``levels``: :func:`plan_levels` of ``plan``, if already worked out."""
    label = display(config_path, root) if config_path else "pack defaults"
    return ReportInputs(
        plan,
        verdict,
        plan_levels(plan) if levels is None else levels,
        facts,
        Judged(label, verdict.evaluation.today.isoformat()),
    )


def run_plan(options: PlanOptions, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr  # looked up per call, so redirection works
    timings = Timings()
    try:
        with one_day(), Progress(err) as progress, contextlib.ExitStack() as settled:
            progress.update(f"validating stacks/Pulumi.{options.stack}.yaml")
            with timings.phase("validate"):
                config, raw_config = validate_stack(options.stack, options.root)
            config_path = options.policy_config or default_policy_config(options.root, options.stack, err)
            # The pack starts now and analyses each resource as the program registers it (over gRPC,
            # on the other core); the evaluation of the finished plan reuses what it answered.
            with analyze_ahead(
                options.analyzer,
                options.pack or options.root / "policies",
                stack=options.stack,
                project=PROJECT,
                config=raw_config,
                config_path=config_path,
            ) as ahead:
                progress.update(f"running the program for stack {options.stack}")
                with timings.phase("program"):
                    capture = run_stack_program(
                        options, raw_config, progress, ahead.submit if ahead else None
                    )
                # The program's objects stay alive to the end: from here, collections leave them be.
                settled.enter_context(settled_heap())
                with timings.phase("export"):
                    plan_bytes = dumps(build_deployment(capture, raw_config))
                with timings.phase("policy"):
                    plan = parse_plan(json.loads(plan_bytes), PLAN_FILE)
                    requests = Requests(plan)  # built once, for the stack sent ahead and the evaluation
                    if ahead is not None:
                        ahead.analyze_stack_now(requests)  # the pack runs the stack rules on the other core
                    # Each resource's level needs the plan, not the verdict: worked out meanwhile.
                    levels = plan_levels(plan)
                    verdict = evaluate_plan(
                        plan, options, config_path, progress, raw_config, ahead=ahead, requests=requests
                    )
            with timings.phase("report"):
                progress.update("writing the reports")
                facts = stack_facts(config)
                inputs = report_inputs(plan, verdict, facts, config_path, options.root, levels=levels)
                files = {PLAN_FILE: plan_bytes, **report_files(inputs)}
            with timings.phase("write"):
                write_directory(options.out, files)
    except PreviewError as error:
        return report_bad_input(err, "tvt plan", error)
    terminal.print_summary(out, "tvt plan", inputs, f"{options.out}/ ({', '.join(sorted(files))})")
    # What the program told the operator, e.g. which WORM state the archive is asked for.
    out.writelines(f"program: {escape_controls(note)}\n" for note in capture.notes)
    err.write(f"{timings.line()}\n")
    return EXIT_VIOLATION if verdict.mandatory else EXIT_OK


@contextlib.contextmanager
def one_day() -> Iterator[None]:
    """Every part of one ``tvt plan`` judges the same day: the stack's validation, the program,
    the pack (a child, which inherits it) and the evaluation. Unpinned, a run that crossed midnight
    would reuse answers the pack judged the day before while the stack rules judged the next.
    A ``TVT_TODAY`` already set is the day (and is checked by :func:`pinned_day`)."""
    if TODAY_ENV in os.environ:
        yield
        return
    os.environ[TODAY_ENV] = dt.date.today().isoformat()
    try:
        yield
    finally:
        os.environ.pop(TODAY_ENV, None)


def pinned_day() -> None:
    """A malformed ``TVT_TODAY`` is bad input before anything is evaluated (the pack would refuse it)."""
    try:
        today()
    except ConfigError as error:
        raise PreviewError(*(str(i) for i in error.issues)) from None


def check_saved_plan(
    options: CheckOptions, err: TextIO, progress: Progress | None
) -> tuple[ReportInputs, bytes]:
    """A saved plan evaluated as ``tvt plan`` would (``tvt check`` and ``tvt report``), and its bytes."""
    pinned_day()
    document, plan = read_plan_file(options.plan)
    config_path = options.policy_config or default_policy_config(options.root, plan.stack, err)
    stack_config = plan_stack_config(options.root, plan.stack, err)
    facts = saved_plan_facts(stack_config, plan.stack, options.root)
    verdict = evaluate_plan(plan, options, config_path, progress, stack_config)
    return report_inputs(plan, verdict, facts, config_path, options.root), document


def run_check(options: CheckOptions, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        with Progress(err) as progress:
            inputs, _ = check_saved_plan(options, err, progress)
    except PreviewError as error:
        return report_bad_input(err, "tvt check", error)
    if options.format == "json":
        out.write(findings_bytes(inputs).decode())
        if inputs.review.evaluation.downgrades:  # stdout stays the document, yet a downgrade is never silent
            terminal.print_downgrades(err, inputs)
    else:
        terminal.print_check(out, inputs)
    return EXIT_VIOLATION if inputs.review.mandatory else EXIT_OK


def run_report(
    options: CheckOptions, out_dir: Path | None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """``tvt report``: evaluate a saved plan and write every review output beside it (or in ``out_dir``)."""
    out, err = out or sys.stdout, err or sys.stderr
    target = out_dir or options.plan.parent
    try:
        with Progress(err) as progress:
            inputs, document = check_saved_plan(options, err, progress)
            # plan.json travels with its reports (byte for byte unless a secret in it holds its value).
            write_directory(target, {PLAN_FILE: redacted_copy(document), **report_files(inputs)})
    except PreviewError as error:
        return report_bad_input(err, "tvt report", error)
    terminal.print_summary(out, "tvt report", inputs, f"{target}/")
    return EXIT_VIOLATION if inputs.review.mandatory else EXIT_OK
