"""``tvt check``: the same findings as ``tvt plan``, JSON fields, malformed plans and transports."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest
from preview_helpers import PACK, PROJECT, check_args, load, tvt, write_json

URN_PREFIX = "urn:pulumi:violate::tvt-platform::"
FINDING_KEYS = {
    "rule", "enforcement", "severity", "urn", "type", "name", "message", "controls",
    "remediation", "url", "source", "configKeys", "ruleEnforcement",
}  # fmt: skip

L3_STORAGE = "urn:pulumi:violate::tvt-platform::azure-native:storage:StorageAccount::l3-storage"


def test_json_findings_have_the_contract_fields_and_match_findings_json(
    planned: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    run = tvt(check_args(planned["violate"] / "plan.json", "--format", "json"), capsys)
    assert run.code == 1
    assert run.out == (planned["violate"] / "findings.json").read_text(), (
        "check and plan must print the same document"
    )
    document = load(planned["violate"] / "findings.json")
    findings = document["findings"]
    assert [set(f) for f in findings] == [FINDING_KEYS] * len(findings)
    mandatory = findings[0]
    assert mandatory == {
        "rule": "storage-no-public-access",
        "enforcement": "mandatory",
        "severity": "high",
        "urn": URN_PREFIX + "tvt:level:DataLevel$azure-native:storage:StorageAccount::l3-storage",
        "type": "azure-native:storage:StorageAccount",
        "name": "l3-storage",
        "message": "Storage accounts allow no public blob access.\nallowBlobPublicAccess must be false",
        "controls": ["ncsc-csp:2.3", "cis-azure:3.7"],
        "remediation": "",  # the fixture pack declares none
        "url": "",
        "source": {"file": "__main__.py", "line": mandatory["source"]["line"]},
        "configKeys": [],
        "ruleEnforcement": "mandatory",
    }
    assert mandatory["source"]["line"] > 0
    assert [(f["enforcement"], f["rule"], f["name"]) for f in findings[1:]] == [
        ("advisory", "owner-tag", "l3-rg"),
        ("advisory", "owner-tag", "l3-storage"),
    ]


def test_clean_plan_checks_clean_in_text(
    planned: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    run = tvt(check_args(planned["clean"] / "plan.json"), capsys)
    assert run.code == 0
    assert run.out.startswith("tvt check: stack clean: PASS (0 mandatory violations, 2 findings)\n")
    assert "ADVISORY   owner-tag (low) azure-native:resources:ResourceGroup l3-rg:" in run.out


def test_exemption_status_comes_as_data_not_from_the_message(
    planned: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reason = "Public read (for now) of published statistics, agreed by the board."
    config = write_json(
        tmp_path / "policy.json",
        {
            "storage-no-public-access": {
                "exemptions": [
                    {
                        "resource": L3_STORAGE,
                        "reason": reason,
                        "approver": "SIRO",
                        "expires": "2026-12-31",
                    }
                ]
            }
        },
    )
    run = tvt(
        check_args(planned["violate"] / "plan.json", "--format", "json", "--policy-config", str(config)),
        capsys,
    )
    assert run.code == 0
    exempted = [f for f in load_text(run.out)["findings"] if "exemption" in f]
    assert len(exempted) == 1
    assert exempted[0]["enforcement"] == "advisory"
    assert exempted[0]["exemption"] == {
        "reason": reason,
        "approver": "SIRO",
        "expires": "2026-12-31",
        "status": "applied",
    }


def test_expired_exemption_keeps_the_finding_mandatory(
    planned: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reason = "Temporary, until the CDN is ready."
    exemption = {
        "resource": L3_STORAGE,
        "reason": reason,
        "approver": "SIRO",
        "expires": "2026-01-01",
    }
    config = write_json(tmp_path / "policy.json", {"storage-no-public-access": {"exemptions": [exemption]}})
    run = tvt(
        check_args(planned["violate"] / "plan.json", "--format", "json", "--policy-config", str(config)),
        capsys,
    )
    assert run.code == 1
    finding = load_text(run.out)["findings"][0]
    assert finding["enforcement"] == "mandatory"
    assert finding["exemption"]["status"] == "expired"
    assert finding["exemption"]["approver"] == "SIRO"


def load_text(text: str) -> dict:
    import json

    value: dict = json.loads(text)
    return value


def _broken(plan: dict, mutate: str) -> dict:
    doc = copy.deepcopy(plan)
    resources = doc["deployment"]["resources"]
    if mutate == "version":
        doc["version"] = 2
    elif mutate == "deployment":
        del doc["deployment"]
    elif mutate == "resources":
        doc["deployment"]["resources"] = {"not": "a list"}
    elif mutate == "urn":
        del resources[3]["urn"]
    elif mutate == "dependency":
        resources[4]["dependencies"] = ["urn:pulumi:clean::tvt-platform::x:y:Z::gone"]
    elif mutate == "inputs":
        resources[2]["inputs"] = ["not", "an", "object"]
    elif mutate == "own parent":  # a parent chain that loops: check and report walked it for ever
        resources[4]["parent"] = resources[4]["urn"]
    elif mutate == "later parent":
        resources[0]["parent"] = resources[4]["urn"]
    elif mutate == "later dependency":
        resources[3]["dependencies"] = [resources[4]["urn"]]
    elif mutate == "own property dependency":
        resources[4]["propertyDependencies"] = {"name": [resources[4]["urn"]]}
    elif mutate == "dangling property dependency":
        resources[4]["propertyDependencies"] = {"name": ["urn:pulumi:clean::tvt-platform::x:y:Z::gone"]}
    elif mutate == "provider that is no provider":  # the URN of a resource, with a made-up id
        resources[4]["provider"] = resources[2]["urn"] + "::bogus"
    elif mutate == "provider with another id":
        provider = next(r for r in resources if r["type"].startswith("pulumi:providers:"))
        resources[4]["provider"] = provider["urn"] + "::not-its-id"
    return doc


@pytest.mark.parametrize(
    ("mutate", "key", "expected"),
    [
        ("version", "version", "expected 3"),
        ("deployment", "deployment", "expected an object"),
        ("resources", "deployment.resources", "expected a list of resources"),
        ("urn", "deployment.resources[3].urn", "expected a non-empty string"),
        (
            "dependency",
            "deployment.resources[4].dependencies[0]",
            "refers to urn:pulumi:clean::tvt-platform::x:y:Z::gone",
        ),
        ("inputs", "deployment.resources[2].inputs", "expected an object"),
        ("own parent", "deployment.resources[4].parent", "refers to the resource itself"),
        ("later parent", "deployment.resources[0].parent", "refers to urn:pulumi:clean::tvt-platform::"),
        ("later dependency", "deployment.resources[3].dependencies[0]", "refers to urn:pulumi:clean::"),
        (
            "own property dependency",
            "deployment.resources[4].propertyDependencies.name[0]",
            "refers to the resource itself",
        ),
        (
            "dangling property dependency",
            "deployment.resources[4].propertyDependencies.name[0]",
            "refers to urn:pulumi:clean::tvt-platform::x:y:Z::gone, which is not in the plan",
        ),
        ("provider that is no provider", "deployment.resources[4].provider", "refers to urn:pulumi:clean::"),
        ("provider with another id", "deployment.resources[4].provider", "refers to urn:pulumi:clean::"),
    ],
)
def test_malformed_plan_exits_2_naming_file_and_key(
    planned: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    mutate: str,
    key: str,
    expected: str,
) -> None:
    path = write_json(tmp_path / "plan.json", _broken(load(planned["clean"] / "plan.json"), mutate))
    run = tvt(check_args(path), capsys)
    assert run.code == 2, run.out
    assert f"{path}: {key}: {expected}" in run.err
    assert "Traceback" not in run.err
    if mutate.startswith("later"):
        assert ", which comes after it (the engine needs it before)" in run.err
    if mutate.startswith("provider"):
        assert ", which is not an earlier provider of the plan (expected <provider URN>::<its id>)" in run.err


def test_plan_that_is_not_json_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "plan.json"
    path.write_text("{ not json")
    run = tvt(check_args(path), capsys)
    assert run.code == 2
    assert f"{path}: not JSON" in run.err


def test_missing_plan_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = tvt(check_args(tmp_path / "missing.json"), capsys)
    assert run.code == 2
    assert "missing.json: cannot read the plan" in run.err


def test_grpc_and_inprocess_transports_give_identical_findings(
    planned: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    plan = planned["violate"] / "plan.json"
    over_grpc = tvt(check_args(plan, "--format", "json", analyzer="grpc"), capsys)
    in_process = tvt(check_args(plan, "--format", "json", analyzer="inprocess"), capsys)
    assert over_grpc.code == in_process.code == 1
    assert over_grpc.out == in_process.out
    assert load_text(over_grpc.out)["findings"][0]["rule"] == "storage-no-public-access"


def _levelled_pack(root: Path, level: int) -> Path:
    """The fixture pack, wrapped so that every diagnostic it returns carries enforcement ``level``."""
    pack = root / f"levelled_{level}"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack / "__main__.py").write_text("")
    (pack / "pack.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(PACK.parent)!r})\n"
        "from fixture_pack.pack import make_analyzer as _inner\n"
        "class Levelled:\n"
        "    def __init__(self):\n"
        "        self.inner = _inner()\n"
        "    def __getattr__(self, name):\n"
        "        return getattr(self.inner, name)\n"
        "    def Analyze(self, request, context):\n"
        "        answer = self.inner.Analyze(request, context)\n"
        "        for diagnostic in answer.diagnostics:\n"
        f"            diagnostic.enforcementLevel = {level}\n"
        "        return answer\n"
        "def make_analyzer():\n"
        "    return Levelled()\n"
    )
    return pack


@pytest.mark.parametrize(("level", "code"), [(1, 1), (3, 1), (0, 0), (99, 2), (-1, 2)])
def test_a_diagnostic_is_judged_at_the_level_the_engine_would_read(
    planned: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    level: int,
    code: int,
) -> None:
    """Mandatory (1) blocks; remediate (3) blocks too, as the engine reads a violation that a
    remediation left; advisory (0) does not; a number the protocol does not define is refused as
    the engine refuses it ("invalid enforcement level"), where it was read as advisory: a pass."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    pack = _levelled_pack(tmp_path, level)
    argv = ["check", str(planned["violate"] / "plan.json"), "--root", str(PROJECT), "--pack", str(pack)]
    run = tvt([*argv, "--analyzer", "inprocess"], capsys)
    assert run.code == code, run.out + run.err
    if code == 2:
        assert f"invalid enforcement level {level}; expected one of 0 (advisory), 1 (mandatory)" in run.err
        assert "Traceback" not in run.err
