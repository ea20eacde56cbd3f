"""The exit codes of every ``tvt`` command: the one home CI gates and the README rely on.

Exit 1 is only ever a verdict. A crash must never look like one, or a CI gate would report a
policy failure that did not happen (or read a real one as a crash): bad input is 2, a bug in tvt 3.
"""

from __future__ import annotations

from typing import Final, TextIO

from scripts.engine.errors import PreviewError
from scripts.review.text import escape_controls

EXIT_OK: Final = 0  # nothing blocks: no mandatory finding, no data-loss alarm
EXIT_VIOLATION: Final = 1  # a mandatory finding (or a ``tvt diff`` data-loss alarm), and nothing else
EXIT_BAD_INPUT: Final = 2  # bad input: config, plan or policy config, named with file and key
EXIT_INTERNAL: Final = 3  # an unexpected error inside tvt: one line, the traceback with --debug


def report_bad_input(err: TextIO, command: str, error: PreviewError) -> int:
    """Print each issue on its own line (escaped: issues quote the input) and return exit code 2."""
    err.write(f"{command}: " + "\n".join(escape_controls(i) for i in error.issues) + "\n")
    return EXIT_BAD_INPUT
