"""data-protection-level-boundary: a resource's data level is where it is declared and placed; a tag
that says otherwise is refused."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.framework import Controls, Params, RuleMeta, StackContext, StackRule, reference_violations
from policies.model import Violation

META = RuleMeta(
    id="data-protection-level-boundary",
    title="Each resource stays inside one data level: component, resource group and data-level tag agree",
    severity=Severity.CRITICAL,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("3", "2.3"), mcsb=("AM-1", "DP-1")),
    remediation=(
        "Declare each resource in its level's component (tvt:level:DataLevel l<n>, or the audit services), "
        "in that level's resource group (resourceGroupName from the group's name output), inside that "
        "level's account or vault, and tag it data-level with that level (components/tags.py)."
    ),
    docs="https://www.ncsc.gov.uk/collection/cloud/the-cloud-security-principles/principle-3-separation-between-customers",
)


def check(context: StackContext, params: Params) -> Iterator[Violation]:
    """A resource's level from structure is consistent, and its data-level tag is that level.

    The rules that tighten with the level (HSM keys, private link, use cases) take the level from
    structure: the scope component that declares a resource and the resource group it is placed
    in. A tag is one edit away, so relabelling level-3 resources "2" must not loosen anything, and a
    tag that disagrees with the structure is reported here. A resource placed in another level's
    group, or a container or key placed in another level's account or vault, crosses the boundary.
    """
    yield from reference_violations(context, META.id)
    index = context.index
    for resource in index.resources:
        for problem in index.level_problems(resource):
            yield Violation(f"data level: {problem}", resource.urn)


RULE = StackRule(META, check)
