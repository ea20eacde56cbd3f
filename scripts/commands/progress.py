"""Phase timings, and a progress line on stderr for people watching a terminal.

The indicator writes only when its stream is a TTY, and only once a phase has run longer than a
moment, so CI logs (not a TTY) stay clean and fast runs do not flicker. Timings are measured
always; commands print them on stderr, never into the deterministic outputs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TextIO

_FRAMES = "|/-\\"


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
    """``with Progress(stream) as p: p.update("running program")`` shows a spinner on a TTY."""

    def __init__(self, stream: TextIO, delay: float = 0.4, interval: float = 0.1) -> None:
        self.stream = stream
        self.enabled = bool(getattr(stream, "isatty", lambda: False)())
        self.delay = delay
        self.interval = interval
        self._label = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._shown = False

    def update(self, label: str) -> None:
        self._label = label

    def _run(self) -> None:
        if self._stop.wait(self.delay):
            return
        frame = 0
        while not self._stop.is_set():
            self.stream.write(f"\r{_FRAMES[frame % len(_FRAMES)]} {self._label}\x1b[K")
            self.stream.flush()
            self._shown = True
            frame += 1
            self._stop.wait(self.interval)

    def __enter__(self) -> Progress:
        if self.enabled:
            self._thread = threading.Thread(target=self._run, name="tvt-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._shown:
            self.stream.write("\r\x1b[K")  # leave the terminal as it was
            self.stream.flush()
