"""The one kind of error the preview reports instead of a traceback: bad input, exit code 2.

Every message names the file, the key path and what was expected, so a reviewer can fix the input
without reading code. Commands catch :class:`PreviewError` at the top and print ``str(error)``.
"""

from __future__ import annotations


class PreviewError(Exception):
    """Bad input (config, plan, policy config) or a program/pack that cannot run: exit 2."""

    def __init__(self, *issues: str) -> None:
        super().__init__("\n".join(issues))
        self.issues: tuple[str, ...] = issues


class Stopped(BaseException):
    """A signal asked the process to stop (SIGTERM; Ctrl-C is ``KeyboardInterrupt``). Never a
    failure of a pack or a program, so every handler that reports one lets it pass."""


def issue(file: str, path: str, expected: str) -> str:
    """One line in the house format ``FILE: PATH: MESSAGE`` (PATH may be empty for the whole file)."""
    return f"{file}: {path}: {expected}" if path else f"{file}: {expected}"
