"""The CPU seconds of whole ``tvt plan`` runs of a few estates, measured in a fresh interpreter.

Run by ``test_scaling`` as ``python -m tests.scripts.scaling_probe '<request json>'`` from the
repository root, so that nothing the rest of the test session left behind (a thread still running,
a grown heap, a cache, a frozen collector) is counted in, or slows, what is measured. It prints one
JSON object: each estate's CPU seconds per round, its plan's resources, and what the interpreter
looked like (threads, peak RSS, page faults), for a failure message to show.
"""

from __future__ import annotations

import gc
import io
import json
import resource
import sys
import threading
import time
from pathlib import Path
from typing import Any

from scripts.commands.pipeline import PlanOptions, run_plan


def _plan_cpu(project: Path, out: Path) -> float:
    """CPU seconds of this process for one ``tvt plan`` of ``project`` (in-process pack) into ``out``."""
    err = io.StringIO()
    gc.collect()
    start = time.process_time()
    options = PlanOptions(stack="prod", out=out, root=project, analyzer="inprocess")
    code = run_plan(options, out=io.StringIO(), err=err)
    spent = time.process_time() - start
    if code != 0:
        raise SystemExit(f"tvt plan of {project} exited {code}: {err.getvalue()[-2000:]}")
    return spent


def measure(estates: dict[str, Path], out: Path, rounds: int) -> dict[str, Any]:
    """One warm-up run of the first estate, then ``rounds`` rounds of one run of each estate in turn
    (interleaved, so that the machine getting busier or quieter meanwhile falls on every estate)."""
    first = next(iter(estates.values()))
    _plan_cpu(first, out / "warm")  # imports, lazily loaded types, caches
    cpu: dict[str, list[float]] = {name: [] for name in estates}
    for r in range(rounds):
        for name, project in estates.items():
            cpu[name].append(_plan_cpu(project, out / f"{name}-{r}"))
    resources = {
        name: len(json.loads((out / f"{name}-0" / "plan.json").read_bytes())["deployment"]["resources"])
        for name in estates
    }
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "cpu": cpu,
        "resources": resources,
        "threads": threading.active_count(),
        "peak_mb": usage.ru_maxrss // 1024,
        "major_faults": usage.ru_majflt,
        "involuntary_switches": usage.ru_nivcsw,
    }


def main(argv: list[str]) -> int:
    request = json.loads(argv[0])
    estates = {name: Path(path) for name, path in request["estates"].items()}
    print(json.dumps(measure(estates, Path(request["out"]), int(request["rounds"]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
