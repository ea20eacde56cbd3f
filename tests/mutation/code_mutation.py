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

import ast
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.mutation.equivalence import CLASSES, classify, function_sources

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
        # tests/mutation/fresh_caches.py: caches filled before mutmut forks must not answer for a mutant.
        "pytest_add_cli_args": ["-q", "-p", "no:cacheprovider", "-p", "tests.mutation.fresh_caches", "-x"],
        "pytest_add_cli_args_test_selection": list(group.tests),
    }
    lines = ["", "[tool.mutmut]", *(f"{key} = {json.dumps(value)}" for key, value in settings.items())]
    with (where / "pyproject.toml").open("a") as pyproject:
        pyproject.write("\n".join(lines) + "\n")
    return where


def digest(group: Group) -> str:
    """The mutated files' and the selected tests' contents: a recorded result is stale once it changes."""
    sha = hashlib.sha256()
    for pattern in (*group.files, *group.tests):
        found = sorted(REPO.glob(pattern)) if "*" in pattern else [REPO / pattern]
        for path in found:
            for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
                sha.update(str(file.relative_to(REPO)).encode() + b"\0" + file.read_bytes() + b"\0")
    return sha.hexdigest()


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def run_group(group: Group, children: int) -> dict[str, Any]:
    """Mutate one group in its scratch copy; its record (``out/mutate/<group>.json``) is what reports read."""
    source_digest = digest(group)
    where = _scratch(group)
    env = {**os.environ, "TVT_TODAY": TODAY}
    started, began = time.monotonic(), _now()
    with (OUT / f"{group.name}.log").open("w") as log:
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
    record = {
        "group": group.name,
        "files": list(group.files),
        "tests": list(group.tests),
        "digest": source_digest,
        "started": began,
        "finished": _now(),
        "children": children,
        "seconds": time.monotonic() - started,
        "killed": killed,
        "other": len(statuses) - killed - len(survived),
        "survived": {m: _survivor(group, m) for m in survived},
    }
    (OUT / f"{group.name}.json").write_text(json.dumps(record, indent=1) + "\n")
    return record


def _mutated_module(group: Group, mutant: str) -> str | None:
    """The module mutmut wrote for ``mutant`` (``policies.rules.x.x_f__mutmut_3``) in the scratch copy."""
    module = mutant.rpartition(".")[0]
    path = OUT / group.name / "mutants" / (module.replace(".", "/") + ".py")
    return path.read_text() if path.is_file() else None


def _survivor(group: Group, mutant: str) -> dict[str, str]:
    """What a report needs of a survivor, kept in the record: its diff, and the original and mutated
    function with the module's imports, so it can be classified again without the scratch copy."""
    found: dict[str, str] = {"diff": diff_of(group, mutant)}
    module = _mutated_module(group, mutant)
    sources = function_sources(module, mutant) if module is not None else None
    if module is not None and sources is not None:
        imports = [
            ast.get_source_segment(module, n) or ""
            for n in ast.parse(module).body
            if isinstance(n, ast.Import | ast.ImportFrom)
        ]
        found.update(original=sources[0], mutant=sources[1], imports="\n".join(imports))
    return found


def diff_of(group: Group, mutant: str) -> str:
    shown = subprocess.run(
        [str(MUTMUT), "show", mutant], cwd=OUT / group.name, capture_output=True, text=True, check=False
    ).stdout
    return "\n".join(
        line for line in shown.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))
    )


@dataclass(frozen=True)
class Survivor:
    group: str
    mutant: str
    diff: str
    equivalence: str | None  # a class of tests/mutation/equivalence.py, or None: behavioural

    @property
    def in_rules(self) -> bool:
        return self.mutant.startswith("policies.rules.")


def _classified(group: Group, mutant: str, kept: dict[str, str] | str) -> Survivor:
    # A record from before sources were kept holds the diff alone: read the scratch copy then.
    details = kept if isinstance(kept, dict) else {"diff": kept}
    if "original" not in details:
        module = _mutated_module(group, mutant)
        sources = function_sources(module, mutant) if module is not None else None
        if module is not None and sources is not None:
            details = {**details, "original": sources[0], "mutant": sources[1], "imports": module}
    equivalence = (
        classify(details["original"], details["mutant"], details["imports"])
        if "original" in details
        else None
    )
    return Survivor(group.name, mutant, details["diff"], equivalence)


@dataclass(frozen=True)
class Recorded:
    group: Group
    record: dict[str, Any] | None  # None: never run
    fresh: bool  # recorded for the files and tests as they are now
    survivors: tuple[Survivor, ...]

    @property
    def killed(self) -> int:
        return int(self.record["killed"]) if self.record else 0

    @property
    def other(self) -> int:
        return int(self.record["other"]) if self.record else 0

    @property
    def total(self) -> int:
        return self.killed + len(self.survivors) + self.other


def recorded(group: Group) -> Recorded:
    path = OUT / f"{group.name}.json"
    if not path.is_file():
        return Recorded(group, None, False, ())
    record = json.loads(path.read_text())
    survivors = tuple(_classified(group, m, kept) for m, kept in sorted(record["survived"].items()))
    return Recorded(group, record, record.get("digest") == digest(group), survivors)


def report(records: list[Recorded]) -> tuple[str, str, int]:
    """(summary.md, survivors.txt, the number of behavioural survivors in policies/rules/)."""
    ran = [r for r in records if r.record is not None]
    killed = sum(r.killed for r in ran)
    total = sum(r.total for r in ran)
    survivors = [s for r in ran for s in r.survivors]
    behavioural = [s for s in survivors if s.equivalence is None]
    in_rules = [s for s in behavioural if s.in_rules]
    rows = []
    for r in records:
        if r.record is None:
            rows.append(f"| {r.group.name} | not run | | | | | | | |")
            continue
        equivalent = sum(1 for s in r.survivors if s.equivalence is not None)
        score = 100.0 * r.killed / r.total if r.total else 100.0
        rows.append(
            f"| {r.group.name} | {r.total} | {r.killed} | {equivalent} | {len(r.survivors) - equivalent} | "
            f"{r.other} | {score:.1f}% | {r.record['seconds']:.0f}s | {r.record['started']}"
            f"{'' if r.fresh else ' (stale)'} |"
        )
    classes = {name: sum(1 for s in survivors if s.equivalence == name) for name in CLASSES}
    score = 100.0 * killed / total if total else 100.0
    equivalent_total = len(survivors) - len(behavioural)
    adjusted = 100.0 * (killed + equivalent_total) / total if total else 100.0
    summary = "\n".join(
        [
            f"mutmut: {killed}/{total} mutants killed ({score:.1f}%) in {len(ran)} groups, "
            f"{sum(r.record['seconds'] for r in ran if r.record) / 60:.1f} minutes; "
            f"{equivalent_total} survivors equivalent, {len(behavioural)} behavioural "
            f"(killed or equivalent: {adjusted:.1f}%)",
            f"behavioural survivors in policies/rules/: {len(in_rules)}",
            f"behavioural survivors elsewhere: {len(behavioural) - len(in_rules)}",
            "equivalent survivors by class: " + ", ".join(f"{k} {v}" for k, v in classes.items()),
            "",
            "| group | mutants | killed | survived, equivalent | survived, behavioural | other | score "
            "| time | run (UTC) |",
            "|---|---|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    listing = "".join(
        f"== {s.group} {s.mutant} [{s.equivalence or 'BEHAVIOURAL'}]\n{s.diff}\n" for s in survivors
    )
    return summary, listing, len(in_rules)


def main(argv: list[str]) -> int:
    """Run the chosen groups (``--report``: none), then report every group's latest record.

    Exit 1 when a behavioural mutant survives in ``policies/rules/``, or when a rule group's record
    is missing or stale (its files or tests changed since), since the count would not be the tree's.
    """
    only_report = "--report" in argv
    wanted = {a for a in argv if a != "--report"}
    chosen = [
        g for g in GROUPS if not wanted or g.name in wanted or any(g.name.startswith(w) for w in wanted)
    ]
    children = int(os.environ.get("MUTMUT_CHILDREN", "2"))
    OUT.mkdir(parents=True, exist_ok=True)
    for group in [] if only_report else chosen:
        record = run_group(group, children)
        total = record["killed"] + len(record["survived"]) + record["other"]
        print(
            f"{group.name}: {record['killed']}/{total} killed, {len(record['survived'])} survived "
            f"({record['seconds']:.0f}s)",
            flush=True,
        )
    records = [recorded(g) for g in GROUPS]
    summary, listing, in_rules = report(records)
    (OUT / "summary.md").write_text(summary + "\n")
    (OUT / "survivors.txt").write_text(listing)
    print(summary)
    unfit = [r.group.name for r in records if r.group.name.startswith("rule-") and not r.fresh]
    if unfit:
        print(f"rule groups with no result for the tree as it is: {', '.join(unfit)}", file=sys.stderr)
    return 1 if in_rules or unfit else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
