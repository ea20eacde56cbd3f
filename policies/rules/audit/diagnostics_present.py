"""audit-diagnostics-present: every resource that can emit diagnostics has a diagnostic setting."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import DIAGNOSTIC_SETTING, classify, unclassified_message
from policies.framework import Controls, Params, RuleMeta, StackContext, StackRule
from policies.model import Violation

META = RuleMeta(
    id="audit-diagnostics-present",
    title="Every resource that supports diagnostic settings has one",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("5.3", "13"), mcsb=("LT-3", "LT-4"), cis=("5.1.5", "5.4")),
    remediation=(
        "Attach a DiagnosticSetting through components/diagnostics.py whose resourceUri is the resource's id "
        "output, so the reference is a property dependency."
    ),
    docs="https://learn.microsoft.com/azure/azure-monitor/essentials/diagnostic-settings",
)


def check(context: StackContext, params: Params) -> Iterator[Violation]:
    """Each resource whose type supports diagnostic settings is the resourceUri target of one.

    Investigations of who read or changed partner data depend on these logs existing from the
    first day. The setting is matched by its ``resourceUri`` property dependency, not by name, so
    a setting pointed at the wrong resource does not count.
    """
    index = context.index
    for resource in index.resources:
        info = classify(resource.type)
        if info is None:
            yield Violation(unclassified_message(resource.type), resource.urn)
        elif info.diagnostics.supported and not index.referrers(resource, "resourceUri", DIAGNOSTIC_SETTING):
            yield Violation(
                f"no diagnostic setting targets this {resource.type} (its type has {info.diagnostics}); "
                "expected one whose resourceUri references it",
                resource.urn,
            )


RULE = StackRule(META, check)
