"""Enforcement downgrades: a policy config that weakens a rule is allowed, but never silent."""

from __future__ import annotations

from pathlib import Path

import pytest
from preview_helpers import PACK, REPO, check_args, load, plan_args, tvt, write_json

from scripts.engine.analyzer import InProcessAnalyzer, load_servicer
from scripts.engine.policy_config import Downgrade, PackInfo, downgrades, load_policy_config, pack_info

HEADING = "Enforcement downgrades"


@pytest.fixture(scope="module")
def fixture_pack() -> PackInfo:
    return pack_info(InProcessAnalyzer(load_servicer(PACK), "fixture").get_info())


@pytest.fixture(scope="module")
def real_pack() -> PackInfo:
    return pack_info(InProcessAnalyzer(load_servicer(REPO / "policies"), "tvt").get_info())


@pytest.mark.parametrize("stack", ["dev", "test", "prod"])
def test_committed_policy_configs_downgrade_nothing(real_pack: PackInfo, stack: str) -> None:
    path = REPO / "policies" / "config" / f"{stack}.json"
    resolved = load_policy_config(path, real_pack)
    effective = {name: entry.enforcement for name, entry in resolved.items()}
    declared = {name: policy.enforcement for name, policy in real_pack.policies.items()}
    assert effective == declared, f"{path.name} sets a rule to a level other than the pack declares"
    assert downgrades(real_pack, resolved) == ()


def _downgrades(tmp_path: Path, pack: PackInfo, config: object) -> tuple[Downgrade, ...]:
    return downgrades(pack, load_policy_config(write_json(tmp_path / "policy.json", config), pack))


def test_only_weaker_levels_count(tmp_path: Path, fixture_pack: PackInfo) -> None:
    config = {
        "storage-no-public-access": "advisory",  # mandatory -> advisory: weaker
        "storage-tls": "disabled",  # mandatory -> disabled: weaker
        "storage-protected": "remediate",  # mandatory -> remediate: still blocks
        "owner-tag": "mandatory",  # advisory -> mandatory: stronger
    }
    assert _downgrades(tmp_path, fixture_pack, config) == (
        Downgrade("storage-no-public-access", "mandatory", "advisory"),
        Downgrade("storage-tls", "mandatory", "disabled"),
    )


def test_a_parameter_weaker_than_the_packs_default_is_a_downgrade(
    tmp_path: Path, real_pack: PackInfo
) -> None:
    """issue 7: hsmLevels [] and minimumRsaKeySize 2048 let a level-3 RSA-2048 software key pass."""
    weakened = {
        "encryption-key-strength": {"hsmLevels": [], "minimumRsaKeySize": 2048},
        "residency-uk-only": {"allowedLocations": ["uksouth", "ukwest"]},  # the default itself: no downgrade
        "identity-role-allow-list": {
            "allowedRoleDefinitionIds": [
                "e147488a-f6f5-4113-8e2d-b22465e65bf6",
                "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
            ]
        },
        "audit-workspace-retention": {"minimumRetentionDaysProd": 730},  # stricter: no downgrade
    }
    assert _downgrades(tmp_path, real_pack, weakened) == (
        Downgrade("encryption-key-strength", 'hsmLevels ["3", "shared"]', "hsmLevels []"),
        Downgrade("encryption-key-strength", "minimumRsaKeySize 3072", "minimumRsaKeySize 2048"),
        Downgrade(
            "identity-role-allow-list",
            'allowedRoleDefinitionIds ["e147488a-f6f5-4113-8e2d-b22465e65bf6"]',
            'allowedRoleDefinitionIds ["e147488a-f6f5-4113-8e2d-b22465e65bf6", '
            '"ba92f5b4-2d11-453d-a403-e96b0029c9fe"]',
        ),
    )


def test_all_advisory_downgrades_every_mandatory_rule(tmp_path: Path, fixture_pack: PackInfo) -> None:
    found = _downgrades(tmp_path, fixture_pack, {"all": "advisory"})
    mandatory = sorted(n for n, p in fixture_pack.policies.items() if p.enforcement == "mandatory")
    assert [d.rule for d in found] == mandatory
    assert {(d.declared, d.effective) for d in found} == {("mandatory", "advisory")}


def test_disabled_rule_shows_in_summary_and_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_json(tmp_path / "policy.json", {"storage-no-public-access": "disabled"})
    run = tvt(plan_args("violate", tmp_path / "out", "--policy-config", str(config)), capsys)
    assert run.code == 0, "the only mandatory rule with a finding is disabled"
    assert (
        f"{HEADING}: 1 rule(s) weaker than the pack declares\n"
        "  storage-no-public-access: declared mandatory, effective disabled (policy.json)\n"
    ) in run.out
    report = (tmp_path / "out" / "report.md").read_text()
    section = report.split(f"## {HEADING}\n")[1].split("\n## ")[0]
    assert "| rule | declared | effective | config file |" in section
    assert "| storage-no-public-access | mandatory | disabled | policy.json |" in section
    assert "| enforcement downgrades | 1 |" in report
    assert not [
        f
        for f in load(tmp_path / "out" / "findings.json")["findings"]
        if f["rule"] == "storage-no-public-access"
    ]


def test_downgrades_are_listed_in_rule_order_and_reproducibly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_json(
        tmp_path / "policy.json", {"storage-tls": "advisory", "storage-no-public-access": "disabled"}
    )
    reports = []
    for out in ("a", "b"):
        assert tvt(plan_args("violate", tmp_path / out, "--policy-config", str(config)), capsys).code == 0
        reports.append((tmp_path / out / "report.md").read_bytes())
    assert reports[0] == reports[1]
    rows = [line for line in reports[0].decode().splitlines() if line.startswith("| storage-")]
    assert rows[:2] == [
        "| storage-no-public-access | mandatory | disabled | policy.json |",
        "| storage-tls | mandatory | advisory | policy.json |",
    ]


def test_no_downgrade_is_said_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = tvt(plan_args("clean", tmp_path / "out"), capsys)
    assert run.code == 0
    assert f"{HEADING}: none (every rule runs at the level the pack declares)\n" in run.out
    section = (tmp_path / "out" / "report.md").read_text().split(f"## {HEADING}\n")[1].split("\n## ")[0]
    assert "| - | - | - | - |" in section


def test_check_lists_downgrades_in_text_and_on_stderr_for_json(
    planned: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_json(tmp_path / "policy.json", {"storage-no-public-access": "advisory"})
    line = "  storage-no-public-access: declared mandatory, effective advisory (policy.json)\n"
    text = tvt(check_args(planned["violate"] / "plan.json", "--policy-config", str(config)), capsys)
    assert text.code == 0
    assert f"{HEADING}: 1 rule(s) weaker than the pack declares\n{line}" in text.out
    as_json = tvt(
        check_args(planned["violate"] / "plan.json", "--format", "json", "--policy-config", str(config)),
        capsys,
    )
    assert as_json.out.startswith('{\n  "findings"') and HEADING not in as_json.out, (
        "stdout stays the document"
    )
    assert line in as_json.err
