"""Write an output directory all at once: build it next to the target, then rename it into place.

A failure at any point leaves either the previous directory untouched or no directory at all,
never a half-written one that a reviewer or CI step could mistake for a finished plan.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from scripts.engine.errors import PreviewError


def write_directory(target: Path, files: Mapping[str, bytes]) -> None:
    """Replace ``target`` with a directory holding exactly ``files`` (name -> bytes), atomically.

    Only an empty directory or a previous output (nothing in it but files of the same names) is
    replaced: ``--out .`` or ``--out ~/work`` must never delete someone's files.
    """
    parent = target.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PreviewError(
            f"{parent}: cannot create the output's parent directory ({error.strerror})"
        ) from None
    if target.exists() and not target.is_dir():
        raise PreviewError(f"{target}: --out: expected a directory, found a file")
    foreign = sorted(p.name for p in target.iterdir() if p.name not in files) if target.is_dir() else []
    if foreign:
        shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
        raise PreviewError(
            f"{target}: --out: expected an empty directory or a previous plan output, found other "
            f"entries ({shown}); choose another directory"
        )
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=parent))
    retired: Path | None = None
    try:
        for name, content in sorted(files.items()):
            (staging / name).write_bytes(content)
        # mkdtemp makes 0700; the output is a normal directory others (CI, reviewers) read.
        staging.chmod(0o755)
        if target.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=parent))
            target.replace(retired / target.name)
        staging.replace(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if retired is not None and not target.exists():
            (retired / target.name).replace(target)  # put the previous output back
        raise
    finally:
        if retired is not None:
            shutil.rmtree(retired, ignore_errors=True)
