"""audit-blob-service-logs: every storage account logs reads, writes and deletes of its blobs."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import BLOB_SERVICE, DIAGNOSTIC_SETTING, STORAGE_ACCOUNT
from policies.framework import Controls, Params, RuleMeta, StackContext, StackRule, reference_violations
from policies.model import Violation
from policies.rules.audit._streams import logs_enabled

META = RuleMeta(
    id="audit-blob-service-logs",
    title="Every storage account's blob service has audit logging",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("5.3", "13"), mcsb=("LT-3",), cis=("3.13",)),
    remediation=(
        "Declare the account's BlobServiceProperties (accountName from the account) and attach a diagnostic "
        "setting to it with categoryGroup allLogs or audit enabled."
    ),
    docs="https://learn.microsoft.com/azure/storage/blobs/monitor-blob-storage",
)


def check(context: StackContext, params: Params) -> Iterator[Violation]:
    """Each storage account has a BlobServiceProperties whose diagnostic setting enables audit logs.

    Data-plane access to partner records (StorageRead/Write/Delete) is logged only by the blob
    service; a diagnostic setting on the account itself carries metrics only, so an account
    without this has no record of who read which file.
    """
    yield from reference_violations(context, META.id)
    index = context.index
    for account in index.of_type(STORAGE_ACCOUNT):
        services = index.referrers(account, "accountName", BLOB_SERVICE)
        if not services:
            yield Violation(
                "no BlobServiceProperties references this account, so blob access is not logged", account.urn
            )
            continue
        logged = any(
            logs_enabled(setting)
            for service in services
            for setting in index.referrers(service, "resourceUri", DIAGNOSTIC_SETTING)
        )
        if not logged:
            yield Violation(
                "the blob service has no diagnostic setting with categoryGroup audit or allLogs enabled",
                account.urn,
            )


RULE = StackRule(META, check)
