"""Reading an input file the tool did not write: bounded in size and kind, and in how deep it nests.

Every input (stack file, policy config, plan) is read through :func:`read_bounded`, so a symlink to
``/dev/zero``, a FIFO or a multi-gigabyte file is refused before any parser sees it. The limits are
far above anything real (prod's stack file is 8 kB, its plan 650 kB and ten levels deep) and low
enough that a hostile file cannot exhaust memory or the interpreter's stack.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Final

MAX_CONFIG_BYTES: Final = 1024 * 1024  # stack files and policy configs
MAX_PLAN_BYTES: Final = 64 * 1024 * 1024
# Nesting of mappings and lists in any input; parsers recurse, so deeper input is refused outright.
MAX_DEPTH: Final = 64
# Integers longer than this are no config value or Azure property (Python refuses >4300 digits).
MAX_INT_DIGITS: Final = 64
# Values a YAML document may expand to once aliases are followed (a billion laughs expands to 10^9).
MAX_YAML_NODES: Final = 100_000
# A lone UTF-16 surrogate: JSON and YAML escapes (``"\ud800"``) can spell one, UTF-8 cannot, and no
# value or key holding one can be sent to the engine or Azure, so every reader refuses it by key.
LONE_SURROGATE: Final = re.compile("[\ud800-\udfff]")
SURROGATE_MESSAGE: Final = "expected text, got a lone UTF-16 surrogate (\\ud800-\\udfff)"
SURROGATE_KEY_MESSAGE: Final = "expected a key of text, got a lone UTF-16 surrogate"


class InputFileError(Exception):
    """The file cannot be read as an input; ``str()`` says why, without the file name."""


def file_kind(mode: int) -> str:
    """What a path that is not a regular file is, for a message: "a directory", "a named pipe", ..."""
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path`` (symlinks followed), at most ``limit`` of them.

    The size is checked on the open file and again while reading, so a file that grows or is
    swapped after the check still cannot be read past the limit.
    """
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputFileError("no such file") from None
    except OSError as error:
        raise InputFileError(f"cannot open it ({error.strerror})") from None
    # Checked before the descriptor becomes a file object: ``open`` of a directory's descriptor
    # raises IsADirectoryError naming the descriptor's number, not the file.
    try:
        mode = os.fstat(fd).st_mode
    except OSError as error:
        os.close(fd)
        raise InputFileError(f"cannot read it ({error.strerror})") from None
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise InputFileError(f"expected a regular file, got {file_kind(mode)}")
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(limit + 1)
        except OSError as error:
            raise InputFileError(f"cannot read it ({error.strerror})") from None
    if len(data) > limit:
        raise InputFileError(f"expected at most {_size(limit)}, got a larger file")
    return data


def _size(limit: int) -> str:
    return f"{limit // 2**20} MiB" if limit % 2**20 == 0 else f"{limit} bytes"
