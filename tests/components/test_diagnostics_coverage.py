"""Every resource of a type in the diagnostics table has exactly one setting, built by the one helper."""

from __future__ import annotations

import re
from pathlib import Path

from component_runs import ACCOUNT, DIAGNOSTIC, ROOT, WORKSPACE, Run
from pulumi_azure_native import resources

from components.diagnostics import SETTING_NAME, SIGNALS, Diagnostics, attach_diagnostics
from scripts.engine.capture import run_program

COMPONENTS = ROOT / "components"


def test_table_matches_the_contract() -> None:
    assert {t: (s.logs, s.metrics) for t, s in SIGNALS.items()} == {
        # Storage has no "AllMetrics" category: Azure rejects it there.
        "azure-native:storage:StorageAccount": (False, ("Transaction",)),
        "azure-native:storage:BlobServiceProperties": (True, ("Transaction",)),
        "azure-native:keyvault:Vault": (True, ("AllMetrics",)),
        "azure-native:network:NetworkSecurityGroup": (True, ()),
        "azure-native:network:VirtualNetwork": (True, ("AllMetrics",)),
        "azure-native:operationalinsights:Workspace": (True, ("AllMetrics",)),
    }


def test_every_table_type_has_exactly_one_setting(any_run: Run) -> None:
    targets: dict[str, list[str]] = {}
    for setting in any_run.capture.by_type(DIAGNOSTIC):
        (target,) = setting.property_dependencies["resourceUri"]
        targets.setdefault(target, []).append(setting.name)
    covered = [r for r in any_run.custom if r.type in SIGNALS]
    assert len(covered) >= 20, f"{any_run.label}: too few diagnosable resources ({len(covered)})"
    for r in covered:
        assert len(targets.get(r.urn, [])) == 1, (
            f"{any_run.label}: {r.name} has settings {targets.get(r.urn)}"
        )
    stray = set(targets) - {r.urn for r in covered}
    assert not stray, f"{any_run.label}: settings on types outside the table: {stray}"


def test_settings_send_what_the_table_says_where_the_stack_says(any_run: Run) -> None:
    workspace = any_run.one("audit", WORKSPACE)
    archive = any_run.one("audit", ACCOUNT)
    for setting in any_run.capture.by_type(DIAGNOSTIC):
        (target,) = setting.property_dependencies["resourceUri"]
        signals = SIGNALS[any_run.by_urn[target].type]
        i = setting.inputs
        assert i["name"] == SETTING_NAME, setting.name
        assert i["workspaceId"] == workspace.outputs["id"], setting.name
        assert any_run.depends_on(setting, "workspaceId", workspace), setting.name
        target_resource = any_run.by_urn[target]
        # Azure Monitor refuses a storage account's logs in that same account: the archive's own
        # settings (account and blob service) go to the workspace only.
        of_archive = target == archive.urn or any_run.depends_on(target_resource, "accountName", archive)
        if any_run.is_prod and not of_archive:
            assert i["storageAccountId"] == archive.outputs["id"], setting.name
            assert any_run.depends_on(setting, "storageAccountId", archive), setting.name
        else:
            assert "storageAccountId" not in i, f"{any_run.label}: {setting.name} archives where it may not"
        expected_logs = [{"categoryGroup": "allLogs", "enabled": True}] if signals.logs else None
        expected_metrics = [{"category": c, "enabled": True} for c in signals.metrics] or None
        assert i.get("logs") == expected_logs, setting.name
        assert i.get("metrics") == expected_metrics, setting.name


def test_only_the_helper_declares_diagnostic_settings() -> None:
    declaration = re.compile(r"(?<![A-Za-z_])DiagnosticSetting\(")
    offenders = [
        path.relative_to(ROOT).as_posix()
        for path in sorted(COMPONENTS.rglob("*.py"))
        if path.name != "diagnostics.py" and declaration.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], f"DiagnosticSetting declared outside components/diagnostics.py: {offenders}"
    assert declaration.search((COMPONENTS / "diagnostics.py").read_text(encoding="utf-8"))


def test_only_access_declares_role_assignments() -> None:
    declaration = re.compile(r"RoleAssignment\(")
    offenders = [
        path.name
        for path in sorted(COMPONENTS.rglob("*.py"))
        if path.name != "access.py" and declaration.search(Path(path).read_text(encoding="utf-8"))
    ]
    assert offenders == [], f"RoleAssignment declared outside components/access.py: {offenders}"


def test_attaching_to_a_type_outside_the_table_fails_closed() -> None:
    errors: list[Exception] = []

    def program() -> None:
        rg = resources.ResourceGroup("rg", resource_group_name="rg-x", location="uksouth")
        try:
            attach_diagnostics(rg, Diagnostics(workspace_id="ws"), parent=rg)
        except ValueError as err:
            errors.append(err)

    capture = run_program(program, stack="dev", config={})
    assert [str(e) for e in errors] == [
        "rg: no diagnostics entry for type azure-native:resources:ResourceGroup"
    ]
    assert capture.by_type(DIAGNOSTIC) == []
