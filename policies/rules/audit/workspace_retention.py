"""audit-workspace-retention: logs are kept long enough for investigations."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import WORKSPACE
from policies.framework import Controls, Param, Params, ResourceRule, RuleMeta
from policies.model import Resource
from policies.props import describe, number

META = RuleMeta(
    id="audit-workspace-retention",
    title="Log Analytics keeps logs for at least the minimum retention",
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("13",), mcsb=("LT-6",)),
    remediation="Set retentionInDays (tvt:audit.logRetentionDays) to at least minimumRetentionDays.",
    docs="https://learn.microsoft.com/azure/azure-monitor/logs/data-retention-configure",
    params=(
        Param(
            "minimumRetentionDays",
            {"type": "integer", "minimum": 30, "maximum": 4383, "default": 365, "description": "days"},
        ),
    ),
)


def check(resource: Resource, params: Params) -> Iterator[str]:
    """Workspace retentionInDays is at least minimumRetentionDays (365 by default).

    Misuse of shared data often surfaces months later (a complaint, a subject access request, a
    court case); a year of searchable logs is the minimum to reconstruct who did what.
    """
    value = resource.props.get("retentionInDays")
    days = number(value)
    minimum = number(params["minimumRetentionDays"]) or 365.0
    if days is None or days < minimum:
        yield f"retentionInDays is {describe(value)}; expected at least {int(minimum)}"


RULE = ResourceRule(META, check, types=frozenset({WORKSPACE}))
