"""exemption-unused: an exemption that matches nothing in the stack is stale or mistyped."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.framework import Controls, Params, RuleMeta, StackContext, StackRule
from policies.model import Violation

META = RuleMeta(
    id="exemption-unused",
    title="Every policy exemption matches a resource in the stack",
    severity=Severity.LOW,
    enforcement=EnforcementLevel.ADVISORY,
    controls=Controls(ncsc=("4",), mcsb=("GS-1",)),
    remediation="Correct the exemption's resource URN glob, or remove the exemption if the resource is gone.",
    docs="https://learn.microsoft.com/azure/governance/policy/concepts/exemption-structure",
)


def check(context: StackContext, params: Params) -> Iterator[Violation]:
    """Every exemption's URN glob matches at least one resource of the stack.

    A glob that matches nothing is either left over from a removed resource (an approval that
    should be retired) or mistyped (so the finding it was meant to cover is still blocking).
    Advisory: it exempts nothing, so it weakens nothing.
    """
    urns = [r.urn for r in context.index.resources]
    for exemption in context.exemptions:
        if not any(exemption.matches(urn) for urn in urns):
            yield Violation(f"{exemption.describe()} matches no resource in this stack")


RULE = StackRule(META, check)
