"""Levels on synthetic plans, and ``tvt plan``: its cost per added resource stays flat as the estate grows."""

from __future__ import annotations

import gc
import io
import json
import time
from pathlib import Path
from typing import Any

import pytest
from preview_helpers import REPO

from scripts.bench.estate import Shape, write_estate
from scripts.commands.pipeline import PlanOptions, run_plan
from scripts.engine.plan import Plan, parse_plan
from scripts.review.levels import plan_levels
from tests.conftest import TODAY

PREFIX = "urn:pulumi:big::tvt-platform::"
STACK = PREFIX + "pulumi:pulumi:Stack::tvt-platform-big"


def _state(
    urn: str, type_: str, parent: str, inputs: dict[str, Any], deps: dict[str, list[str]]
) -> dict[str, Any]:
    all_deps = sorted({u for us in deps.values() for u in us})
    return {
        "urn": urn, "custom": not type_.startswith("tvt:"), "type": type_, "id": urn.rsplit("::", 1)[-1],
        "inputs": inputs, "outputs": inputs, "parent": parent, "protect": False,
        "dependencies": all_deps, "propertyDependencies": deps,
    }  # fmt: skip


def synthetic_states(groups: int) -> list[dict[str, Any]]:
    """Six resources per group, shaped like a data level's storage: tagged, untagged, cross-referencing,
    inside one of three level components (a resource's level comes from the level that declares it)."""
    states = [_state(STACK, "pulumi:pulumi:Stack", "", {}, {})]
    levels = {n: f"{PREFIX}tvt:level:DataLevel::l{n}" for n in ("1", "2", "3")}
    states += [_state(urn, "tvt:level:DataLevel", STACK, {}, {}) for urn in levels.values()]
    for g in range(groups):
        level = str(g % 3 + 1)
        tags = {"data-level": level, "owner": "team", "environment": "dev"}
        comp = f"{PREFIX}tvt:level:DataLevel$tvt:storage:SecureStorage::g{g}"
        inner = f"{PREFIX}tvt:level:DataLevel$azure-native:"
        rg, sa = f"{inner}resources:ResourceGroup::g{g}-rg", f"{inner}storage:StorageAccount::g{g}-sa"
        box, ra = f"{inner}storage:BlobContainer::g{g}-box", f"{inner}authorization:RoleAssignment::g{g}-ra"
        diag = f"{inner}monitor:DiagnosticSetting::g{g}-diag"
        states += [
            _state(comp, "tvt:storage:SecureStorage", levels[level], {}, {}),
            _state(rg, "azure-native:resources:ResourceGroup", comp, {"tags": tags}, {}),
            _state(sa, "azure-native:storage:StorageAccount", comp, {"tags": tags},
                   {"resourceGroupName": [rg]}),
            _state(box, "azure-native:storage:BlobContainer", comp, {"containerName": "raw"},
                   {"accountName": [sa], "resourceGroupName": [rg]}),
            _state(ra, "azure-native:authorization:RoleAssignment", comp,
                   {"principalType": "Group", "principalId": f"id-{g}"}, {"scope": [box]}),
            _state(diag, "azure-native:monitor:DiagnosticSetting", comp, {"name": "diag"},
                   {"resourceUri": [sa], "workspaceId": [rg]}),
        ]  # fmt: skip
    return states


def synthetic_plan(groups: int) -> Plan:
    document = {"version": 3, "deployment": {"manifest": {"time": "", "magic": "", "version": "x"}}}
    document["deployment"]["resources"] = synthetic_states(groups)
    return parse_plan(document, "synthetic")


def test_levels_follow_structure_property_dependencies_and_children() -> None:
    plan = synthetic_plan(3)
    levels = plan_levels(plan)
    for g, level in enumerate(["1", "2", "3"]):
        group = {urn.rsplit("::", 1)[-1]: lvl for urn, lvl in levels.items() if f"::g{g}" in urn}
        assert group == {
            f"g{g}": level,  # the component: its children agree
            f"g{g}-rg": level,  # tagged
            f"g{g}-sa": level,
            f"g{g}-box": level,  # untagged: accountName -> storage account
            f"g{g}-ra": level,  # untagged: scope -> container -> storage account
            f"g{g}-diag": level,  # resourceUri (the target) wins over workspaceId
        }, f"group g{g}"
    assert levels[STACK] == "mixed"


def _cpu(project: Path, out: Path, runs: int) -> tuple[float, int]:
    """The fewest CPU seconds of ``runs`` whole ``tvt plan`` runs (in-process pack) and the plan's
    resources; CPU time of this process, not wall, so other work on the machine blurs it less."""
    best = float("inf")
    for _ in range(runs):
        err = io.StringIO()
        gc.collect()
        start = time.process_time()
        code = run_plan(
            PlanOptions(stack="prod", out=out, root=project, analyzer="inprocess"), out=io.StringIO(), err=err
        )
        best = min(best, time.process_time() - start)
        assert code == 0, f"tvt plan of the grown estate exited {code}: {err.getvalue()[-2000:]}"
    return best, len(json.loads((out / "plan.json").read_bytes())["deployment"]["resources"])


def test_cost_per_added_resource_stays_flat_when_the_growth_is_four_times_larger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole of ``tvt plan`` (config, program, plan, policies, every report), measured in this
    run on a grown prod estate and on that estate grown by 1x and by 4x as many partners (3 groups
    and 6 grants each): a resource of the 4x growth may cost at most 1.3 times as much as one of the
    1x growth. Per *added* resource, so that the fixed part (imports, the audit services) neither
    hides growth nor fakes it. Quadratic work fails it once it costs about 3 microseconds per pair of
    resources (+40% at 1,000 resources; an extra O(N^2) pass of that cost was injected to check)."""
    monkeypatch.setenv("TVT_TODAY", TODAY)
    estates = {"base": 10, "1x": 40, "4x": 130}  # partners: +30 and +120
    for name, partners in estates.items():
        write_estate(tmp_path / name, REPO, "prod", Shape(partners=partners, zones=2, use_cases=3))
    _cpu(tmp_path / "base", tmp_path / "warm", 1)  # imports, lazily loaded types, caches
    # A busy machine only ever makes a resource look costlier, never cheaper: a second measurement
    # is taken when the first is over the bound, and the better of the two is judged.
    ratio = float("inf")
    for attempt in range(2):
        runs = [_cpu(tmp_path / n, tmp_path / f"{n}-plan-{attempt}", 2) for n in estates]
        (base, n0), (one, n1), (four, n4) = runs
        growths = (n1 - n0, n4 - n0)
        assert 3.5 <= growths[1] / growths[0] <= 4.5, f"growths of {growths} resources are not 1:4"
        small, large = (one - base) / (n1 - n0), (four - base) / (n4 - n0)
        ratio = min(ratio, large / small)
        if ratio <= 1.3:
            break
    assert ratio <= 1.3, (
        f"an added resource costs {ratio:.2f}x as much when {n4 - n0} are added as when {n1 - n0} are "
        f"({small * 1000:.2f} -> {large * 1000:.2f} ms CPU; estates of {n0}, {n1}, {n4} resources)"
    )
