"""``tvt``: the project's command line (installed into .venv by ``uv sync``).

Exit codes (``scripts.commands.exit_codes``) are the same for every command: 0 success, 1 a mandatory
policy violation (and nothing else), 2 bad input (config, plan or policy config), always with a
message naming the file, the key and what was expected, never a traceback; 3 an internal error (a
bug in tvt), as one line, with the traceback under --debug or TVT_DEBUG=1.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from scripts.commands import check, diff, plan, report, validate
from scripts.commands.exit_codes import EXIT_INTERNAL
from scripts.engine.analyzer import stop_started_packs
from scripts.engine.capture import program_running
from scripts.engine.errors import STOPS, Stopped, stop_line, stop_reason
from scripts.review.text import escape_controls

DEBUG_ENV = "TVT_DEBUG"
EPILOG = (
    "exit codes: 0 nothing blocks; 1 a mandatory policy violation (tvt diff: a data-loss alarm); "
    "2 bad input, named with file and key; 3 an internal error in tvt (--debug or TVT_DEBUG=1 shows "
    "the traceback)"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tvt", description=__doc__.splitlines()[0], epilog=EPILOG)
    debug = {"action": "store_true", "help": f"print the traceback of an internal error (or {DEBUG_ENV}=1)"}
    parser.add_argument("--debug", **debug)  # type: ignore[arg-type]
    sub = parser.add_subparsers(dest="command", required=True)
    for module in (validate, plan, check, report, diff):
        module.register(sub)
    for command in sub.choices.values():  # ``tvt plan --debug`` works as well as ``tvt --debug plan``
        command.epilog = EPILOG
        command.add_argument("--debug", default=argparse.SUPPRESS, **debug)  # type: ignore[arg-type]
    return parser


def internal_error(command: str, error: BaseException) -> str:
    """The one line an internal error prints: what broke, and that it is tvt's fault, not the input's."""
    detail = escape_controls(" ".join(str(error).split()))[:300] or "(no message)"
    return (
        f"tvt {command}: internal error: {type(error).__name__}: {detail} (a bug in tvt, not a verdict "
        f"on the input: exit {EXIT_INTERNAL}; run again with --debug or {DEBUG_ENV}=1 for the traceback)\n"
    )


def closed_output(command: str) -> str:
    """The line for a reader that stopped reading (``| head``); stdout then goes nowhere, quietly."""
    with contextlib.suppress(OSError, ValueError):  # no real stdout (tests): nothing to silence
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return (
        f"tvt {command}: stdout was closed before tvt finished writing (broken pipe): "
        f"exit {EXIT_INTERNAL}, not a verdict\n"
    )


def _say(text: str) -> None:
    """Write ``text`` to stderr, which may have closed with stdout (``2>&1 | head``): the exit code
    still says what happened, rather than a second broken pipe ending the process with 1."""
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(text)
        sys.stderr.flush()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except SystemExit as stop:
        # A command returns its verdict; it never exits. rich exits 1 when stdout is a closed pipe
        # (``tvt check | head``), which a CI gate would read as a policy violation.
        if not isinstance(stop.__context__, BrokenPipeError):
            raise
        _say(closed_output(args.command))
        return EXIT_INTERNAL
    except STOPS:
        raise  # a stop, which entry() reports with its own code
    except BaseException as error:  # noqa: BLE001  (whatever escaped the commands: exit 3, never 1)
        if args.debug or os.environ.get(DEBUG_ENV, "") not in ("", "0"):
            traceback.print_exc(file=sys.stderr)
        broken = isinstance(error, BrokenPipeError)
        _say(closed_output(args.command) if broken else internal_error(args.command, error))
        return EXIT_INTERNAL
    return code


class Terminated(Stopped):
    """SIGTERM arrived: unwind every block (the pack process is stopped with its own), then exit
    128 + 15. Not an Exception, so no command or program handler takes it for a failure. (While
    the Pulumi program runs, the process ends at once instead: :func:`_stop_now_in_a_program`.)"""

    def __init__(self, signum: int) -> None:
        super().__init__(stop_reason(signum))
        self.code = 128 + signum


def _terminated(signum: int, frame: object) -> None:
    _stop_now_in_a_program(stop_reason(signum), 128 + signum)
    raise Terminated(signum)


def _interrupted(signum: int, frame: object) -> None:
    _stop_now_in_a_program(stop_reason(signum), 128 + signum)
    raise KeyboardInterrupt


def _stop_now_in_a_program(why: str, code: int) -> None:
    """A stop while the Pulumi program runs ends the process here, without unwinding.

    The stop lands in whatever the program's thread was doing, often one of the SDK's tasks in the
    middle of a registration. Cut short there, that registration never resolves its outputs, and
    the SDK (``run_pulumi_func``, which catches everything to wait for outstanding work first)
    waits for them forever. Nothing is written while the program runs, so there is nothing to
    clean up but the policy packs started: they are stopped, one line says why, and the process
    exits with the stop's code. Outside the program, the stop unwinds as usual."""
    if not program_running():
        return
    stop_started_packs()
    os._exit(_stopped(why, code))


def _stopped(why: str, code: int) -> int:
    _say(stop_line(why))
    return code


def entry() -> NoReturn:
    """The ``tvt`` console script: :func:`main`, then the process ends without Python's teardown.

    When ``main`` returns, every output is written, renamed into place and closed, the policy pack
    process has been stopped and waited for, and nothing registered with ``atexit`` matters to a
    finished command (the SDK's idle executor threads, logging with no file handlers). What Python's
    own shutdown would still do is free every object and module one by one: on a preview of the
    prod stack that was longer than the policy evaluation (measured in docs/performance.md). So the
    two streams are flushed and the process exits at once, with main's code. Under a profiler or a
    tracer (``python -m cProfile``, coverage) it exits normally, so they can write what they saw.
    """
    # SIGTERM (a CI job cancelled) unwinds like Ctrl-C would, so the pack process is stopped with
    # its block instead of being left behind.
    signal.signal(signal.SIGTERM, _terminated)
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:  # not when started ignoring it
        signal.signal(signal.SIGINT, _interrupted)
    try:
        code = main()
    except Terminated as stop:
        code = _stopped(str(stop), stop.code)
    except KeyboardInterrupt:  # Ctrl-C: one line, as for SIGTERM, not a traceback
        code = _stopped(stop_reason(signal.SIGINT), 128 + signal.SIGINT)
    try:
        sys.stdout.flush()
    except OSError:  # a reader that stopped reading (``| head``), a full disk: as main treats them
        _say(closed_output(" ".join(sys.argv[1:2]) or "tvt"))
        code = EXIT_INTERNAL
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)
    os._exit(code)


if __name__ == "__main__":
    entry()
