"""The whole of one stack: the shared audit services, then data levels 1-3 that log to them."""

from __future__ import annotations

import pulumi

from components.audit import AuditServices, AuditServicesArgs
from components.config.model import StackConfig
from components.level import DataLevel, DataLevelArgs
from components.naming import scope_name
from components.protection import protection_for


class Platform(pulumi.ComponentResource):
    """Everything ``config`` describes, as one component tree (``tvt:platform:Platform``).

    The audit services come first because every level needs them: their workspace (and, in prod,
    archive) receives the levels' diagnostic settings, and their private DNS zones resolve the
    levels' private endpoints. ``config`` is already validated (``components.config.load``).
    """

    def __init__(self, name: str, config: StackConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tvt:platform:Platform", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        protection = protection_for(config.environment)

        self.audit = AuditServices(
            scope_name(None),
            AuditServicesArgs(config, protection, archive_diagnostics=config.is_prod),
            opts=child,
        )
        self.levels: dict[int, DataLevel] = {}
        for level in sorted(config.levels, key=lambda lc: lc.level):
            data_level = DataLevel(
                scope_name(level.level),
                DataLevelArgs(config, level, self.audit.diagnostics, self.audit.private_dns, protection),
                opts=child,
            )
            self.levels[level.level] = data_level

        self.outputs: dict[str, pulumi.Output[str]] = {
            "auditWorkspaceId": self.audit.workspace.id,
            "auditWorkspaceName": self.audit.workspace.name,
            "auditArchiveAccountId": self.audit.archive.account.id,
            "auditArchiveAccountName": self.audit.archive.account.name,
            **{
                f"l{n}{key}": value
                for n, lvl in self.levels.items()
                for key, value in (
                    ("StorageAccountId", lvl.storage.account.id),
                    ("StorageAccountName", lvl.storage.account.name),
                    ("KeyVaultId", lvl.keyvault.vault.id),
                    ("KeyVaultName", lvl.keyvault.vault.name),
                )
            },
        }
        """What the stack exports (``__main__.py``): ids and names an operator or another stack needs."""
        self.register_outputs(dict(self.outputs))
