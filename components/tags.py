"""The tags every taggable resource carries, built in one place.

Security reviewers and cost reports slice the estate by these tags, and policies work out a
resource's data level from ``data-level``, so every component takes its tags from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from components.config.model import LEVELS, StackConfig

SHARED = "shared"
"""``data-level`` of the shared audit services, which hold logs about every level."""

# Government Security Classifications: level 1 is anonymised statistics; level 2 is still personal
# data and level 3 identifiable; the audit logs describe access to all of them, so rank as the highest.
CLASSIFICATION: Mapping[str, str] = MappingProxyType(
    {"1": "OFFICIAL", "2": "OFFICIAL-SENSITIVE", "3": "OFFICIAL-SENSITIVE", SHARED: "OFFICIAL-SENSITIVE"}
)


def data_level(level: int | None) -> str:
    """The ``data-level`` tag value: ``"1"``..``"3"``, or ``"shared"`` for the audit services."""
    if level is None:
        return SHARED
    if level not in LEVELS:
        raise ValueError(f"data level {level} is not one of {LEVELS}")
    return str(level)


def scope_tags(config: StackConfig, level: int | None) -> dict[str, str]:
    """Tags for a resource of ``level`` (None for the shared audit services) in this stack."""
    value = data_level(level)
    return {
        "environment": config.environment.value,
        "data-level": value,
        "owner": config.owner,
        "classification": CLASSIFICATION[value],
    }
