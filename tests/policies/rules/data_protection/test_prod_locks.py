"""data-protection-prod-locks: Azure refuses to delete prod resource groups holding data or keys."""

from __future__ import annotations

from tests.policies.baselines import Stack
from tests.policies.cases import (
    Case,
    Mutation,
    Variant,
    add,
    chain,
    drop,
    point_ref,
    retag_environment,
    retarget,
    rule_tests,
    set_prop,
    variant_tests,
)

RULE = "data-protection-prod-locks"

CASES = [
    Case("no lock", drop("l3-lock"), "has no CanNotDelete lock", "l3-rg"),
    Case(
        "prod stack tagged dev, lock dropped",
        chain(retag_environment("dev"), drop("l3-lock")),
        "has no CanNotDelete lock",
        "l3-rg",
    ),
    Case(
        "lock of the wrong level",
        set_prop("l1-lock", "level", "NotSpecified"),
        "has no CanNotDelete lock",
        "l1-rg",
    ),
]

ALSO_SPARE = frozenset(
    {
        "tagging-required-tags",
        "audit-diagnostics-present",
        "data-protection-level-boundary",
        "network-nsg-deny-internet-inbound",
    }
)
RG = "azure-native:resources:ResourceGroup"
NSG = "azure-native:network:NetworkSecurityGroup"


def spare_group(*, first: bool = False) -> Mutation:
    """An unlocked resource group holding only a network security group (no data, no keys)."""

    def mutate(stack: Stack) -> None:
        add(RG, "spare-rg", "l3", {"resourceGroupName": "rg-tvt-prod-spare", "location": "uksouth"})(stack)
        add(
            NSG,
            "spare-nsg",
            "l3",
            {"resourceGroupName": "rg-tvt-prod-spare"},
            {"resourceGroupName": "spare-rg"},
        )(stack)
        if first:  # judged before the groups that hold data
            stack.resources = {"spare-rg": stack["spare-rg"], **stack.resources}

    return mutate


CASES += [
    Case(
        "an unlocked group holding nothing judged first, then a data group without its lock",
        chain(spare_group(first=True), drop("l3-lock")),
        "has no CanNotDelete lock",
        "l3-rg",
        also=ALSO_SPARE,
    ),
    Case(
        "the lock is on another group and names this one only in another property",
        chain(
            retarget("l3-lock", "resourceGroupName", "resourceGroupName", "l1-rg", "name"),
            point_ref("l3-lock", "notes", "l3-rg"),
        ),
        "has no CanNotDelete lock",
        "l3-rg",
        also=frozenset({"data-protection-level-boundary"}),
    ),
    Case(
        "something that is not a lock says CanNotDelete",
        chain(drop("l3-lock"), set_prop("l3-vault", "level", "CanNotDelete")),
        "has no CanNotDelete lock",
        "l3-rg",
        also=frozenset({"azure-api-conformance"}),
    ),
    Case(
        "every data and key resource of the group is named",
        drop("l3-lock"),
        "prod resource group holding l3-key, l3-storage, l3-vault has",
        "l3-rg",
    ),
]

VARIANTS = [
    Variant("an unlocked group holding no data or keys", spare_group()),
    Variant(
        "a data resource whose location comes from an unlocked group it is not in",
        chain(spare_group(), point_ref("l3-storage", "location", "spare-rg")),
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
test_compliant_variant = variant_tests(RULE, VARIANTS)
