"""``__main__.py`` builds each example stack from its stack file, with the resource count it implies."""

from __future__ import annotations

import pytest
from component_runs import DIAGNOSTIC, PLATFORM, ROLE_ASSIGNMENT, STACKS, Run, Runs

from components.config.model import WRITE_ONCE_ZONES

COMPONENTS = (
    17  # Platform, AuditServices, 3 DataLevels, and a network, key vault and storage in each of 4 scopes
)
# Azure resources whatever the config says: audit 62 (RG, network 3 + 2 settings, 7 DNS zones,
# 28 links, workspace + setting, key vault 7, archive 7, activity log, and the private link scope 4:
# scope, scoped workspace, endpoint, zone group) and 21 per level (RG, network 3 + 2 settings,
# key vault 7, account, blob service, 2 endpoints, 2 zone groups, 2 settings).
FIXED = 62 + 3 * 21


@pytest.mark.parametrize("stack", STACKS)
def test_main_builds_the_stack(runs: Runs, stack: str) -> None:
    run: Run = runs.main(stack)
    config = run.config
    zones = sum(len(level.zones) for level in config.levels)
    locks = 4 if config.is_prod else 0
    # One custom role definition per TVT role a level's grants use.
    roles = sum(len({g.role for g in config.grants if g.level == lv.level}) for lv in config.levels)
    # A retention policy per write-once zone (level 3's raw).
    write_once = sum(len(WRITE_ONCE_ZONES.get(lv.level, ())) for lv in config.levels)
    expected = FIXED + zones + len(config.grants) + locks + roles + write_once
    custom = [r for r in run.resources if r.custom]
    assert len(custom) == expected, f"main-{stack}: {len(custom)} resources, expected {expected}"
    assert len(run.resources) - len(custom) == COMPONENTS
    assert [r.name for r in run.resources if r.type == PLATFORM] == ["tvt"]
    assert len(run.capture.by_type(ROLE_ASSIGNMENT)) == len(config.grants) + 4
    assert len(run.capture.by_type(DIAGNOSTIC)) == 6 + 3 * 5
    assert getattr(run.capture, "errors", []) == [], f"main-{stack} logged errors"
