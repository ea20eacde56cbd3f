"""The one kind of error the preview reports instead of a traceback: bad input, exit code 2.

Every message names the file, the key path and what was expected, so a reviewer can fix the input
without reading code. Commands catch :class:`PreviewError` at the top and print ``str(error)``.
Also the stops, which are no error: a signal's one line and code. (This module imports nothing
heavy: ``scripts.tvt`` uses it before the tool is loaded.)
"""

from __future__ import annotations

import signal


class PreviewError(Exception):
    """Bad input (config, plan, policy config) or a program/pack that cannot run: exit 2."""

    def __init__(self, *issues: str) -> None:
        super().__init__("\n".join(issues))
        self.issues: tuple[str, ...] = issues


class Stopped(BaseException):
    """A signal asked the process to stop (SIGTERM; Ctrl-C is ``KeyboardInterrupt``). Never a
    failure of a pack or a program, so every handler that reports one lets it pass."""


# What a handler that reports failures must let pass (``except STOPS: raise``).
STOPS: tuple[type[BaseException], ...] = (KeyboardInterrupt, Stopped)


def stop_reason(signum: int) -> str:
    return "interrupted" if signum == signal.SIGINT else f"terminated by signal {signum}"


def stop_line(why: str) -> str:
    """The one line tvt prints when a stop ends it (exit 128 + the signal)."""
    return f"tvt: {why}; nothing more was written\n"


def issue(file: str, path: str, expected: str) -> str:
    """One line in the house format ``FILE: PATH: MESSAGE`` (PATH may be empty for the whole file)."""
    return f"{file}: {path}: {expected}" if path else f"{file}: {expected}"
