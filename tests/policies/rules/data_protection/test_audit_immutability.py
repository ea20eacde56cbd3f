"""data-protection-audit-immutability: the audit archive is write-once (WORM) for its retention period."""

from __future__ import annotations

from tests.policies.cases import (
    Case,
    Variant,
    chain,
    impostor,
    point_ref,
    retarget,
    rule_tests,
    set_prop,
    variant_tests,
)

RULE = "data-protection-audit-immutability"
ARCHIVE = "audit-archive-account"
POLICY = "immutableStorageWithVersioning.immutabilityPolicy"

CASES = [
    Case(
        "archive unlocked in prod",
        set_prop(
            "audit-archive-account", "immutableStorageWithVersioning.immutabilityPolicy.state", "Unlocked"
        ),
        "state is 'Unlocked'; expected Locked in prod",
        "audit-archive-account",
    ),
    Case(
        "archive kept 30 days",
        set_prop(
            "audit-archive-account",
            "immutableStorageWithVersioning.immutabilityPolicy.immutabilityPeriodSinceCreationInDays",
            30,
        ),
        "immutabilityPeriodSinceCreationInDays is 30; expected at least 365",
        "audit-archive-account",
    ),
    Case(
        "append writes blocked",
        set_prop(
            "audit-archive-account",
            "immutableStorageWithVersioning.immutabilityPolicy.allowProtectedAppendWrites",
            False,
        ),
        "allowProtectedAppendWrites is not true",
        "audit-archive-account",
    ),
    Case(
        "no versioning",
        set_prop("audit-blob-service", "isVersioningEnabled", False),
        "isVersioningEnabled is not true",
        "audit-archive-account",
    ),
    Case(
        "archive not WORM",
        set_prop("audit-archive-account", "immutableStorageWithVersioning"),
        "immutableStorageWithVersioning.enabled is <absent>",
        "audit-archive-account",
    ),
]

CASES += [
    Case(
        "archive kept a day short of the prod minimum",
        set_prop(ARCHIVE, f"{POLICY}.immutabilityPeriodSinceCreationInDays", 364),
        "immutabilityPeriodSinceCreationInDays is 364; expected at least 365",
        ARCHIVE,
    ),
    Case(
        "archive with no retention period",
        set_prop(ARCHIVE, f"{POLICY}.immutabilityPeriodSinceCreationInDays"),
        "immutabilityPeriodSinceCreationInDays is <absent>",
        ARCHIVE,
        also=frozenset({"azure-api-conformance"}),
    ),
    Case(
        "dev archive kept 30 days",
        set_prop(ARCHIVE, f"{POLICY}.immutabilityPeriodSinceCreationInDays", 30),
        "immutabilityPeriodSinceCreationInDays is 30; expected at least 90",
        ARCHIVE,
        environment="dev",
    ),
    Case(
        "dev archive without a policy state",
        set_prop(ARCHIVE, f"{POLICY}.state"),
        "immutabilityPolicy.state is <absent>; expected Locked or Unlocked",
        ARCHIVE,
        environment="dev",
    ),
    Case(
        "versioning claimed by a blob service of another account naming the archive by another property",
        chain(
            set_prop("audit-blob-service", "isVersioningEnabled", False),
            point_ref("l1-blob-service", "resourceGroupName", ARCHIVE),
            set_prop("l1-blob-service", "isVersioningEnabled", True),
        ),
        "isVersioningEnabled is not true",
        ARCHIVE,
        also=frozenset({"data-protection-level-boundary"}),
    ),
    Case(
        "versioning claimed by something that is not a blob service",
        chain(
            set_prop("audit-blob-service", "isVersioningEnabled", False),
            impostor("audit-versioned", "audit", {"accountName": ARCHIVE}, isVersioningEnabled=True),
        ),
        "isVersioningEnabled is not true",
        ARCHIVE,
        also=frozenset({"azure-api-conformance", "tagging-required-tags", "data-protection-prod-locks"}),
    ),
]

VARIANTS = [
    Variant(
        "exactly the prod minimum",
        set_prop(ARCHIVE, f"{POLICY}.immutabilityPeriodSinceCreationInDays", 365),
    ),
    Variant("dev archive unlocked", set_prop(ARCHIVE, f"{POLICY}.state", "Unlocked"), environment="dev"),
    Variant("dev archive locked", set_prop(ARCHIVE, f"{POLICY}.state", "Locked"), environment="dev"),
    # Only storage accounts are archives: a setting aimed at the workspace is the destination rule's.
    Variant(
        "a setting archives into the workspace",
        retarget("l3-vnet-diag", "storageAccountId", "storageAccountId", "audit-workspace"),
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
test_compliant_variant = variant_tests(RULE, VARIANTS)
