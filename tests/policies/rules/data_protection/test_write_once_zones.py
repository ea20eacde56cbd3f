"""data-protection-write-once-zones: level 3's raw zone is write-once (WORM) for its retention period."""

from __future__ import annotations

from tests.policies.cases import Case, Variant, chain, drop, point_ref, rule_tests, set_prop, variant_tests

RULE = "data-protection-write-once-zones"
POLICY = "l3-container-raw-retention"

CASES = [
    Case(
        "no retention policy on raw",
        drop(POLICY),
        "level 3 zone raw: no BlobContainerImmutabilityPolicy on this container",
        "l3-container-raw",
    ),
    Case(
        "30 days in prod",
        set_prop(POLICY, "immutabilityPeriodSinceCreationInDays", 30),
        "zone raw: immutabilityPeriodSinceCreationInDays is 30; expected at least 365 in prod",
        "l3-container-raw",
    ),
    Case(
        "a period that is not a number",
        set_prop(POLICY, "immutabilityPeriodSinceCreationInDays", "365"),
        "immutabilityPeriodSinceCreationInDays is '365'; expected at least 365 in prod",
        "l3-container-raw",
        also=frozenset({"azure-api-conformance"}),
    ),
    Case(
        "no period at all in dev",
        set_prop(POLICY, "immutabilityPeriodSinceCreationInDays"),
        "immutabilityPeriodSinceCreationInDays is <absent>; expected at least 1",
        "l3-container-raw",
        environment="dev",
    ),
    Case(
        "append writes allowed",
        set_prop(POLICY, "allowProtectedAppendWrites", True),
        "allowProtectedAppendWrites is true; expected false or absent",
        "l3-container-raw",
    ),
    Case(
        "append writes to every blob type allowed",
        set_prop(POLICY, "allowProtectedAppendWritesAll", True),
        "allowProtectedAppendWritesAll is true",
        "l3-container-raw",
    ),
    Case(
        "the policy is on another container of the account",
        set_prop(POLICY, "containerName", "matched"),
        "level 3 zone raw: no BlobContainerImmutabilityPolicy on this container",
        "l3-container-raw",
    ),
    Case(
        "the policy is on a raw container of another account",
        chain(
            set_prop(POLICY, "accountName", "sttvtprodl1"),
            point_ref(POLICY, "accountName", "l1-storage"),
            point_ref(POLICY, "resourceGroupName", "l1-rg"),
            set_prop(POLICY, "resourceGroupName", "rg-tvt-prod-l1"),
        ),
        "level 3 zone raw: no BlobContainerImmutabilityPolicy on this container",
        "l3-container-raw",
        also=frozenset({"data-protection-level-boundary"}),
    ),
]
VARIANTS = [
    Variant("exactly the prod minimum", set_prop(POLICY, "immutabilityPeriodSinceCreationInDays", 365)),
    Variant("append writes explicitly off", set_prop(POLICY, "allowProtectedAppendWritesAll", False)),
    Variant(
        "exactly the dev minimum",
        set_prop(POLICY, "immutabilityPeriodSinceCreationInDays", 1),
        environment="dev",
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
test_compliant_variant = variant_tests(RULE, VARIANTS)
