"""Write an output directory all at once: build it next to the target, then swap it into place.

A failure at any point leaves the previous directory untouched or no directory at all, never a
half-written one that a reviewer or CI step could mistake for a finished plan. Three more rules:

- **Only tvt's own output is replaced.** ``--out`` must be new, empty, or hold nothing but regular
  files named like this run's outputs; a symlink (``--out`` itself or an entry) or a subdirectory
  is refused, so no one's files are deleted and no old target is left stale behind a link.
- **One writer at a time.** A writer holds an exclusive ``flock`` on the directory that holds
  ``--out`` (so no lock file is left behind) from its checks to its last rename; a second run
  waits for the first, and gives up with "in use" after :data:`LOCK_WAIT_S` seconds.
- **Readers never see it missing.** A previous output is exchanged with the new one in a single
  ``renameat2(RENAME_EXCHANGE)`` (Linux), so the path always names a complete directory. Where the
  kernel or file system has no exchange, two renames are used, and for a moment the path is absent.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from components.config.files import file_kind
from scripts.engine.errors import PreviewError

LOCK_WAIT_S: Final = 60.0
_POLL_S: Final = 0.05
_AT_FDCWD: Final = -100
_RENAME_EXCHANGE: Final = 2
# renameat2 answers these where the kernel or file system cannot exchange: fall back to two renames.
_NO_EXCHANGE: Final = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP}


def _exchange(a: Path, b: Path) -> bool:
    """Swap the two paths in one step; False where the platform has no atomic exchange."""
    rename = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if rename is None:
        return False
    if rename(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _NO_EXCHANGE:
        return False
    raise OSError(code, os.strerror(code), str(b))


@contextmanager
def _locked(parent: Path, target: Path, wait: float) -> Iterator[None]:
    """Hold an exclusive lock on the directory ``target`` is written in (no lock file left behind)."""
    try:
        fd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as error:
        raise PreviewError(f"{target}: --out: cannot open {parent} ({error.strerror})") from None
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise PreviewError(
                        f"{target}: --out: in use: another tvt run is writing in {parent}; wait for it "
                        "to finish, or choose another directory"
                    ) from None
                time.sleep(_POLL_S)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _entry_problem(entry: os.DirEntry[str], names: Mapping[str, bytes]) -> str | None:
    """Why ``entry`` shows the directory is not a previous output of this run, or None."""
    mode = entry.stat(follow_symlinks=False).st_mode
    if entry.name not in names:
        return entry.name
    if stat.S_ISLNK(mode):
        return f"{entry.name} (a symbolic link)"
    return None if stat.S_ISREG(mode) else f"{entry.name} (a directory or special file)"


def _check_replaceable(target: Path, files: Mapping[str, bytes]) -> None:
    """Refuse a ``--out`` that is anything but missing, empty, or a previous output of the same names."""
    if target.is_symlink():
        raise PreviewError(
            f"{target}: --out: expected a directory, found a symbolic link (to {target.readlink()}); "
            "pass the directory itself"
        )
    if not target.exists():
        return
    if not target.is_dir():
        mode = target.stat().st_mode
        found = "a file" if stat.S_ISREG(mode) else file_kind(mode)
        raise PreviewError(f"{target}: --out: expected a directory, found {found}")
    with os.scandir(target) as entries:
        foreign = sorted(p for e in entries if (p := _entry_problem(e, files)) is not None)
    if foreign:
        shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
        raise PreviewError(
            f"{target}: --out: expected an empty directory or a previous plan output, found other "
            f"entries ({shown}); choose another directory"
        )


def _replace(staging: Path, target: Path) -> Path | None:
    """Put ``staging`` at ``target``; return the directory that now holds the previous output, if any."""
    if not target.exists():
        staging.replace(target)
        return None
    if _exchange(staging, target):
        return staging
    retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    target.replace(retired / target.name)
    try:
        staging.replace(target)
    except BaseException:
        (retired / target.name).replace(target)  # put the previous output back
        retired.rmdir()
        raise
    return retired


def write_directory(target: Path, files: Mapping[str, bytes], *, wait: float = LOCK_WAIT_S) -> None:
    """Replace ``target`` with a directory holding exactly ``files`` (name -> bytes), atomically.

    Only an empty directory or a previous output (nothing in it but regular files of the same
    names) is replaced: ``--out .`` or ``--out ~/work`` must never delete someone's files. Any
    failure is a :class:`PreviewError` naming the directory.
    """
    target = Path(os.path.normpath(target.absolute()))  # "." and "x/.." get a name; links not followed
    parent = target.parent
    if target == parent:
        raise PreviewError(f"{target}: --out: expected a directory for the output, not the file system root")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PreviewError(
            f"{parent}: cannot create the output's parent directory ({error.strerror})"
        ) from None
    with _locked(parent, target, wait):
        _check_replaceable(target, files)
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=parent))
        except OSError as error:
            raise PreviewError(f"{target}: --out: cannot write in {parent} ({error.strerror})") from None
        try:
            for name, content in sorted(files.items()):
                (staging / name).write_bytes(content)
            # mkdtemp makes 0700; the output is a normal directory others (CI, reviewers) read.
            staging.chmod(0o755)
            previous = _replace(staging, target)
        except BaseException as error:
            shutil.rmtree(staging, ignore_errors=True)
            if isinstance(error, OSError):
                raise PreviewError(
                    f"{target}: --out: cannot write the output ({error.strerror or error})"
                ) from None
            raise
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)
