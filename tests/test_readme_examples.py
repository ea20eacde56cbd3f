"""The README's "Changing the access model" examples apply cleanly to the stack they name.

Each YAML block of that section is merged into ``stacks/Pulumi.dev.yaml`` (lists appended, level
settings merged), in order, as a user following the README would; the result must validate and
plan with no mandatory finding. A dev stack that already holds the examples (a user who followed
the README) keeps this green: what it holds is replaced by the example, not added twice.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.config.load import load_stack, read_stack_file, stack_file
from scripts.commands.pipeline import PlanOptions, run_plan

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Changing the access model"
STACK = "dev"
PROJECT_FILES = ("__main__.py", "Pulumi.yaml", "components", "policies")


def examples() -> list[dict[str, Any]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    assert f"`stacks/Pulumi.{STACK}.yaml`" in section, "the section names the stack its examples apply to"
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)
    return [yaml.safe_load(block) for block in blocks]


def _same(item: Any, other: Any) -> bool:
    """The same list entry: equal, or a mapping with the same ``id`` (a partner, a use case)."""
    if item == other:
        return True
    return (
        isinstance(item, dict)
        and isinstance(other, dict)
        and "id" in item
        and item.get("id") == other.get("id")
    )


def apply(config: dict[str, Any], example: dict[str, Any]) -> dict[str, Any]:
    """``example`` merged into ``config`` as the README says to; an entry the stack already holds
    (a user who has followed the README already) is replaced, not added twice."""
    merged = dict(config)
    for key, value in example.items():
        if isinstance(value, list):
            kept = [item for item in config.get(key, []) if not any(_same(item, new) for new in value)]
            merged[key] = [*kept, *value]
        elif isinstance(value, dict):
            merged[key] = {
                k: {**config.get(key, {}).get(k, {}), **v}
                for k, v in {**config.get(key, {}), **value}.items()
            }
        else:
            merged[key] = value
    return merged


def test_the_section_has_the_four_examples() -> None:
    keys = [next(iter(e)) for e in examples()]
    assert keys == ["tvt:partners", "tvt:useCases", "tvt:grants", "tvt:levels"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project whose dev stack has every README example applied."""
    for name in PROJECT_FILES:
        (tmp_path / name).symlink_to(ROOT / name)
    (tmp_path / "stacks").mkdir()
    config = read_stack_file(stack_file(STACK, ROOT), root=ROOT)
    for example in examples():
        config = apply(config, example)
    stack_file(STACK, tmp_path).write_text(
        yaml.safe_dump({"config": config}, sort_keys=False), encoding="utf-8"
    )
    return tmp_path


def test_examples_validate_and_plan_on_the_stack_they_name(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TVT_TODAY", "2026-06-01")
    config = load_stack(STACK, project)
    assert "sbc-analysts" in {g.key for p in config.partners for g in p.groups}
    assert "UC-2026-007" in {u.id for u in config.use_cases}
    assert "dashboards" in config.level(1).zones
    err = io.StringIO()
    out = io.StringIO()
    code = run_plan(PlanOptions(STACK, project / "out", root=project, analyzer="inprocess"), out=out, err=err)
    assert code == 0, out.getvalue() + err.getvalue()
    report = (project / "out" / "report.md").read_text(encoding="utf-8")
    assert "Slough community safety analysts (dev)" in report, "the new grant is in the access matrix"


def test_applying_the_examples_twice_is_applying_them_once() -> None:
    config = read_stack_file(stack_file(STACK, ROOT), root=ROOT)
    once = config
    for example in examples():
        once = apply(once, example)
    twice = once
    for example in examples():
        twice = apply(twice, example)
    assert twice == once
