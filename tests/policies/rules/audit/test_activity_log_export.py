"""audit-activity-log-export: the subscription's activity log is exported to the workspace and archive."""

from __future__ import annotations

import copy

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policies.baselines import Stack
from tests.policies.cases import (
    Case,
    Mutation,
    Once,
    Variant,
    chain,
    drop,
    drop_ref,
    foreign,
    once_tests,
    outside,
    refer,
    retarget,
    rule_tests,
    set_input,
    set_prop,
    variant_tests,
)

RULE = "audit-activity-log-export"
EXPORT = "audit-activity-log"

CASES = [
    Case(
        "Security category off",
        set_prop(EXPORT, "logs.1.enabled", False),
        "activity log categories not enabled: Security",
        EXPORT,
    ),
    Case(
        "Security category off in what is requested, on in the outputs",
        set_input(EXPORT, "logs.1.enabled", False),
        "activity log categories not enabled: Security",
        EXPORT,
    ),
    Case("no activity log export", drop(EXPORT), "no SubscriptionDiagnosticSetting exports"),
    Case(
        "archived in a level's account instead of the audit archive",
        retarget(EXPORT, "storageAccountId", "storageAccountId", "l3-storage"),
        "storageAccountId does not reference the audit archive",
        EXPORT,
        also=frozenset({"data-protection-audit-immutability"}),
    ),
    Case(
        "sent to a workspace outside the stack",
        outside(EXPORT, "workspaceId", "workspaceId", foreign("Microsoft.OperationalInsights/workspaces/x")),
        "workspaceId does not reference the stack's audit Log Analytics workspace",
        EXPORT,
    ),
    Case(
        "archive id names another account, its dependency still the archive",
        refer(EXPORT, "storageAccountId", "l1-storage"),
        "storageAccountId names Microsoft.Storage/storageAccounts 'sttvtprodl1' but was computed from "
        "StorageAccount 'audit-archive-account'",
        EXPORT,
        known_only=True,
    ),
    Case(
        "the allLogs category group, disabled",
        set_prop(EXPORT, "logs", [{"categoryGroup": "allLogs", "enabled": False}]),
        "activity log categories not enabled: Administrative, Security",
        EXPORT,
    ),
]


def unknown(key: str) -> Mutation:
    """``key`` of the export is unknown and computed from nothing: nothing says where it sends logs."""
    return chain(set_prop(EXPORT, key, UNKNOWN_STRING_VALUE), drop_ref(EXPORT, key))


def second_export_without_security(stack: Stack) -> None:
    """A second export beside the first, to the same places, with the Security category off."""
    first = stack[EXPORT]
    props = copy.deepcopy(first.props)
    props["logs"][1]["enabled"] = False
    refs = {key: [stack[r.rsplit("::", 1)[1]] for r in urns] for key, urns in first.deps.items()}
    parent = next(r for r in stack.resources.values() if r.urn == first.parent)
    stack.add(first.type, "audit-activity-log-second", parent, props, dict(refs))


CASES += [
    Case(
        f"a second export missing Security, beside one whose {key} is unknown and computed from nothing: "
        "that one is not the good export",
        chain(second_export_without_security, unknown(key)),
        "activity log categories not enabled: Security",
        "audit-activity-log-second",
        known_only=True,  # a first preview makes the second export's references unknown too
    )
    for key in ("workspaceId", "storageAccountId")
]

# What an unknown destination computed from nothing names is the reference's one finding; the
# export's own "does not reference" check says nothing more about it.
ONCE = [
    Once(
        f"{key} unknown and computed from nothing",
        unknown(key),
        RULE,
        f"{key} is unknown and not computed from",
        EXPORT,
    )
    for key in ("workspaceId", "storageAccountId")
]

ALL_LOGS = [{"categoryGroup": "allLogs", "enabled": True}]
VARIANTS = [Variant("every category through the allLogs category group", set_prop(EXPORT, "logs", ALL_LOGS))]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
test_compliant_variant = variant_tests(RULE, VARIANTS)
test_reported_once = once_tests(RULE, ONCE)
