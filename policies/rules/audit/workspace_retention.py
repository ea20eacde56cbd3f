"""audit-workspace-retention: logs are kept long enough for investigations."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import WORKSPACE
from policies.framework import Controls, Param, Params, ResourceRule, RuleMeta, Stricter
from policies.model import Resource
from policies.props import describe, number
from policies.stack_index import is_prod_resource

META = RuleMeta(
    id="audit-workspace-retention",
    title="Log Analytics keeps logs for at least the minimum retention",
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("13",), mcsb=("LT-6",)),
    remediation=(
        "Set retentionInDays (tvt:audit.logRetentionDays) to at least minimumRetentionDaysProd in prod, "
        "minimumRetentionDays in dev and test."
    ),
    docs="https://learn.microsoft.com/azure/azure-monitor/logs/data-retention-configure",
    params=(
        Param(
            "minimumRetentionDaysProd",
            {"type": "integer", "minimum": 30, "maximum": 4383, "default": 365, "description": "days, prod"},
            stricter=Stricter.HIGHER,
        ),
        Param(
            "minimumRetentionDays",
            {
                "type": "integer",
                "minimum": 30,
                "maximum": 4383,
                "default": 90,
                "description": "days, dev/test",
            },
            stricter=Stricter.HIGHER,
        ),
    ),
)


def check(resource: Resource, params: Params) -> Iterator[str]:
    """Workspace retentionInDays is at least 365 days in prod (90 in dev and test) by default.

    Misuse of shared data often surfaces months later (a complaint, a subject access request, a
    court case); a year of searchable logs is the minimum to reconstruct who did what. A workspace
    not tagged dev or test counts as prod, and so does any of the prod stack (its URN).
    """
    prod = is_prod_resource(resource)
    value = resource.props.get("retentionInDays")
    days = number(value)
    minimum = float(params["minimumRetentionDaysProd" if prod else "minimumRetentionDays"])
    if days is None or days < minimum:
        where = " in prod" if prod else ""
        yield f"retentionInDays is {describe(value)}; expected at least {int(minimum)}{where}"


RULE = ResourceRule(META, check, types=frozenset({WORKSPACE}))
