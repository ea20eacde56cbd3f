"""``tvt diff``: what a change would delete or replace, and the alarm when data or keys would be lost.

Most cases build two tiny plans (a stack plus a few resources) and mutate one thing; the last runs
the real program for the dev stack twice and replaces the level-3 storage account by renaming it.
"""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from preview_helpers import REPO, load, tvt, write_json

from policies.catalog import CATALOG
from scripts.commands.pipeline import PlanOptions, run_plan
from scripts.engine.export import SECRET_SIG, SIG_KEY
from scripts.engine.plan import parse_plan
from scripts.review.diff import Kind, diff_plans

PREFIX = "urn:pulumi:dev::tvt-platform::"
STACK_URN = PREFIX + "pulumi:pulumi:Stack::tvt-platform-dev"
STORAGE = "azure-native:storage:StorageAccount"
VAULT = "azure-native:keyvault:Vault"
KEY = "azure-native:keyvault:Key"
SUBNET = "azure-native:network:Subnet"
RG = "azure-native:resources:ResourceGroup"
CHANGE_KEYS = {"urn", "type", "change", "paths", "alarm", "allowed", "reason", "properties"}
NOT_COMPARED = "\nfindings: not compared (a plan has no findings.json beside it)\n"


def urn(type_: str, name: str) -> str:
    return f"{PREFIX}{type_}::{name}"


def resource(type_: str, name: str, inputs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "urn": urn(type_, name),
        "custom": True,
        "type": type_,
        "id": name,
        "inputs": inputs,
        "outputs": inputs,
        "parent": STACK_URN,
        "protect": False,
        "dependencies": [],
        "propertyDependencies": {},
        **extra,
    }


def baseline() -> dict[str, Any]:
    """One of each kind the cases mutate: a data account, a vault and key, a subnet, a group."""
    stack = {
        "urn": STACK_URN,
        "custom": False,
        "type": "pulumi:pulumi:Stack",
        "inputs": {},
        "outputs": {},
        "protect": False,
        "dependencies": [],
        "propertyDependencies": {},
    }
    rg = {"resourceGroupName": "rg-tvt-dev-l3", "location": "uksouth"}
    resources = [
        stack,
        resource(RG, "l3-rg", rg),
        resource(
            STORAGE,
            "l3-storage-account",
            {
                **rg,
                "accountName": "sttvtdevl3abcde",
                "kind": "StorageV2",
                "isHnsEnabled": True,
                "tags": {"owner": "vru", "tvt:level": "3"},
            },
        ),
        resource(VAULT, "l3-keyvault-vault", {**rg, "vaultName": "kv-tvt-dev-l3-abcde"}),
        resource(
            KEY,
            "l3-keyvault-key",
            {
                "resourceGroupName": "rg-tvt-dev-l3",
                "vaultName": "kv-tvt-dev-l3-abcde",
                "keyName": "cmk-l3",
                "properties": {"kty": "RSA-HSM", "keySize": 3072},
            },
        ),
        resource(
            SUBNET,
            "l3-network-subnet",
            {
                "resourceGroupName": "rg-tvt-dev-l3",
                "virtualNetworkName": "vnet-l3",
                "subnetName": "snet-pe",
                "addressPrefix": "10.63.0.0/26",
            },
        ),
    ]
    return {"version": 3, "deployment": {"manifest": {"version": "3.272.0"}, "resources": resources}}


def find(document: dict[str, Any], name: str) -> dict[str, Any]:
    matches = [r for r in document["deployment"]["resources"] if r["urn"].endswith(f"::{name}")]
    assert len(matches) == 1, f"{name}: expected one resource, found {len(matches)}"
    return matches[0]


def drop(document: dict[str, Any], name: str) -> dict[str, Any]:
    document["deployment"]["resources"].remove(find(document, name))
    return document


def diff(
    tmp_path: Path, base: dict[str, Any], new: dict[str, Any], capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, list[dict[str, Any]], str]:
    """Run ``tvt diff --format json`` (and the text form, which must agree on the exit code)."""
    b, n = write_json(tmp_path / "base.json", base), write_json(tmp_path / "new.json", new)
    text = tvt(["diff", str(b), str(n), *extra], capsys)
    run = tvt(["diff", str(b), str(n), "--format", "json", *extra], capsys)
    assert run.code == text.code, f"text exit {text.code}, json exit {run.code}"
    return run.code, json.loads(run.out)["changes"] if run.out else [], text.out


def test_identical_plans_have_no_changes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, changes, text = diff(tmp_path, baseline(), baseline(), capsys)
    assert (code, changes) == (0, [])
    assert text == "dev: 0 added, 0 updated, 0 replaced, 0 deleted, 0 alarms -> PASS\n" + NOT_COMPARED


def test_storage_account_rename_is_a_replace_and_an_alarm(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = baseline()
    find(new, "l3-storage-account")["inputs"]["accountName"] = "sttvtdevl3zzzzz"
    code, changes, text = diff(tmp_path, baseline(), new, capsys)
    assert code == 1
    assert [(c["change"], c["urn"], c["paths"], c["alarm"]) for c in changes] == [
        ("replaced", urn(STORAGE, "l3-storage-account"), ["accountName"], True)
    ]
    assert 'accountName "sttvtdevl3abcde" -> "sttvtdevl3zzzzz" (forms the ARM id' in changes[0]["reason"]
    assert "data-bearing" in changes[0]["reason"]
    assert text.splitlines()[0] == "dev: 0 added, 0 updated, 1 replaced, 0 deleted, 1 alarms -> FAIL"
    assert text.splitlines()[2] == "ALARMS (data would be lost):"


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda i: i.update(location="ukwest"), "location"),
        (lambda i: i.update(isHnsEnabled=False), "isHnsEnabled"),
        (lambda i: i.update(kind="BlobStorage"), "kind"),
    ],
    ids=["location", "isHnsEnabled", "kind"],
)
def test_create_only_storage_inputs_force_replacement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mutate: Any, path: str
) -> None:
    new = baseline()
    mutate(find(new, "l3-storage-account")["inputs"])
    code, changes, _ = diff(tmp_path, baseline(), new, capsys)
    assert code == 1
    assert [(c["change"], c["paths"]) for c in changes] == [("replaced", [path])]


def test_key_type_change_is_new_key_material(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = baseline()
    find(new, "l3-keyvault-key")["inputs"]["properties"]["kty"] = "EC-HSM"
    code, changes, _ = diff(tmp_path, baseline(), new, capsys)
    assert code == 1
    assert changes[0]["change"] == "replaced"
    assert 'properties.kty "RSA-HSM" -> "EC-HSM"' in changes[0]["reason"]


def test_deleted_vault_is_an_alarm(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, changes, text = diff(tmp_path, baseline(), drop(baseline(), "l3-keyvault-vault"), capsys)
    assert code == 1
    assert [(c["change"], c["type"], c["alarm"]) for c in changes] == [("deleted", VAULT, True)]
    assert changes[0]["reason"].startswith("not in NEW: Pulumi would delete it; data-bearing: ")
    assert f"  DELETED  {urn(VAULT, 'l3-keyvault-vault')}" in text


def test_deleted_subnet_is_informational(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, changes, text = diff(tmp_path, baseline(), drop(baseline(), "l3-network-subnet"), capsys)
    assert code == 0
    assert [(c["change"], c["type"], c["alarm"]) for c in changes] == [("deleted", SUBNET, False)]
    assert "ALARMS" not in text and "\ndeleted:\n" in text


def test_tag_change_on_storage_is_an_update(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = baseline()
    find(new, "l3-storage-account")["inputs"]["tags"]["owner"] = "tvp"
    code, changes, _ = diff(tmp_path, baseline(), new, capsys)
    assert code == 0
    assert [(c["change"], c["paths"], c["alarm"]) for c in changes] == [("updated", ["tags.owner"], False)]


def rename_key(document: dict[str, Any], new_name: str) -> dict[str, Any]:
    key = find(document, "l3-keyvault-key")
    key["urn"] = urn(KEY, new_name)
    return document


def test_logical_rename_of_a_key_is_delete_plus_add_and_an_alarm(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, changes, _ = diff(tmp_path, baseline(), rename_key(baseline(), "l3-cmk"), capsys)
    assert code == 1
    assert [(c["change"], c["urn"], c["alarm"]) for c in changes] == [
        ("added", urn(KEY, "l3-cmk"), False),
        ("deleted", urn(KEY, "l3-keyvault-key"), True),
    ]
    assert f"NEW adds {urn(KEY, 'l3-cmk')} with the same ARM id" in changes[1]["reason"], (
        "a rename that keeps the ARM id should point at aliases"
    )


def test_an_alias_turns_the_rename_into_no_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = rename_key(baseline(), "l3-cmk")
    find(new, "l3-cmk")["aliases"] = [urn(KEY, "l3-keyvault-key")]
    code, changes, _ = diff(tmp_path, baseline(), new, capsys)
    assert code == 0
    assert [(c["change"], c["urn"], c["reason"]) for c in changes] == [
        ("updated", urn(KEY, "l3-cmk"), f"renamed from {urn(KEY, 'l3-keyvault-key')} (alias)")
    ]


def test_allow_replace_suppresses_the_alarm_but_keeps_it_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = drop(baseline(), "l3-keyvault-vault")
    find(new, "l3-storage-account")["inputs"]["accountName"] = "sttvtdevl3zzzzz"
    allow = ["--allow-replace", "*::l3-storage-*", "--allow-replace", "*::l3-keyvault-vault"]
    code, changes, text = diff(tmp_path, baseline(), new, capsys, *allow)
    assert code == 0
    assert [(c["change"], c["alarm"], c["allowed"]) for c in changes] == [
        ("deleted", False, True),
        ("replaced", False, True),
    ]
    assert changes[1]["reason"].endswith("allowed by --allow-replace *::l3-storage-*")
    assert text.splitlines()[0].endswith("0 alarms, 2 allowed -> PASS")
    assert "allowed by --allow-replace:\n" in text


def test_unused_allow_replace_glob_is_noted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    b, n = write_json(tmp_path / "base.json", baseline()), write_json(tmp_path / "new.json", baseline())
    run = tvt(["diff", str(b), str(n), "--allow-replace", "*::l2-*"], capsys)
    assert run.code == 0
    assert "note: --allow-replace *::l2-* matched no delete or replace" in run.err


def test_deleting_a_protected_resource_is_an_alarm_even_when_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = baseline()
    find(base, "l3-rg")["protect"] = True  # not data-bearing: protect alone is the alarm
    find(base, "l3-keyvault-vault")["protect"] = True
    new = drop(drop(baseline(), "l3-rg"), "l3-keyvault-vault")
    code, changes, _ = diff(tmp_path, base, new, capsys, "--allow-replace", "*::l3-keyvault-vault")
    assert code == 1
    assert [(c["type"], c["alarm"], c["allowed"]) for c in changes] == [
        (VAULT, True, False),
        (RG, True, False),
    ]
    for change in changes:
        assert "protect: true in BASE: Pulumi would refuse to delete it" in change["reason"], change["urn"]
    assert "--allow-replace *::l3-keyvault-vault cannot override protect" in changes[0]["reason"]


def test_protect_change_is_reported_as_an_update(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = baseline()
    find(base, "l3-storage-account")["protect"] = True
    code, changes, _ = diff(tmp_path, base, baseline(), capsys)
    assert code == 0
    assert [(c["change"], c["paths"], c["reason"]) for c in changes] == [
        ("updated", [], "protect true -> false")
    ]


def test_secrets_compare_equal_whatever_their_encoding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, new = baseline(), baseline()
    find(base, "l3-network-subnet")["inputs"]["token"] = {SIG_KEY: SECRET_SIG, "ciphertext": "AAAA"}
    find(new, "l3-network-subnet")["inputs"]["token"] = {SIG_KEY: SECRET_SIG, "plaintext": '"[secret]"'}
    code, changes, _ = diff(tmp_path, base, new, capsys)
    assert (code, changes) == (0, [])


def test_unknown_type_fails_towards_shouting() -> None:
    base, new = baseline(), baseline()
    unknown = resource("azure-native:sql:Server", "l3-sql", {"resourceGroupName": "rg", "serverName": "a"})
    base["deployment"]["resources"].append(unknown)
    changed = copy.deepcopy(unknown)
    changed["inputs"]["serverName"] = "b"
    new["deployment"]["resources"].append(changed)
    result = diff_plans(parse_plan(base, "base.json"), parse_plan(new, "new.json"))
    assert [(c.change, c.paths, c.alarm) for c in result.changes] == [(Kind.REPLACED, ("serverName",), False)]


def test_json_fields_and_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = drop(baseline(), "l3-network-subnet")
    find(new, "l3-storage-account")["inputs"]["tags"]["owner"] = "tvp"
    new["deployment"]["resources"].append(resource(RG, "l2-rg", {"resourceGroupName": "rg-l2"}))
    code, changes, _ = diff(tmp_path, baseline(), new, capsys)
    assert code == 0
    assert [set(c) for c in changes] == [CHANGE_KEYS] * 3
    assert [c["urn"] for c in changes] == sorted(c["urn"] for c in changes)
    assert changes[0] == {
        "urn": urn(SUBNET, "l3-network-subnet"),
        "type": SUBNET,
        "change": "deleted",
        "paths": [],
        "alarm": False,
        "allowed": False,
        "reason": "not in NEW: Pulumi would delete it",
        "properties": [],
    }
    assert [c["change"] for c in changes[1:]] == ["added", "updated"]


def test_malformed_plan_is_bad_input_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_json(tmp_path / "base.json", baseline())
    broken = baseline()
    del find(broken, "l3-rg")["urn"]
    bad = write_json(tmp_path / "new.json", broken)
    run = tvt(["diff", str(good), str(bad)], capsys)
    assert run.code == 2
    assert f"{bad}: deployment.resources[1].urn: expected a non-empty string" in run.err
    assert "Traceback" not in run.err
    notjson = tmp_path / "nope.json"
    notjson.write_text("{", encoding="utf-8")
    run = tvt(["diff", str(notjson), str(good)], capsys)
    assert (run.code, run.err.startswith(f"tvt diff: {notjson}: not JSON")) == (2, True)


@pytest.mark.parametrize(
    ("aliases", "where", "expected"),
    [
        ("not a list", "aliases", "expected a list of strings, got a string"),
        ([{"name": 1}], "aliases", "expected a list of strings, got a list"),
        (["not a urn"], "aliases[0]", "expected a URN of the form urn:pulumi:STACK::PROJECT::TYPE::NAME"),
    ],
)
def test_bad_aliases_are_bad_input_to_every_reader_of_a_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], aliases: Any, where: str, expected: str
) -> None:
    """One reader: ``tvt diff`` on either side, ``tvt check`` and ``tvt report`` refuse them alike
    (an alias decides whether a change is a replace, so whether the data-loss alarm is raised)."""
    good = write_json(tmp_path / "good.json", baseline())
    aliased = baseline()
    find(aliased, "l3-rg")["aliases"] = aliases
    bad = write_json(tmp_path / "bad.json", aliased)
    message = f"{bad}: deployment.resources[1].{where}: {expected}\n"
    for command, argv in (
        ("diff", [str(good), str(bad)]),
        ("diff", [str(bad), str(good)]),
        ("check", [str(bad)]),
        ("report", [str(bad), "--out", str(tmp_path / "report")]),
    ):
        run = tvt([command, *argv], capsys)
        assert (run.code, run.err) == (2, f"tvt {command}: {message}"), (command, argv)
    assert not (tmp_path / "report").exists()


def test_plans_of_other_stacks_are_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = write_json(tmp_path / "base.json", baseline())
    prod = write_json(
        tmp_path / "prod.json",
        json.loads(json.dumps(baseline()).replace("urn:pulumi:dev::", "urn:pulumi:prod::")),
    )
    run = tvt(["diff", str(base), str(prod)], capsys)
    assert run.code == 2
    assert "compare two plans of the same stack" in run.err


def test_real_dev_plan_renaming_the_level_3_account_raises_the_alarm(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plans = []
    for run in ("base", "new"):
        options = PlanOptions(stack="dev", out=tmp_path / run, root=REPO, analyzer="inprocess")
        assert run_plan(options, out=io.StringIO(), err=io.StringIO()) == 0, f"tvt plan --stack dev ({run})"
        plans.append(tmp_path / run / "plan.json")
    base, new = plans
    assert base.read_bytes() == new.read_bytes(), "two runs of the same program must give the same plan"
    unchanged = tvt(["diff", str(base), str(new)], capsys)
    assert (unchanged.code, unchanged.out.splitlines()[0]) == (
        0,
        "dev: 0 added, 0 updated, 0 replaced, 0 deleted, 0 alarms -> PASS",
    )

    document = load(new)
    types = {r["type"] for r in document["deployment"]["resources"] if r["type"].startswith("azure-native:")}
    known = {t for t, info in CATALOG.items() if info.replacement is not None}
    assert types <= known, f"add replacement inputs to policies/catalog.py for {sorted(types - known)}"
    account = find(document, "l3-storage-account")
    old_name = account["inputs"]["accountName"]
    account["inputs"]["accountName"] = old_name[:-5] + "zzzzz"
    write_json(new, document)

    run = tvt(["diff", str(base), str(new), "--format", "json"], capsys)
    assert run.code == 1
    changes = json.loads(run.out)["changes"]
    assert [(c["change"], c["type"], c["alarm"], c["urn"].rsplit("::", 1)[1]) for c in changes] == [
        ("replaced", STORAGE, True, "l3-storage-account")
    ]
    assert f'accountName "{old_name}" -> "{old_name[:-5]}zzzzz"' in changes[0]["reason"]


# --- property-level values, what Azure ignores, type-changing aliases, findings, Markdown ----------


def test_each_changed_input_shows_before_and_after_with_secrets_redacted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, new = baseline(), baseline()
    find(new, "l3-storage-account")["inputs"]["tags"]["owner"] = "tvp"
    find(base, "l3-network-subnet")["inputs"]["token"] = "plain-before"
    find(new, "l3-network-subnet")["inputs"]["token"] = {SIG_KEY: SECRET_SIG, "ciphertext": "c2VjcmV0"}
    code, changes, text = diff(tmp_path, base, new, capsys)
    assert code == 0
    by_urn = {c["urn"]: c["properties"] for c in changes}
    assert by_urn[urn(STORAGE, "l3-storage-account")] == [
        {"path": "tags.owner", "before": "vru", "after": "tvp", "reachesAzure": True}
    ]
    (secret,) = by_urn[urn(SUBNET, "l3-network-subnet")]
    assert secret["after"] == {SIG_KEY: SECRET_SIG, "plaintext": '"[secret]"'}, "the secret is redacted"
    assert "c2VjcmV0" not in text and 'tags.owner: "vru" -> "tvp"' in text


def test_key_rotation_policy_edits_will_not_reach_azure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = baseline()
    find(new, "l3-keyvault-key")["inputs"]["properties"]["rotationPolicy"] = {
        "attributes": {"expiryTime": "P1Y"}
    }
    find(new, "l3-keyvault-key")["inputs"]["tags"] = {"owner": "vru"}
    code, changes, text = diff(tmp_path, baseline(), new, capsys)
    assert code == 0
    (change,) = changes
    notes = {p["path"]: p.get("note", "") for p in change["properties"]}
    assert notes["properties.rotationPolicy"].startswith(
        "will not reach Azure: azure-native creates a key only"
    )
    assert notes["tags"] == "", "only what Azure ignores is flagged"
    assert "will not reach Azure: properties.rotationPolicy" in change["reason"]
    assert "(will not reach Azure: azure-native creates a key" in text


def test_an_alias_from_a_data_bearing_type_to_another_type_is_an_alarm(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Renaming the account into a new type with an alias to it would hide its deletion."""
    new = drop(baseline(), "l3-storage-account")
    other = resource(
        "azure-native:storage:StorageAccountV2",
        "l3-storage",
        {"accountName": "sttvtdevl3abcde"},
        aliases=[urn(STORAGE, "l3-storage-account")],
    )
    new["deployment"]["resources"].append(other)
    code, changes, _ = diff(tmp_path, baseline(), new, capsys)
    assert code == 1
    (change,) = [c for c in changes if c["alarm"]]
    assert change["change"] == "replaced" and change["urn"] == other["urn"]
    assert f"its alias names {urn(STORAGE, 'l3-storage-account')}, a {STORAGE}" in change["reason"]
    assert "data-bearing: holds partner data" in change["reason"]
    assert not [c for c in changes if c["change"] == "deleted"], "the alias took the old URN over"


def test_an_alias_across_types_without_data_is_informational(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = drop(baseline(), "l3-network-subnet")
    moved = resource(
        "azure-native:network:SubnetV2",
        "l3-subnet",
        {"subnetName": "snet-pe"},
        aliases=[urn(SUBNET, "l3-network-subnet")],
    )
    new["deployment"]["resources"].append(moved)
    code, changes, _ = diff(tmp_path, baseline(), new, capsys)
    assert code == 0 and [(c["change"], c["alarm"]) for c in changes] == [("replaced", False)]


def _with_findings(directory: Path, plan: dict[str, Any], findings: list[dict[str, str]]) -> Path:
    directory.mkdir()
    write_json(directory / "findings.json", {"summary": {}, "findings": findings})
    return write_json(directory / "plan.json", plan)


def _finding(rule: str, name: str, enforcement: str = "mandatory") -> dict[str, str]:
    return {"rule": rule, "urn": urn(STORAGE, name), "enforcement": enforcement, "message": f"{rule} says no"}


def test_findings_introduced_and_fixed_come_from_beside_each_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _with_findings(
        tmp_path / "base",
        baseline(),
        [_finding("a-rule", "l3-storage-account"), _finding("b-rule", "l3-storage-account")],
    )
    new = _with_findings(
        tmp_path / "new",
        baseline(),
        [_finding("b-rule", "l3-storage-account"), _finding("c-rule", "l3-storage-account", "advisory")],
    )
    run = tvt(["diff", str(base), str(new), "--format", "json"], capsys)
    assert run.code == 0, "a finding is the plan's verdict; the diff's exit is the data-loss alarm"
    findings = json.loads(run.out)["findings"]
    assert findings["compared"] is True
    assert [f["rule"] for f in findings["introduced"]] == ["c-rule"]
    assert [f["rule"] for f in findings["fixed"]] == ["a-rule"]
    text = tvt(["diff", str(base), str(new)], capsys).out
    assert "findings: 1 introduced, 1 fixed" in text and "ADVISORY   c-rule on " in text
    md = tvt(["diff", str(base), str(new), "--format", "md"], capsys).out
    assert "### Findings: 1 introduced, 1 fixed" in md and "- fixed: `a-rule` on " in md


def test_findings_follow_a_renamed_resource_through_its_alias(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    renamed = rename_key(baseline(), "l3-cmk")
    find(renamed, "l3-cmk")["aliases"] = [urn(KEY, "l3-keyvault-key")]
    old = {"rule": "k", "urn": urn(KEY, "l3-keyvault-key"), "enforcement": "advisory", "message": "m"}
    base = _with_findings(tmp_path / "base", baseline(), [old])
    new = _with_findings(tmp_path / "new", renamed, [{**old, "urn": urn(KEY, "l3-cmk")}])
    findings = json.loads(tvt(["diff", str(base), str(new), "--format", "json"], capsys).out)["findings"]
    assert (findings["introduced"], findings["fixed"]) == ([], [])


def test_a_malformed_findings_file_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = _with_findings(tmp_path / "base", baseline(), [{"rule": "a"}])
    new = _with_findings(tmp_path / "new", baseline(), [])
    run = tvt(["diff", str(base), str(new)], capsys)
    assert run.code == 2 and "Traceback" not in run.err
    assert (
        f"{tmp_path / 'base' / 'findings.json'}: findings[0]: expected rule, urn, enforcement and message"
        in run.err
    )


def test_markdown_is_the_pull_request_comment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = drop(baseline(), "l3-keyvault-vault")
    find(new, "l3-storage-account")["inputs"]["tags"]["owner"] = "<b>tvp</b>|x"
    b, n = write_json(tmp_path / "b.json", baseline()), write_json(tmp_path / "n.json", new)
    run = tvt(["diff", str(b), str(n), "--format", "md"], capsys)
    assert run.code == 1
    assert run.out.startswith("## Plan diff: dev\n\n**FAIL: data would be lost**.")
    alarms = run.out.split("### Alarms")[1].split("###")[0]
    assert f"**deleted** `{urn(VAULT, 'l3-keyvault-vault')}`" in alarms
    # Values are code spans (Markdown renders no HTML in them), with the table-breaking pipe escaped.
    assert '→ `"<b>tvp</b>\\|x"`' in run.out
