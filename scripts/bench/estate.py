"""Synthetic stack configs that grow the prod stack: partners x groups x grants x use cases x zones.

Each added partner brings ``groups`` Entra groups (analysts, uploaders, practitioners) and
``grants`` grants spread over the three levels (level-3 grants name one of the added use cases);
``zones`` extra zones are added to every level and the level-1 and level-2 grants rotate over them.
The result is written as ``stacks/Pulumi.<stack>.yaml`` under a scratch project root and validated by
the same loader ``tvt plan`` uses (:func:`components.config.load.load_stack`), so a config that
would not pass the schema and the semantic checks never reaches the benchmark.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from components.config.load import load_stack, read_stack_file, stack_file
from components.config.model import StackConfig

# The added partners' groups, in the order their grants use them.
_GROUPS = ("analysts", "ingest", "practitioners")
# One partner's grants, in order: (group, level, zone, role, needs a level-3 use case). "extra" is
# the partner's turn among the extra zones of that level (the whole level when there are none).
_GRANTS: tuple[tuple[str, int, str | None, str, bool], ...] = (
    ("ingest", 3, "landing", "ingest-writer", True),
    ("practitioners", 3, "matched", "reader", True),
    ("analysts", 2, "curated", "reader", False),
    ("analysts", 1, "extra", "reader", False),
    ("practitioners", 3, "raw", "reader", True),
    ("analysts", 2, "extra", "reader", False),
)
_KINDS = ("police", "local-authority", "health", "fire-and-rescue", "probation", "youth-justice")
# Links shared with the checked-in project: the program, its components and the policy pack.
PROJECT_LINKS = ("Pulumi.yaml", "__main__.py", "components", "policies")


@dataclass(frozen=True)
class Shape:
    """How much to add to the base stack."""

    partners: int
    groups: int = len(_GROUPS)  # per partner, at most 3
    grants: int = len(_GRANTS)  # per partner, at most 6
    use_cases: int = 1  # added level-3 use cases, shared round-robin by the partners' level-3 grants
    zones: int = 0  # extra zones per level

    def __post_init__(self) -> None:
        if not 1 <= self.groups <= len(_GROUPS) or not 0 <= self.grants <= len(_GRANTS):
            raise ValueError(f"groups must be 1..{len(_GROUPS)} and grants 0..{len(_GRANTS)}")
        if self.partners < 0 or self.zones < 0 or not 1 <= self.use_cases <= 999:
            raise ValueError("partners and zones must be >= 0, use_cases 1..999")


def _zone(level: int, k: int) -> str:
    return f"bench-l{level}-z{k:03d}"


def grow(base: dict[str, Any], shape: Shape, expires: str = "2099-12-31") -> dict[str, Any]:
    """``base`` (a stack file's ``config:``) with ``shape`` added; ``base`` itself is left unchanged."""
    config = copy.deepcopy(base)
    levels: dict[str, Any] = config["tvt:levels"]
    for n in (1, 2, 3):
        extra = levels[str(n)].setdefault("additionalZones", [])
        extra += [_zone(n, k) for k in range(shape.zones)]
    use_cases = [f"UC-2099-{k + 1:03d}" for k in range(shape.use_cases)]
    config["tvt:useCases"] = [
        *config.get("tvt:useCases", []),
        *(
            {"id": uc, "title": f"Benchmark use case {k + 1}", "level": 3,
             "approval": f"DEC-2099-{k + 1:02d}", "expires": expires}
            for k, uc in enumerate(use_cases)
        ),
    ]  # fmt: skip
    groups = _GROUPS[: shape.groups]
    partners, grants = config.setdefault("tvt:partners", []), config.setdefault("tvt:grants", [])
    for p in range(shape.partners):
        partner = f"bench-partner-{p:04d}"
        partners.append(
            {
                "id": partner,
                "name": f"Benchmark partner {p}",
                "kind": _KINDS[p % len(_KINDS)],
                "groups": [
                    {
                        "key": f"{partner}-{group}",
                        "objectId": f"00000000-0000-4000-9000-{p * len(_GROUPS) + g:012d}",
                        "displayName": f"Benchmark partner {p} {group}",
                    }
                    for g, group in enumerate(groups)
                ],
            }
        )
        for group, level, named_zone, role, needs_use_case in _GRANTS[: shape.grants]:
            if group not in groups:
                continue
            zone = named_zone
            if named_zone == "extra":
                zone = _zone(level, p % shape.zones) if shape.zones else None
            grant: dict[str, Any] = {"group": f"{partner}-{group}", "level": level, "role": role}
            if zone is not None:
                grant["zone"] = zone
            if needs_use_case:
                grant["useCase"] = use_cases[p % len(use_cases)]
            grants.append(grant)
    return config


def link_project(root: Path, project: Path) -> None:
    """A scratch project root running ``project``'s program and pack, with its own ``stacks/``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "stacks").mkdir(exist_ok=True)
    for name in PROJECT_LINKS:
        link = root / name
        if not link.exists():
            link.symlink_to(project / name)


def write_estate(
    root: Path, project: Path, stack: str, shape: Shape, base_stack: str = "prod"
) -> StackConfig:
    """Write the grown stack file under ``root`` and return it as the loader validated it."""
    link_project(root, project)
    base = read_stack_file(stack_file(base_stack, project), root=project)
    text = yaml.safe_dump({"config": grow(base, shape)}, sort_keys=False, width=120)
    stack_file(stack, root).write_text(f"# Generated by scripts/bench: {shape}\n{text}", encoding="utf-8")
    return load_stack(stack, root)
