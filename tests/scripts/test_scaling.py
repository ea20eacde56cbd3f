"""Levels on synthetic plans, and cost that grows linearly with the number of resources."""

from __future__ import annotations

import copy
import gc
import time
from typing import Any

from preview_helpers import PACK

from scripts.engine.analyzer import InProcessAnalyzer, load_servicer
from scripts.engine.evaluate import evaluate
from scripts.engine.export import topological
from scripts.engine.plan import Plan, parse_plan
from scripts.review.findings import Judged, review
from scripts.review.levels import plan_levels
from scripts.review.outputs import report_files
from scripts.review.report import ReportInputs
from scripts.review.stack_facts import NO_FACTS
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


def _work(groups: int) -> float:
    """Index, order, evaluate (in-process pack) and write all reports of a synthetic plan; return seconds."""
    states = synthetic_states(groups)
    analyzer = InProcessAnalyzer(load_servicer(PACK), "fixture")
    gc.collect()
    gc.disable()  # collector pauses grow with the heap; they would blur what the code itself costs
    try:
        start = time.perf_counter()
        ordered = topological(copy.deepcopy(states))
        document = {"version": 3, "deployment": {"manifest": {"version": "x"}, "resources": ordered}}
        plan = parse_plan(document, "synthetic")
        evaluation = review(evaluate(plan, analyzer, None), plan)
        levels = plan_levels(plan)
        report_files(ReportInputs(plan, evaluation, levels, NO_FACTS, Judged("pack defaults", TODAY)))
        return time.perf_counter() - start
    finally:
        gc.enable()


def test_cost_grows_linearly_not_quadratically() -> None:
    _work(20)  # warm imports and caches
    small = min(_work(100) for _ in range(3))
    large = min(_work(400) for _ in range(3))
    ratio = large / small
    # 4x the resources: linear is ~4x, quadratic ~16x; 8x leaves room for noise on a busy machine.
    assert ratio < 8, f"4x resources took {ratio:.1f}x as long ({small:.3f}s -> {large:.3f}s)"
