"""Phase timings, and a spinner on stderr (rich's status) for people watching a terminal.

The spinner draws only when its stream is a terminal, so CI logs (not a TTY) stay clean; rich
leaves the line as it was when it stops. Timings are measured always; commands print them on
stderr, never into the deterministic outputs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TextIO

from rich.console import Console
from rich.status import Status

from scripts.review.markup import oneline


@dataclass
class Timings:
    phases: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.phases[name] = self.phases.get(name, 0.0) + time.perf_counter() - start

    @property
    def total(self) -> float:
        return sum(self.phases.values())

    def line(self) -> str:
        parts = [f"{name} {seconds:.2f}s" for name, seconds in self.phases.items()]
        return "timings: " + ", ".join([*parts, f"total {self.total:.2f}s"])


class Progress:
    """``with Progress(stream) as p: p.update("running program")`` shows a spinner on a TTY only."""

    def __init__(self, stream: TextIO, *, force_terminal: bool | None = None) -> None:
        self.console = Console(file=stream, force_terminal=force_terminal, highlight=False, markup=False)
        self.enabled = self.console.is_terminal
        self._status: Status | None = None

    def update(self, label: str) -> None:
        if self._status is not None:
            self._status.update(oneline(label))

    def __enter__(self) -> Progress:
        if self.enabled:
            self._status = self.console.status("", spinner="line")
            self._status.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None
