"""data-protection-level-boundary: a resource's data level is where it is declared and placed; a tag
that says otherwise is refused."""

from __future__ import annotations

from tests.policies.baselines import Stack
from tests.policies.cases import Case, Mutation, refer, retarget, rule_tests, set_input, set_prop

RULE = "data-protection-level-boundary"


def relabel(level: str, to: str) -> Mutation:
    """Every resource tagged ``data-level: <level>`` claims ``to`` instead."""

    def mutate(stack: Stack) -> None:
        for res in stack.resources.values():
            if res.props.get("tags", {}).get("data-level") == level:
                res.props["tags"]["data-level"] = to

    return mutate


CASES = [
    Case(
        "every level-3 tag relabelled '2'",
        relabel("3", "2"),
        "data level: its data-level tag says '2' but its structure (component, resource group) says '3'",
        "l3-key",
    ),
    Case(
        "a level-3 key relabelled in what is requested, its outputs still saying '3'",
        set_input("l3-key", "tags.data-level", "2"),
        "its data-level tag says '2' but its structure",
        "l3-key",
    ),
    Case(
        "level-3 storage placed in level 2's resource group",
        retarget("l3-storage", "resourceGroupName", "resourceGroupName", "l2-rg", "name"),
        "data level: it is declared in the level-3 component but placed in a resource group of level 2",
        "l3-storage",
        also=frozenset({"encryption-cmk-same-level", "identity-grant-scope", "network-private-endpoint"}),
    ),
    Case(
        "a level-3 zone created in the level-1 account",
        retarget("l3-container-matched", "accountName", "accountName", "l1-storage", "name"),
        "it is declared in the level-3 component but placed in a storage account of level 1",
        "l3-container-matched",
        also=frozenset({"identity-grant-scope"}),
    ),
    Case(
        "a level-3 vault's group name names level 2's group, its dependency still its own",
        refer("l3-vault", "resourceGroupName", "l2-rg", "name"),
        "resourceGroupName names 'rg-tvt-prod-l2' but was computed from ResourceGroup 'l3-rg'",
        "l3-vault",
        known_only=True,
    ),
    Case(
        "a tag that names no level at all",
        set_prop("l1-vault", "tags.data-level", "public"),
        "its data-level tag says 'public' but its structure (component, resource group) says '1'",
        "l1-vault",
        also=frozenset({"tagging-required-tags"}),
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
