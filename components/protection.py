"""Guards against silent data loss, and how they differ between prod and the other environments.

One home for every "how hard is this to delete" setting: the delete lock on resource groups,
Pulumi ``protect`` on data-bearing resources and soft-delete windows. (Whether the audit archive's
WORM policy is locked is stack config, ``tvt:audit.archiveImmutability``: Azure only creates such a
policy unlocked, so locking is a deliberate second step.) Only prod holds real data; dev and test
must be cheap to tear down and rebuild, which is the only reason their values are weaker.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import authorization, resources

from components.config.model import Environment

LOCK_NAME = "lock-tvt-do-not-delete"

# Azure's limits: Key Vault soft delete 7-90 days, blob and container soft delete 1-365 days.
VAULT_SOFT_DELETE_DAYS = (7, 90)
BLOB_SOFT_DELETE_DAYS = (7, 365)


@dataclass(frozen=True)
class Lock:
    """AVM's ``lock`` interface: delete protection for a component's data-bearing resources.

    Enabled by default, because losing a level's storage or its key loses the data for good (a
    deleted key makes every blob it wrapped unreadable). Enabled means a ``CanNotDelete`` lock on
    the resource group and Pulumi ``protect`` on storage accounts, vaults, keys and the workspace.
    Turning it off is an explicit ``Lock(enabled=False)`` that shows up in review.
    """

    enabled: bool = True
    notes: str = (
        "TVT holds partner data and its audit trail: remove this lock only through an approved change."
    )


@dataclass(frozen=True)
class Protection:
    """The data-loss guards of one environment; the defaults are the production values."""

    lock: Lock = field(default_factory=Lock)
    vault_soft_delete_days: int = 90
    """Longest Azure allows: a deleted vault (and the keys that decrypt a level) stays recoverable."""
    blob_soft_delete_days: int = 30
    """Blob and container soft delete: a month to notice and undo a deletion."""
    write_once_retention_days: int = 365
    """How long a write-once zone (level 3's raw) keeps each blob unchangeable and undeletable."""

    def __post_init__(self) -> None:
        low, high = VAULT_SOFT_DELETE_DAYS
        if not low <= self.vault_soft_delete_days <= high:
            raise ValueError(
                f"vault_soft_delete_days must be {low}..{high}, got {self.vault_soft_delete_days}"
            )
        low, high = BLOB_SOFT_DELETE_DAYS
        if not low <= self.blob_soft_delete_days <= high:
            raise ValueError(f"blob_soft_delete_days must be {low}..{high}, got {self.blob_soft_delete_days}")


PROD = Protection()
NON_PROD = Protection(
    lock=Lock(enabled=False),
    vault_soft_delete_days=7,
    blob_soft_delete_days=7,
    write_once_retention_days=1,  # still write-once, and a torn-down stack's data goes a day later
)


def protection_for(environment: Environment) -> Protection:
    """Prod gets every guard; dev and test keep soft delete but can be torn down and rebuilt."""
    return PROD if environment is Environment.PROD else NON_PROD


def lock_resource_group(
    name: str, resource_group: resources.ResourceGroup, lock: Lock, parent: pulumi.Resource
) -> authorization.ManagementLockAtResourceGroupLevel | None:
    """A ``CanNotDelete`` lock on ``resource_group`` when ``lock`` is enabled, else nothing."""
    if not lock.enabled:
        return None
    return authorization.ManagementLockAtResourceGroupLevel(
        name,
        lock_name=LOCK_NAME,
        level=authorization.LockLevel.CAN_NOT_DELETE,
        resource_group_name=resource_group.name,
        notes=lock.notes,
        opts=pulumi.ResourceOptions(parent=parent),
    )
