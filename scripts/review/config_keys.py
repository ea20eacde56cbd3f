"""Which stack-config key drives the value a rule checks: the one table, rule id -> keys.

Only rules whose checked value comes straight from ``stacks/Pulumi.<stack>.yaml`` are listed; a
finding of any other rule is fixed in the program, not the config. ``tests/scripts/review`` proves
every key is in the config schema and every rule is registered.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

CONFIG_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "audit-workspace-retention": ("tvt:audit.logRetentionDays",),
        "audit-diagnostics-destination": ("tvt:environment",),  # prod also sends to the archive
        "data-protection-audit-immutability": (
            "tvt:audit.archiveImmutability",
            "tvt:audit.archiveRetentionDays",
        ),
        "data-protection-prod-protect": ("tvt:environment",),
        "data-protection-prod-locks": ("tvt:environment",),
        "residency-uk-only": ("tvt:location",),
        "identity-level3-use-case": ("tvt:useCases", "tvt:grants"),
        "identity-role-allow-list": ("tvt:grants",),
        "identity-role-assignment-groups": ("tvt:grants", "tvt:partners"),
        "identity-no-privileged-roles": ("tvt:grants",),
        "tagging-required-tags": ("tvt:owner", "tvt:environment"),
    }
)


def config_keys(rule: str) -> tuple[str, ...]:
    """The stack-config keys behind ``rule``'s checked value, () when the program decides it."""
    return CONFIG_KEYS.get(rule, ())
