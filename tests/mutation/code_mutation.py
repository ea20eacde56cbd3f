"""``make mutate``: code-mutation testing (mutmut) of ``policies/`` and ``components/``, one group at a time.

A rule's behaviour is pinned by its own test module (``tests/policies/rules/<family>/test_<rule>.py``),
so each rule file is mutated with only that module selected: a mutant must be killed by the tests
that claim to test it, and a run stays minutes rather than hours on two cores (every case runs the
whole pack, so selecting every test for every mutant would multiply the cost by the number of
rules). The pack's core modules and the components are mutated with the test modules that mirror
them. Each group runs in its own scratch copy of the tree under ``out/mutate/<group>/`` (mutmut
writes a ``mutants/`` directory beside the code it mutates), and the run writes
``out/mutate/summary.md`` and ``out/mutate/survivors.txt``.

Lines that only carry a finding's text (a line that starts with a string literal, or a ``yield`` of
one, or of a ``Violation`` with only a message) are not mutated: rewording a message changes no
verdict, and would only measure how much of a message each test pins.

Usage: ``python -m tests.mutation.code_mutation [group ...]`` (no group: all of them).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "out" / "mutate"
MUTMUT = REPO / ".venv" / "bin" / "mutmut"
TODAY = "2026-06-01"  # the pinned day the tests judge expiry against (tests/conftest.py)
# Message text, not behaviour: a line that starts with a string literal, or yields only one.
MESSAGE_LINES = [r'^\s*(yield\s+)?\(?f?"', r"^\s*yield \($", r'^\s*yield Violation\(f?"[^"]*"\)$']


@dataclass(frozen=True)
class Group:
    """Files mutated together, and the tests selected to kill their mutants."""

    name: str
    files: tuple[str, ...]
    tests: tuple[str, ...]


def _rule_groups() -> list[Group]:
    groups = []
    for path in sorted((REPO / "policies" / "rules").glob("*/*.py")):
        family, stem = path.parent.name, path.stem
        if stem == "__init__":
            continue
        rule_tests = REPO / "tests" / "policies" / "rules" / family / f"test_{stem}.py"
        if stem.startswith("_"):  # a family's shared helpers: every rule of the family tests them
            tests = tuple(sorted(str(p.relative_to(REPO)) for p in rule_tests.parent.glob("test_*.py")))
        else:
            tests = (str(rule_tests.relative_to(REPO)),)
        groups.append(Group(f"rule-{family}-{stem}", (str(path.relative_to(REPO)),), tests))
    return groups


def _policy_test(name: str) -> str:
    return f"tests/policies/test_policy_{name}.py"


CORE = [
    Group("core-abac", ("policies/abac.py",), (_policy_test("abac"), _policy_test("cross_checks"))),
    Group("core-arm", ("policies/arm.py",), (_policy_test("arm"), _policy_test("stack_index"))),
    Group("core-stack-index", ("policies/stack_index.py",), (_policy_test("stack_index"),)),
    Group("core-exemptions", ("policies/exemptions.py",), (_policy_test("exemptions"),)),
    Group(
        "core-registers",
        ("policies/use_cases.py", "policies/partners.py"),
        (_policy_test("use_cases"), _policy_test("partners")),
    ),
    Group("core-roles", ("policies/roles.py",), (_policy_test("roles"), _policy_test("cross_checks"))),
    Group("core-props", ("policies/props.py",), (_policy_test("props"), _policy_test("unknowns"))),
    Group(
        "core-framework",
        ("policies/framework.py", "policies/model.py"),
        (_policy_test("framework"), _policy_test("registry")),
    ),
    Group("core-catalog", ("policies/catalog.py",), (_policy_test("catalog"),)),
]
COMPONENTS = [
    Group(
        "components-roles",
        ("components/roles.py", "components/access.py"),
        ("tests/components/test_access_grants.py", _policy_test("cross_checks")),
    ),
    Group(
        "components-config",
        ("components/config/*.py",),
        ("tests/config",),
    ),
    Group(
        "components-building-blocks",
        tuple(
            f"components/{m}.py"
            for m in (
                "naming",
                "tags",
                "placement",
                "protection",
                "diagnostics",
                "network",
                "keyvault",
                "storage",
                "audit",
                "level",
                "platform",
            )
        ),
        ("tests/components",),
    ),
]
GROUPS = [*_rule_groups(), *CORE, *COMPONENTS]


def _scratch(group: Group) -> Path:
    """A copy of the tree (what git tracks, and untracked files it does not ignore) for one group."""
    where = OUT / group.name
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for relative in filter(None, listed.split("\0")):
        source = REPO / relative
        if source.is_file():
            target = where / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    settings = {
        "source_paths": ["policies", "components"],
        "only_mutate": list(group.files),
        "do_not_mutate_patterns": MESSAGE_LINES,
        "also_copy": ["scripts", "stacks", "__main__.py", "Pulumi.yaml"],
        "pytest_add_cli_args": ["-q", "-p", "no:cacheprovider", "-x"],
        "pytest_add_cli_args_test_selection": list(group.tests),
    }
    lines = ["", "[tool.mutmut]", *(f"{key} = {json.dumps(value)}" for key, value in settings.items())]
    with (where / "pyproject.toml").open("a") as pyproject:
        pyproject.write("\n".join(lines) + "\n")
    return where


@dataclass(frozen=True)
class Result:
    group: Group
    killed: int
    survived: list[str]
    other: int  # timeouts, suspicious, skipped: neither killed nor survived
    seconds: float

    @property
    def total(self) -> int:
        return self.killed + len(self.survived) + self.other


def run_group(group: Group, children: int) -> Result:
    where = _scratch(group)
    env = {**os.environ, "TVT_TODAY": TODAY}
    started = time.monotonic()
    log = (OUT / f"{group.name}.log").open("w")
    subprocess.run(
        [str(MUTMUT), "run", "--max-children", str(children)],
        cwd=where,
        env=env,
        stdout=log,
        stderr=log,
        check=False,
    )
    results = subprocess.run(
        [str(MUTMUT), "results", "--all", "true"],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    statuses = dict(re.findall(r"^\s*(\S+): (\S+.*)$", results, re.MULTILINE))
    killed = sum(1 for s in statuses.values() if s == "killed")
    survived = sorted(m for m, s in statuses.items() if s == "survived")
    return Result(group, killed, survived, len(statuses) - killed - len(survived), time.monotonic() - started)


def diff_of(group: Group, mutant: str) -> str:
    shown = subprocess.run(
        [str(MUTMUT), "show", mutant], cwd=OUT / group.name, capture_output=True, text=True, check=False
    ).stdout
    return "\n".join(
        line for line in shown.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))
    )


def report(results: list[Result]) -> str:
    killed = sum(r.killed for r in results)
    total = sum(r.total for r in results)
    rows = [
        f"| {r.group.name} | {r.total} | {r.killed} | {len(r.survived)} | {r.other} | "
        f"{100.0 * r.killed / r.total if r.total else 100.0:.1f}% | {r.seconds:.0f}s |"
        for r in results
    ]
    score = 100.0 * killed / total if total else 100.0
    return "\n".join(
        [
            f"mutmut: {killed}/{total} mutants killed ({score:.1f}%) in {len(results)} groups, "
            f"{sum(r.seconds for r in results) / 60:.1f} minutes",
            "",
            "| group | mutants | killed | survived | other | score | time |",
            "|---|---|---|---|---|---|---|",
            *rows,
        ]
    )


def main(argv: list[str]) -> int:
    wanted = set(argv)
    chosen = [
        g for g in GROUPS if not wanted or g.name in wanted or any(g.name.startswith(w) for w in wanted)
    ]
    children = int(os.environ.get("MUTMUT_CHILDREN", "2"))
    OUT.mkdir(parents=True, exist_ok=True)
    results = []
    for group in chosen:
        result = run_group(group, children)
        results.append(result)
        print(
            f"{group.name}: {result.killed}/{result.total} killed, {len(result.survived)} survived "
            f"({result.seconds:.0f}s)",
            flush=True,
        )
    summary = report(results)
    (OUT / "summary.md").write_text(summary + "\n")
    with (OUT / "survivors.txt").open("w") as out:
        for result in results:
            for mutant in result.survived:
                out.write(f"== {result.group.name} {mutant}\n{diff_of(result.group, mutant)}\n")
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
