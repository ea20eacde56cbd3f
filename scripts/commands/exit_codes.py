"""The exit codes of every ``tvt`` command: the one home CI gates and the README rely on."""

from __future__ import annotations

from typing import Final

EXIT_OK: Final = 0  # nothing blocks: no mandatory finding, no data-loss alarm
EXIT_VIOLATION: Final = 1  # a mandatory finding (or a ``tvt diff`` data-loss alarm), and nothing else
EXIT_BAD_INPUT: Final = 2  # bad input: config, plan or policy config, named with file and key
