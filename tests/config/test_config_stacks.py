"""The example stacks validate, through the API, the CLI in-process and the installed console script."""

from __future__ import annotations

import ipaddress
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from components.config.load import ROOT, ConfigError, load_stack
from components.config.model import DEFAULT_ZONES, LANDING_ZONE, PartnerKind, Role, StackConfig
from scripts.cli import main
from tests.conftest import TODAY_DATE

STACKS = ("dev", "test", "prod")


@pytest.fixture(scope="module")
def stacks() -> dict[str, StackConfig]:
    return {s: load_stack(s, today=TODAY_DATE) for s in STACKS}


@pytest.mark.parametrize("stack", STACKS)
def test_example_stack_validates_through_the_cli(stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", "--stack", stack])
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), f"stacks/Pulumi.{stack}.yaml: {err}"
    assert out.startswith(f"stacks/Pulumi.{stack}.yaml: valid: stack {stack} ({stack}, uksouth): ")
    assert out.count("\n") == 1


def test_console_script_validates_prod() -> None:
    """The installed ``tvt`` entry point runs and exits 0 (the repo root on PYTHONPATH, as pytest has it)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    tvt = Path(sys.executable).with_name("tvt")
    result = subprocess.run(
        [str(tvt), "validate", "--stack", "prod"], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert re.search(
        r"^stacks/Pulumi\.prod\.yaml: valid: stack prod \(prod, uksouth\): \d+ partners", result.stdout
    )


def test_console_script_exits_2_without_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    tvt = Path(sys.executable).with_name("tvt")
    result = subprocess.run(
        [str(tvt), "validate", "--stack", "prod", "--root", str(tmp_path)],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (2, "stacks/Pulumi.prod.yaml: (file): no such stack file\n")


def test_prod_exercises_every_role_and_partner_kind(stacks: dict[str, StackConfig]) -> None:
    """Properties of the fullest example, not its size: adding a partner or a grant keeps this green."""
    prod = stacks["prod"]
    assert {g.role for g in prod.grants if g.level == 3} == set(Role), "prod has every role kind at level 3"
    assert prod.audit.log_retention_days >= 365, "at least a year of logs for investigations"
    assert prod.audit.archive_retention_days >= prod.audit.log_retention_days
    assert any(prod.level(n).zones != prod.level(n).zones[: len(DEFAULT_ZONES[n])] for n in (1, 2, 3)), (
        "prod shows an additional zone"
    )
    ingest = {prod_partner_kind(prod, g.group) for g in prod.grants if g.role is Role.INGEST_WRITER}
    assert {PartnerKind.POLICE, PartnerKind.LOCAL_AUTHORITY} <= ingest
    assert all(g.zone == LANDING_ZONE for g in prod.grants if g.role is Role.INGEST_WRITER)
    assert any(g.level == 2 and g.role is Role.READER for g in prod.grants)
    assert sum(g.level == 1 and g.role is Role.READER for g in prod.grants) >= 5


def prod_partner_kind(cfg: StackConfig, group_key: str) -> PartnerKind:
    return next(p.kind for p in cfg.partners if any(g.key == group_key for g in p.groups))


@pytest.mark.parametrize("stack", STACKS)
def test_level_3_grants_name_use_cases_expiring_2027_or_later(
    stacks: dict[str, StackConfig], stack: str
) -> None:
    cfg = stacks[stack]
    level_3 = [g for g in cfg.grants if g.level == 3]
    assert level_3, f"{stack}: no level-3 grant"
    for grant in level_3:
        assert grant.use_case is not None
        assert cfg.use_case(grant.use_case).expires.year in (2027, 2028), f"{stack}: {grant}"


def test_dev_is_a_disposable_sandbox(stacks: dict[str, StackConfig]) -> None:
    dev = stacks["dev"]
    assert dev.environment.value == "dev" and not dev.is_prod
    assert dev.audit.log_retention_days < stacks["prod"].audit.log_retention_days, "short retention"
    assert not dev.audit.archive_immutability_locked, "its archive can be torn down"
    assert {g.level for g in dev.grants} == {1, 2, 3}, "yet every level has a grant to try"


def test_stacks_have_distinct_subscriptions_and_networks(stacks: dict[str, StackConfig]) -> None:
    subscriptions = {cfg.subscription_id for cfg in stacks.values()}
    assert len(subscriptions) == len(STACKS)
    networks = [
        (stack, ipaddress.IPv4Network(space))
        for stack, cfg in stacks.items()
        for space in (cfg.audit.address_space, *(lc.address_space for lc in cfg.levels))
    ]
    for i, (stack, net) in enumerate(networks):
        for other_stack, other in networks[i + 1 :]:
            assert not net.overlaps(other), f"{stack} {net} overlaps {other_stack} {other}"


def test_prod_fails_once_a_level_3_approval_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TVT_TODAY", "2027-10-01")  # the day after UC-2026-001 expires
    with pytest.raises(ConfigError) as caught:
        load_stack("prod")
    expired = [
        i for i in caught.value.issues if "UC-2026-001 (DEC-2026-03) expired on 2027-09-30" in i.message
    ]
    assert [i.path for i in expired] == [
        "tvt:grants[0].useCase",
        "tvt:grants[2].useCase",
        "tvt:grants[3].useCase",
    ]
    assert all(i.file == "stacks/Pulumi.prod.yaml" for i in caught.value.issues)
