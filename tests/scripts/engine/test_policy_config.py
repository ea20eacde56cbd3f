"""The policy config file: checked against the pack's own metadata, reconciled like the engine does."""

from __future__ import annotations

from pathlib import Path

import pytest
from preview_helpers import PACK, check_args, load, tvt, write_json
from pulumi.runtime.proto import analyzer_pb2

from scripts.engine.analyzer import InProcessAnalyzer, load_servicer
from scripts.engine.errors import PreviewError
from scripts.engine.policy_config import (
    PackInfo,
    PolicyEntry,
    configure_request,
    downgrades,
    load_policy_config,
    pack_info,
)


@pytest.fixture(scope="module")
def pack() -> PackInfo:
    return pack_info(InProcessAnalyzer(load_servicer(PACK), "fixture").get_info())


def problems(tmp_path: Path, pack: PackInfo, config: object) -> str:
    path = write_json(tmp_path / "policy.json", config)
    with pytest.raises(PreviewError) as caught:
        load_policy_config(path, pack)
    return str(caught.value)


def test_missing_enforcement_level_keeps_the_packs_mandatory_level(tmp_path: Path, pack: PackInfo) -> None:
    path = write_json(tmp_path / "policy.json", {"storage-no-public-access": {"exemptions": []}})
    request = configure_request(load_policy_config(path, pack))
    # The protobuf default for an unset level is ADVISORY (0): sending it would silently downgrade the rule.
    assert request.policyConfig["storage-no-public-access"].enforcementLevel == analyzer_pb2.MANDATORY
    assert request.policyConfig["owner-tag"].enforcementLevel == analyzer_pb2.ADVISORY
    assert set(request.policyConfig) == set(pack.policies), "every policy is configured, as the engine does"


def test_missing_enforcement_level_still_fails_the_plan(
    planned: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_json(tmp_path / "policy.json", {"storage-no-public-access": {"exemptions": []}})
    run = tvt(
        check_args(planned["violate"] / "plan.json", "--format", "json", "--policy-config", str(config)),
        capsys,
    )
    assert run.code == 1
    assert '"enforcement": "mandatory"' in run.out


def test_schema_defaults_then_file_values_reach_the_pack(tmp_path: Path, pack: PackInfo) -> None:
    assert load_policy_config(None, pack)["owner-tag"].properties == {"placeholder": "fixture"}
    path = write_json(tmp_path / "policy.json", {"owner-tag": {"placeholder": "tbd"}, "all": "advisory"})
    resolved = load_policy_config(path, pack)
    assert resolved["owner-tag"].properties == {"placeholder": "tbd"}
    assert {entry.enforcement for entry in resolved.values()} == {"advisory"}, "'all' sets every level"


def test_explicit_level_overrides_the_packs(tmp_path: Path, pack: PackInfo) -> None:
    path = write_json(tmp_path / "policy.json", {"storage-tls": "disabled"})
    assert load_policy_config(path, pack)["storage-tls"].enforcement == "disabled"


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (["storage-tls"], "policy.json: expected an object of policy name -> config, got list"),
        (
            {"storage-tsl": "mandatory"},
            "policy.json: storage-tsl: not a policy of pack 'tvt-fixture' (did you mean 'storage-tls'?)",
        ),
        (
            {"storage-tls": "strict"},
            "storage-tls: expected one of advisory, mandatory, remediate, disabled, got 'strict'",
        ),
        (
            {"storage-tls": {"enforcementLevel": 1}},
            "policy.json: storage-tls.enforcementLevel: expected one of advisory",
        ),
        (
            {"storage-tls": 3},
            "policy.json: storage-tls: expected an enforcement level string or an object, got 3",
        ),
        (
            {"storage-tls": {"exemption": []}},
            "policy.json: storage-tls: Additional properties are not allowed ('exemption' was unexpected)",
        ),
        ({"owner-tag": {"placeholder": 7}}, "policy.json: owner-tag.placeholder: 7 is not of type 'string'"),
        (
            {
                "storage-tls": {
                    "exemptions": [{"resource": "*", "reason": "short", "approver": "X", "expires": "soon"}]
                }
            },
            "policy.json: storage-tls.exemptions[0].expires: 'soon' is not a 'date'",
        ),
        (
            {"storage-tls": {"exemptions": [{"resource": "*", "reason": "too short", "approver": "X"}]}},
            "policy.json: storage-tls.exemptions[0]: 'expires' is a required property",
        ),
    ],
)
def test_malformed_policy_config_names_the_file_and_key(
    tmp_path: Path, pack: PackInfo, config: object, expected: str
) -> None:
    assert expected in problems(tmp_path, pack, config)


def test_every_problem_is_reported_at_once(tmp_path: Path, pack: PackInfo) -> None:
    message = problems(tmp_path, pack, {"nope": "mandatory", "storage-tls": "strict"})
    assert "policy.json: nope: not a policy" in message
    assert "policy.json: storage-tls: expected one of" in message


def test_policy_config_that_is_not_json_exits_2(
    planned: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "policy.json"
    config.write_text("{")
    run = tvt(check_args(planned["clean"] / "plan.json", "--policy-config", str(config)), capsys)
    assert run.code == 2
    assert f"{config}: not JSON" in run.err


def test_controls_and_severity_come_from_the_packs_metadata(planned: dict[str, Path], pack: PackInfo) -> None:
    assert pack.policies["storage-protected"].kind == "stack"
    assert pack.policies["storage-no-public-access"].controls == ("ncsc-csp:2.3", "cis-azure:3.7")
    findings = load(planned["violate"] / "findings.json")["findings"]
    assert all(f["controls"] == list(pack.policies[f["rule"]].controls) for f in findings)


def test_all_sets_every_level_then_each_entry_applies_as_the_engine_does(
    tmp_path: Path, pack: PackInfo
) -> None:
    # Pulumi's applyConfig: "all" sets every policy's level, then each entry is applied over it; an
    # entry without enforcementLevel keeps the level "all" gave it (only its properties change).
    config = {"all": "disabled", "storage-tls": "mandatory", "owner-tag": {"placeholder": "x"}}
    resolved = load_policy_config(write_json(tmp_path / "policy.json", config), pack)
    assert resolved["storage-tls"].enforcement == "mandatory"
    assert resolved["owner-tag"] == PolicyEntry("disabled", {"placeholder": "x"})
    assert {n for n, e in resolved.items() if e.enforcement == "disabled"} == set(pack.policies) - {
        "storage-tls"
    }
    found = downgrades(pack, resolved)
    assert [d.rule for d in found] == sorted(set(pack.policies) - {"storage-tls"})
    assert {(d.declared, d.effective) for d in found} == {("mandatory", "disabled"), ("advisory", "disabled")}


@pytest.mark.parametrize("level", ["advisory", "disabled"])
def test_all_weaker_is_listed_as_a_downgrade_of_every_mandatory_rule(
    planned: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], pack: PackInfo, level: str
) -> None:
    config = write_json(tmp_path / "policy.json", {"all": {"enforcementLevel": level}})
    run = tvt(check_args(planned["violate"] / "plan.json", "--policy-config", str(config)), capsys)
    assert run.code == 0, "every mandatory rule runs weaker, so nothing blocks"
    for name, policy in sorted(pack.policies.items()):
        if policy.enforcement == "mandatory":
            assert f"  {name}: declared mandatory, effective {level} (policy.json)\n" in run.out + run.err
