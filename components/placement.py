"""Where a building block puts its resources: one scope's names, resource group, region and tags."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi

from components.config.model import UK_REGIONS
from components.naming import Namer


@dataclass(frozen=True)
class Placement:
    """The four things every building block of a scope shares (AVM's ``location``/``tags`` inputs).

    ``resource_group_name`` is the resource group's name *output*, so every resource depends on its
    group; the deterministic names (for ARM paths and role assignment names) come from ``namer``.
    """

    namer: Namer
    resource_group_name: pulumi.Input[str]
    location: str
    tags: Mapping[str, str]

    def __post_init__(self) -> None:
        # UK data residency: no regional resource outside uksouth / ukwest.
        if self.location not in UK_REGIONS:
            raise ValueError(
                f"scope {self.namer.scope}: location {self.location!r} is not one of {', '.join(UK_REGIONS)}"
            )
        if not self.tags:
            raise ValueError(f"scope {self.namer.scope}: resources need tags (components.tags.scope_tags)")

    @property
    def resource_group(self) -> str:
        """The resource group's deterministic name, for ARM paths (not for dependencies)."""
        return self.namer.resource_group()

    def arm_path(self, resource_type: str, name: str, *children: str) -> str:
        """The ARM id a resource of this scope will have, e.g. ``("Microsoft.KeyVault/vaults", kv)``."""
        path = (
            f"/subscriptions/{self.namer.subscription_id}/resourceGroups/{self.resource_group}"
            f"/providers/{resource_type}/{name}"
        )
        return "/".join((path, *children))
