"""What is wrong with a stack config: issues that name the file, the key path and what was expected.

Kept apart from ``load`` so the schema and semantic checks can build issues without importing the
loader (and the Pulumi runtime it needs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Path elements of "tvt:grants[2].useCase" / "tvt:levels.3.addressSpace": names and indexes.
_PATH_PART = re.compile(r"[^.\[\]]+")


@dataclass(frozen=True)
class ConfigIssue:
    """One problem: ``file`` relative to the repo root, ``path`` like ``tvt:grants[2].useCase``."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.message}"


def _path_key(path: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key that orders ``[2]`` before ``[10]`` so issues come out in file order."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in _PATH_PART.findall(path))


def sorted_issues(issues: Iterable[ConfigIssue]) -> tuple[ConfigIssue, ...]:
    """Deduplicated and in a stable order, so the same config always gives the same report."""
    return tuple(sorted(set(issues), key=lambda i: (i.file, _path_key(i.path), i.path, i.message)))


class ConfigError(Exception):
    """Invalid stack config; ``str()`` is one ``FILE: PATH: MESSAGE`` line per issue."""

    def __init__(self, issues: Iterable[ConfigIssue]) -> None:
        self.issues: tuple[ConfigIssue, ...] = sorted_issues(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


def join_path(parent: str, key: str | int) -> str:
    """``tvt:grants`` + 2 -> ``tvt:grants[2]``; ``tvt:levels`` + "3" -> ``tvt:levels.3``."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key
