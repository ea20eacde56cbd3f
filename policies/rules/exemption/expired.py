"""exemption-expired: an exemption past its expiry is itself a finding."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.framework import Controls, Params, RuleMeta, StackContext, StackRule
from policies.model import Violation

META = RuleMeta(
    id="exemption-expired",
    title="No policy exemption is past its expiry date",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("4",), mcsb=("GS-1",)),
    remediation=(
        "Fix the exempted finding, or have the approver renew the exemption with a new expiry and an updated "
        "reason in policies/config/<stack>.json."
    ),
    docs="https://learn.microsoft.com/azure/governance/policy/concepts/exemption-structure",
)


def check(context: StackContext, params: Params) -> Iterator[Violation]:
    """Every exemption in the pack config has an expiry date on or after today.

    An exemption is a time-boxed risk acceptance; once it lapses nobody has accepted the risk any
    more. The exempted finding returns to its own level by itself, and this rule makes the lapsed
    approval visible even when that finding happens to be advisory or gone.
    """
    for exemption in context.exemptions:
        if exemption.expired(context.today):
            yield Violation(
                f"{exemption.describe()} expired {exemption.expires.isoformat()} "
                f"(reason was: {exemption.reason})"
            )


RULE = StackRule(META, check)
