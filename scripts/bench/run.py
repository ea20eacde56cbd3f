"""``make bench``: ``tvt plan`` on synthetic estates of increasing size, each in a fresh process.

For every size it writes a grown prod stack (:mod:`scripts.bench.estate`, validated by the config
loader) under ``<out>/<n>/project``, runs ``tvt plan --stack prod --root <that> --out <n>/plan`` as
a child process, and records the wall time the parent measured, the phases ``tvt plan`` reports
on its ``timings:`` line (``startup`` is the rest: interpreter, imports), the resources in
``plan.json`` and the child's peak RSS (``os.wait4``: the larger of ``tvt`` and the policy pack it
started and reaped). It prints a table, writes ``results.json`` and ``per_resource.png``, and
ends with one line::

    resources=N ms_per_resource=X peak_mb=Y linearity=Z

for the largest estate; ``linearity`` is its milliseconds per resource over the smallest's.
Each size runs ``--repeat`` times and keeps the fastest run (the others only measure the noise of a
shared machine).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from scripts.bench.estate import Shape, write_estate

ROOT = Path(__file__).resolve().parents[2]
# Partners (3 groups and 6 grants each) and extra zones per level: about 300, 600, 1,200 and 3,000
# resources with today's prod stack.
SIZES: tuple[Shape, ...] = (
    Shape(partners=20, zones=2, use_cases=2),
    Shape(partners=70, zones=2, use_cases=3),
    Shape(partners=170, zones=3, use_cases=4),
    Shape(partners=470, zones=4, use_cases=5),
)
_TIMINGS = re.compile(r"^timings: (.*)$", re.MULTILINE)
_PHASE = re.compile(r"([a-z-]+) ([0-9.]+)s")


@dataclass(frozen=True)
class Run:
    """One ``tvt plan`` of one estate."""

    resources: int
    wall_s: float
    phases: dict[str, float]  # tvt plan's own phases, plus "startup": wall minus its total
    peak_mb: float
    exit_code: int
    cpu_s: float = 0.0  # user + system CPU of tvt and the pack it reaped (both cores' work)

    @property
    def ms_per_resource(self) -> float:
        return 1000 * self.wall_s / self.resources


def phases_of(stderr: str) -> dict[str, float]:
    """The phases on ``tvt plan``'s ``timings:`` line (the last one), in its order."""
    lines = _TIMINGS.findall(stderr)
    if not lines:
        raise RuntimeError(f"tvt plan printed no timings line; its stderr ends:\n{stderr[-2000:]}")
    return {name: float(seconds) for name, seconds in _PHASE.findall(lines[-1])}


def run_plan(project: Path, out: Path, extra: Sequence[str] = ()) -> Run:
    """``tvt plan`` of ``project``'s prod stack in a fresh process: wall time, phases, peak RSS."""
    # ``python -m scripts.cli`` from ROOT is what ``.venv/bin/tvt`` runs, for this checkout's code.
    command = [
        sys.executable,
        "-m",
        "scripts.cli",
        "plan",
        "--stack",
        "prod",
        "--root",
        str(project),
        "--out",
        str(out),
        *extra,
    ]
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    stderr = child.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
    code = child.returncode
    if code not in (0, 1):  # 1: a mandatory finding, which still wrote every output
        raise RuntimeError(f"{' '.join(command)} exited {code}:\n{stderr[-2000:]}")
    phases = phases_of(stderr)
    phases["startup"] = max(wall - phases.pop("total", wall), 0.0)
    document = json.loads((out / "plan.json").read_bytes())
    resources = len(document["deployment"]["resources"])
    cpu = usage.ru_utime + usage.ru_stime
    return Run(resources, wall, phases, usage.ru_maxrss / 1024, code, cpu)


def measure(shape: Shape, workdir: Path, repeat: int) -> Run:
    project = workdir / "project"
    write_estate(project, ROOT, "prod", shape)
    runs = [run_plan(project, workdir / "plan") for _ in range(repeat)]
    return min(runs, key=lambda r: r.wall_s)


def linearity(runs: Sequence[Run]) -> float:
    """Milliseconds per resource of the largest estate over the smallest's (1.0: perfectly linear)."""
    return runs[-1].ms_per_resource / runs[0].ms_per_resource


def marginal_ms(runs: Sequence[Run]) -> list[float | None]:
    """Milliseconds per *added* resource from each estate to the next (fixed costs cancel out)."""
    result: list[float | None] = [None]
    for before, after in itertools.pairwise(runs):
        result.append(1000 * (after.wall_s - before.wall_s) / (after.resources - before.resources))
    return result


def table(runs: Sequence[Run]) -> str:
    names = list(runs[0].phases)
    header = [
        "resources",
        "wall s",
        *(f"{n} s" for n in names),
        "CPU s",
        "ms/resource",
        "marginal ms",
        "peak MiB",
    ]
    rows = [header, ["---:"] * len(header)]
    for run, marginal in zip(runs, marginal_ms(runs), strict=True):
        rows.append(
            [
                f"{run.resources:,}",
                f"{run.wall_s:.2f}",
                *(f"{run.phases.get(n, 0.0):.2f}" for n in names),
                f"{run.cpu_s:.2f}",
                f"{run.ms_per_resource:.2f}",
                "" if marginal is None else f"{marginal:.2f}",
                f"{run.peak_mb:.0f}",
            ]
        )
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def summary(runs: Sequence[Run]) -> str:
    last = runs[-1]
    return (
        f"resources={last.resources} ms_per_resource={last.ms_per_resource:.2f} "
        f"peak_mb={last.peak_mb:.0f} linearity={linearity(runs):.2f}"
    )


def plot(runs: Sequence[Run], path: Path) -> None:
    """Milliseconds per resource (end to end, and per added resource) against estate size."""
    import matplotlib  # noqa: PLC0415  (a dev dependency, only the bench needs it)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    sizes = [r.resources for r in runs]
    figure, axes = plt.subplots(figsize=(7, 4), dpi=120)
    axes.plot(sizes, [r.ms_per_resource for r in runs], marker="o", label="tvt plan, end to end")
    marginal = [m for m in marginal_ms(runs)[1:] if m is not None]
    axes.plot(sizes[1:], marginal, marker="s", linestyle="--", label="per added resource")
    axes.axhline(3.0, color="grey", linewidth=0.8, linestyle=":", label="target: 3 ms per resource")
    axes.set_xlabel("resources in the plan")
    axes.set_ylabel("milliseconds per resource")
    axes.set_ylim(bottom=0)
    axes.set_title("tvt plan: cost per resource against estate size")
    axes.grid(True, alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def calibration_ms(rounds: int = 5) -> float:
    """Milliseconds this machine takes for a fixed pure-Python loop (the sum of a million squares),
    best of ``rounds``: what makes runs on different machines, or days, comparable. The same loop
    is ``python3 -m timeit -n 5 "sum(i*i for i in range(1000000))"``."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        sum(i * i for i in range(1_000_000))
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "bench", help="work and results directory")
    parser.add_argument("--repeat", type=int, default=2, help="runs per size; the fastest is kept")
    parser.add_argument("--sizes", type=int, default=len(SIZES), help="how many of the sizes to run")
    args = parser.parse_args(argv)
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    runs = []
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    calibration = calibration_ms()
    print(f"machine: {calibration:.1f} ms for a fixed pure-Python loop (sum of 10^6 squares, best of 5)")
    for shape in SIZES[: args.sizes]:
        run = measure(shape, args.out / f"p{shape.partners}", max(args.repeat, 1))
        print(f"  {run.resources:>6,} resources: {run.wall_s:6.2f} s, {run.peak_mb:4.0f} MiB", flush=True)
        runs.append(run)
    print(table(runs))
    (args.out / "results.json").write_text(
        json.dumps(
            {
                "runs": [{**asdict(r), "ms_per_resource": r.ms_per_resource} for r in runs],
                "shapes": [asdict(s) for s in SIZES[: args.sizes]],
                "summary": summary(runs),
                "cpus": os.cpu_count(),
                "load_average_after": os.getloadavg(),
                "python": sys.version.split()[0],
                "calibration_ms": calibration,
            },
            indent=2,
        )
        + "\n"
    )
    plot(runs, args.out / "per_resource.png")
    print(f"plot: {args.out / 'per_resource.png'}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(summary(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
