"""The ``tvt`` console script: a stop that arrives while tvt is still loading ends it at once.

Importing the tool (``scripts.cli``: the SDK, gRPC, protobuf, jsonschema, rich) takes most of a
second, and until :func:`scripts.cli.entry` installs its handlers, Ctrl-C printed Python's whole
traceback of the import it cut short, and SIGTERM ended the process with no line at all. Nothing
has been read or written then, so this module, which imports nothing heavy, catches both first:
one line, exit 128 + the signal, as ``entry`` reports a stop later on. ``entry`` then installs its
own handlers, which unwind instead. A SIGINT ignored at start (a background job) stays ignored.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import NoReturn

from scripts.engine.errors import stop_line, stop_reason


def _stopped_while_loading(signum: int, frame: object) -> None:
    try:
        sys.stderr.write(stop_line(stop_reason(signum)))
        sys.stderr.flush()
    finally:
        os._exit(128 + signum)


def install_loading_handlers() -> None:
    """Catch SIGINT (unless ignored) and SIGTERM until the tool's own handlers replace them."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _stopped_while_loading)


def main() -> NoReturn:
    install_loading_handlers()
    from scripts.cli import entry  # noqa: PLC0415  (after the handlers: this is the slow import)

    entry()


if __name__ == "__main__":
    main()
