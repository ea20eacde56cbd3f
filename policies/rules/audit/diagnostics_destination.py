"""audit-diagnostics-destination: diagnostic settings send audit logs and metrics to the audit workspace."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import DIAGNOSTIC_SETTING, DiagnosticSupport, classify, unclassified_message
from policies.framework import Controls, Params, RuleMeta, StackContext, StackRule, reference_violations
from policies.model import Resource, Violation
from policies.rules.audit._streams import (
    archive_accounts,
    logs_enabled,
    missing_metrics,
    own_account,
    unaccepted_metrics,
    unapproved_destinations,
    writes_to_audit_workspace,
)
from policies.stack_index import StackIndex

META = RuleMeta(
    id="audit-diagnostics-destination",
    title="Diagnostic settings send audit logs and metrics to the central workspace (and archive in prod)",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("5.3", "13"), mcsb=("LT-3", "LT-5"), cis=("5.1.2",)),
    remediation=(
        "Enable categoryGroup allLogs (or audit) where the target has logs and the metric categories "
        "policies/catalog.py requires for its type (AllMetrics; Transaction for storage accounts and "
        "their services, which reject AllMetrics), and no category the type does not accept; set "
        "workspaceId from the audit workspace's id and, in prod, "
        "storageAccountId from the audit archive's id (except on the archive's own settings, which Azure "
        "refuses to archive into the same account); send nothing to event hubs or partner solutions."
    ),
    docs="https://learn.microsoft.com/azure/azure-monitor/essentials/diagnostic-settings",
)


def check(context: StackContext, params: Params) -> Iterator[Violation]:
    """Diagnostic settings enable audit logs and the type's metric categories, into the audit workspace.

    A setting with no categories enabled, or one that writes to a workspace outside the audit
    scope, looks like logging in review but leaves investigators with nothing. A metric category
    the type does not accept (AllMetrics on storage) fails the deployment, so it is refused here
    first. In prod the same stream also goes to the immutable archive, which no administrator can
    purge.
    """
    yield from reference_violations(context, META.id)
    index = context.index
    for setting in index.of_type(DIAGNOSTIC_SETTING):
        yield from _setting(index, setting, context.index.is_prod)


def _setting(index: StackIndex, setting: Resource, prod: bool) -> Iterator[Violation]:
    targets = index.targets(setting, "resourceUri")
    if not targets and not index.disputed(setting, "resourceUri"):
        yield Violation("resourceUri does not reference a resource declared in this stack", setting.urn)
    for target in targets:
        info = classify(target.type)
        if info is None:
            yield Violation(unclassified_message(target.type), setting.urn)
        else:
            yield from _categories(setting, target, info.diagnostics)
    if not writes_to_audit_workspace(index, setting) and not index.disputed(setting, "workspaceId"):
        yield Violation(
            "workspaceId does not reference the stack's audit Log Analytics workspace", setting.urn
        )
    archives = archive_accounts(index, setting)
    # Azure Monitor refuses a setting that sends a storage account's logs into that same account,
    # so the archive's own settings go to the workspace alone (its data is WORM-locked anyway).
    own = {a.urn for t in targets if (a := own_account(index, t)) is not None}
    for archive in (a for a in archives if a.urn in own):
        yield Violation(
            f"storageAccountId references '{archive.name}', the account whose logs this setting sends: "
            "Azure Monitor does not allow a storage account's logs to be archived in itself",
            setting.urn,
        )
    if (
        prod
        and not archives
        and not index.disputed(setting, "storageAccountId")
        and not own & {a.urn for a in _archives_of_stack(index)}
    ):
        yield Violation(
            "in prod, storageAccountId must reference the audit archive storage account", setting.urn
        )
    for key in unapproved_destinations(setting.props):
        yield Violation(f"{key} is set: logs must stay in the audit workspace and archive", setting.urn)


def _categories(setting: Resource, target: Resource, diagnostics: DiagnosticSupport) -> Iterator[Violation]:
    """The setting enables what its target's type logs and measures, and nothing Azure rejects."""
    if diagnostics.logs and not logs_enabled(setting):
        yield Violation(
            f"target {target.type} '{target.name}' has logs but no enabled audit/allLogs categoryGroup",
            setting.urn,
        )
    missing = missing_metrics(setting, diagnostics)
    if missing:
        yield Violation(
            f"target {target.type} '{target.name}' has metrics but category "
            f"{', '.join(missing)} is not enabled",
            setting.urn,
        )
    rejected = unaccepted_metrics(setting, diagnostics)
    if rejected:
        accepted = ", ".join(diagnostics.metrics) or "none"
        yield Violation(
            f"metric category {', '.join(rejected)} is not supported by {target.type} '{target.name}' "
            f"and Azure would reject the setting; supported categories: {accepted}",
            setting.urn,
        )


def _archives_of_stack(index: StackIndex) -> list[Resource]:
    """The accounts any diagnostic setting of the stack archives into: the audit archive(s)."""
    return [a for s in index.of_type(DIAGNOSTIC_SETTING) for a in archive_accounts(index, s)]


RULE = StackRule(META, check)
