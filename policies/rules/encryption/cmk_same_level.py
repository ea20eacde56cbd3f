"""encryption-cmk-same-level: data at rest is encrypted with a customer-managed key of its own level."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import (
    CATALOG,
    KEY,
    STORAGE_ACCOUNT,
    VAULT,
    WORKSPACE,
    DataClass,
)
from policies.framework import (
    Controls,
    Params,
    RuleMeta,
    StackContext,
    StackRule,
    reference_violations,
)
from policies.model import UNVERIFIABLE_PREFIX, Resource, Violation
from policies.props import describe, is_unknown, peek, same, text
from policies.stack_index import StackIndex

META = RuleMeta(
    id="encryption-cmk-same-level",
    title="Data-bearing resources use a customer-managed key held at their own data level",
    severity=Severity.CRITICAL,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("2.3", "3"), mcsb=("DP-5", "DP-6"), cis=("3.12",)),
    remediation=(
        "Set encryption.keySource to Microsoft.Keyvault with keyVaultProperties (keyName, keyVaultUri) and a "
        "user-assigned identity, taking the key and vault URI from the Key and Vault of the same level's "
        "KeyVault component so the reference is a property dependency."
    ),
    docs="https://learn.microsoft.com/azure/storage/common/customer-managed-keys-overview",
)


def check(context: StackContext, params: Params) -> Iterator[Violation]:
    """Data-bearing resources are encrypted with a customer-managed key from a vault of their own level.

    Each level is its own security boundary: a level-2 key must never be able to decrypt level-3
    data, and revoking one level's key must not touch another's. The key, vault and identity are
    what the account's ``encryption`` values name *and* what they were computed from: a vault URI
    naming another vault than its property dependency is a violation, a value unknown in a first
    preview is judged by its dependency, and levels come from structure, not tags.
    """
    yield from reference_violations(context, META.id)
    index = context.index
    for type_, info in sorted(CATALOG.items()):
        if info.data is not DataClass.DATA_BEARING:
            continue
        judge = CHECKS.get(type_)
        for resource in index.of_type(type_):
            if judge is None:  # a data-bearing type nobody taught this rule fails closed
                yield Violation(
                    f"no customer-managed key check is implemented for data-bearing type {type_}",
                    resource.urn,
                )
            else:
                yield from judge(index, resource)


def _storage(index: StackIndex, account: Resource) -> Iterator[Violation]:
    encryption = peek(account.props, "encryption")
    source = peek(encryption, "keySource")
    if is_unknown(source):
        yield Violation(
            f"{UNVERIFIABLE_PREFIX}encryption.keySource is unknown, so the account may use Microsoft-managed "
            "keys; set it to Microsoft.Keyvault explicitly",
            account.urn,
        )
        return
    if not same(source, "Microsoft.Keyvault"):
        yield Violation(
            "storage account is encrypted with Microsoft-managed keys "
            f"(encryption.keySource {describe(source)}); expected Microsoft.Keyvault",
            account.urn,
        )
        return
    missing = [
        path
        # azure-native's input names (ARM's REST body calls the last one identity.userAssignedIdentity)
        for path in (
            "keyVaultProperties.keyName",
            "keyVaultProperties.keyVaultUri",
            "encryptionIdentity.encryptionUserAssignedIdentity",
        )
        # Set, either to a value or to one computed during preview (the dependencies below decide).
        if not (is_unknown(value := peek(encryption, *path.split("."))) or text(value))
    ]
    if missing:
        yield Violation(
            f"customer-managed key is incomplete: encryption.{', encryption.'.join(missing)} not set",
            account.urn,
        )
        return
    vaults = index.targets(account, "encryption", VAULT)
    keys = index.targets(account, "encryption", KEY)
    if not vaults or not keys:
        if index.disputed(account, "encryption"):
            return  # the reference's own finding (above) says what the value fails to name
        yield Violation(
            "encryption does not reference a Key and Key Vault declared in this stack (by value or "
            "property dependency), so its key cannot be shown to belong to the account's level",
            account.urn,
        )
        return
    level = index.level(account)
    for holder in [*vaults, *keys]:
        held = index.level(holder)
        if level is None or held != level:
            yield Violation(
                f"level-{level or '?'} storage account is encrypted with {holder.kind} "
                f"'{holder.name}' of level {held or '?'}; keys must be held at the data's own level",
                account.urn,
            )
    vault_urns = {v.urn for v in vaults}
    for key in keys:
        if not any(v.urn in vault_urns for v in index.targets(key, "vaultName")) and not index.disputed(
            key, "vaultName"
        ):
            yield Violation(
                f"key '{key.name}' is not in the vault the account's keyVaultUri points at", account.urn
            )
    # An identity id unknown and not computed from an identity of this stack is the reference's own
    # finding (policies/references.py), reported once by reference_violations above.


def _workspace(index: StackIndex, workspace: Resource) -> Iterator[Violation]:
    # Log Analytics takes a customer-managed key only through a dedicated cluster the workspace is
    # linked to. Neither Cluster nor LinkedService is in policies/catalog.py, so no cluster's key
    # can be traced to a vault of the workspace's level: fail closed (the design exempts it).
    yield Violation(
        "Log Analytics workspace is not encrypted with a customer-managed key: that needs a dedicated "
        "cluster with keyVaultProperties linked to the workspace, which this stack does not declare",
        workspace.urn,
    )


CHECKS: dict[str, Callable[[StackIndex, Resource], Iterator[Violation]]] = {
    STORAGE_ACCOUNT: _storage,
    WORKSPACE: _workspace,
}
"""How each data-bearing type is judged; a data-bearing type missing here is a violation."""


RULE = StackRule(META, check)
