"""StackIndex: references by value and property dependency, levels from structure, environment; linear."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.catalog import COMPONENT_TYPES, DIAGNOSTIC_SETTING, DataClass, Geography, classify
from policies.model import Resource
from policies.stack_index import AUDIT_COMPONENT, LEVEL_COMPONENT, StackIndex, is_prod_resource, urn_stack
from tests.policies.baselines import compliant_stack, policy_resources

STACK = compliant_stack()


def index_of(resources: list[Resource]) -> StackIndex:
    return StackIndex(resources)


def res(
    urn: str,
    tags: dict[str, str] | None = None,
    type_: str = "t:t:T",
    parent: str | None = None,
    props: dict[str, Any] | None = None,
    **deps: list[str],
) -> Resource:
    return Resource(
        urn=urn,
        type=type_,
        name=urn,
        props={**({"tags": tags} if tags else {}), **(props or {})},
        parent=parent,
        property_dependencies=deps,
    )


def level_component(name: str) -> Resource:
    return Resource(urn=name, type=LEVEL_COMPONENT, name=name, props={})


def baseline_index() -> StackIndex:
    return StackIndex(policy_resources(STACK))


def test_levels_in_the_baseline() -> None:
    index = baseline_index()
    expected = {
        "l3-storage": "3",  # declared in the level-3 component, placed in its group
        "l3-subnet": "3",
        "l3-container-matched": "3",
        "l3-grant-tvp-analysts": "3",
        "l1-grant-vru-analysts": "1",
        "l3-vault-diag": "3",
        "l3-storage-blob-pe-dns": "3",
        "audit-activity-log": "shared",
        "l3": "3",  # the level component itself
        "tvt": None,  # the platform spans levels: no level of its own
    }
    for name, level in expected.items():
        got = index.level(index.get(STACK[name].urn))  # type: ignore[arg-type]
        assert got == level, f"{name}: level {got}, expected {level}"
        assert not index.level_problems(index.get(STACK[name].urn)), name  # type: ignore[arg-type]


def test_a_tag_never_decides_the_level() -> None:
    index = index_of([level_component("l3"), res("key", {"data-level": "2"}, parent="l3")])
    key = index.get("key")
    assert key is not None and index.level(key) == "3"
    assert index.level_problems(key) == [
        "its data-level tag says '2' but its structure (component, resource group) says '3'"
    ]


def test_a_component_that_names_no_level_fails_closed() -> None:
    index = index_of([level_component("l9"), res("key", parent="l9")])
    key = index.get("key")
    assert key is not None and index.level(key) is None
    assert "it is declared in a scope component whose name gives no data level" in index.level_problems(key)


def test_placed_in_another_levels_group_has_no_level() -> None:
    index = index_of(
        [
            level_component("l3"),
            level_component("l2"),
            res(
                "rg2",
                type_="azure-native:resources:ResourceGroup",
                parent="l2",
                props={"resourceGroupName": "rg2"},
            ),
            res(
                "account",
                type_="azure-native:storage:StorageAccount",
                parent="l3",
                props={"resourceGroupName": "rg2"},
                resourceGroupName=["rg2"],
            ),
        ]
    )
    account = index.get("account")
    assert account is not None and index.level(account) is None
    assert index.level_problems(account) == [
        "it is declared in the level-3 component but placed in a resource group of level 2"
    ]


def test_what_a_resource_is_about_wins_over_where_it_sends_things() -> None:
    """Outside every component, a diagnostic setting is its target's level, not its workspace's."""
    index = index_of(
        [
            level_component("l1"),
            Resource(urn="audit", type=AUDIT_COMPONENT, name="audit", props={}),
            res("blob-service", parent="l1"),
            res("workspace", parent="audit"),
            res("diag", None, resourceUri=["blob-service"], workspaceId=["workspace"]),
        ]
    )
    assert index.level(index.get("diag")) == "1"  # type: ignore[arg-type]


def test_key_precedence_then_names_then_parent() -> None:
    index = index_of(
        [
            level_component("l1"),
            level_component("l2"),
            res("a", parent="l1"),
            res("b", parent="l2"),
            res("scoped", None, resourceGroupName=["a"], scope=["b"]),
            res("unranked", None, zeta=["a"], alpha=["b"]),
        ]
    )
    assert index.level(index.get("scoped")) == "2"  # type: ignore[arg-type]
    assert index.level(index.get("unranked")) == "2"  # type: ignore[arg-type]
    orphan = Resource(urn="child", type="t:t:T", name="child", props={}, parent="x")
    index = index_of(
        [Resource(urn="x", type="t:t:T", name="x", props={}, parent="l3"), level_component("l3"), orphan]
    )
    assert index.level(orphan) == "3", "a resource with no reference takes its ancestors' level"


def test_summary_level_of_components() -> None:
    def child(name: str, parent: str) -> Resource:
        return Resource(urn=name, type="t:t:T", name=name, props={}, parent=parent)

    index = index_of(
        [
            res("root"),
            Resource(urn="net", type="c:c:C", name="net", props={}, parent="root"),
            Resource(urn="l1", type=LEVEL_COMPONENT, name="l1", props={}, parent="net"),
            child("x", "l1"),
            Resource(urn="l2", type=LEVEL_COMPONENT, name="l2", props={}, parent="root"),
            child("y", "l2"),
            Resource(urn="empty", type="c:c:C", name="empty", props={}, parent="root"),
        ]
    )
    assert index.summary_level(index.get("net")) == "1"  # type: ignore[arg-type]
    assert index.summary_level(index.get("root")) == "mixed"  # type: ignore[arg-type]
    assert index.summary_level(index.get("empty")) == "unassigned"  # type: ignore[arg-type]


ARM = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts"


def account(name: str) -> Resource:
    return res(
        name, type_="azure-native:storage:StorageAccount", props={"id": f"{ARM}/{name}", "accountName": name}
    )


def setting(value: Any, *deps: str) -> Resource:
    kwargs = {"storageAccountId": list(deps)} if deps else {}
    return res("diag", type_=DIAGNOSTIC_SETTING, props={"storageAccountId": value}, **kwargs)


def test_a_known_value_and_its_dependency_must_agree() -> None:
    index = index_of([account("a"), account("b"), setting(f"{ARM}/b", "a")])
    diag = index.get("diag")
    assert diag is not None and index.targets(diag, "storageAccountId") == []
    (problem,) = index.reference_problems(diag)
    assert problem.message == (
        "storageAccountId names Microsoft.Storage/storageAccounts 'b' but was computed from StorageAccount "
        f"'a', whose ARM id is '{ARM.lower()}/a'; value and dependency must agree"
    )
    assert problem.reference.rule == "audit-diagnostics-destination"


def test_value_and_dependency_agreeing_resolve_case_insensitively() -> None:
    index = index_of([account("a"), setting(f"{ARM.upper()}/A/", "a")])
    diag = index.get("diag")
    assert diag is not None and [t.name for t in index.targets(diag, "storageAccountId")] == ["a"]
    assert not index.reference_problems(diag)


def test_unknown_value_the_dependency_decides() -> None:
    index = index_of([account("a"), setting(UNKNOWN_STRING_VALUE, "a")])
    diag = index.get("diag")
    assert diag is not None and [t.name for t in index.targets(diag, "storageAccountId")] == ["a"]
    assert not index.reference_problems(diag)


def test_no_dependency_the_value_decides() -> None:
    index = index_of([account("a"), account("b"), setting(f"{ARM}/b")])
    diag = index.get("diag")
    assert diag is not None and [t.name for t in index.targets(diag, "storageAccountId")] == ["b"]
    index = index_of([account("a"), setting(f"{ARM}/elsewhere")])
    assert index.targets(index.get("diag"), "storageAccountId") == []  # type: ignore[arg-type]


def test_a_value_that_names_nothing_parseable_fails_closed() -> None:
    index = index_of([account("a"), setting("sttvtprodl3", "a")])
    diag = index.get("diag")
    assert diag is not None and index.targets(diag, "storageAccountId") == []
    assert [p.message for p in index.reference_problems(diag)] == [
        "storageAccountId is 'sttvtprodl3', which is not an ARM id"
    ]


def test_a_known_value_against_a_target_whose_id_is_unknown_fails_closed() -> None:
    unknown_id = res("a", type_="azure-native:storage:StorageAccount", props={"accountName": "a"})
    index = index_of([unknown_id, setting(f"{ARM}/a", "a")])
    (problem,) = index.reference_problems(index.get("diag"))  # type: ignore[arg-type]
    assert problem.message.startswith("cannot verify during preview: storageAccountId is")


def test_cycles_and_dangling_references_resolve_to_none() -> None:
    index = index_of([res("a", None, scope=["b"]), res("b", None, scope=["a", "gone"])])
    assert index.level(index.get("a")) is None  # type: ignore[arg-type]


def test_referrers_and_targets_follow_property_dependencies() -> None:
    index = baseline_index()
    vault = index.get(STACK["l3-vault"].urn)
    assert vault is not None
    diag = index.referrers(vault, "resourceUri", "azure-native:monitor:DiagnosticSetting")
    assert [d.name for d in diag] == ["l3-vault-diag"]
    assert [t.name for t in index.targets(diag[0], "workspaceId")] == ["audit-workspace"]


def test_environment_is_the_strictest_and_fails_closed() -> None:
    assert (
        index_of([res("a", {"environment": "dev"}), res("b", {"environment": "test"})]).environment == "test"
    )
    assert index_of([res("a", {"environment": "dev"}), res("b", {"environment": "prod"})]).is_prod
    assert index_of([res("a", {"environment": "staging"})]).is_prod
    assert index_of([res("a")]).is_prod
    assert not index_of([res("a", {"environment": "dev"})]).is_prod


def urn(stack: str, name: str = "x") -> str:
    return f"urn:pulumi:{stack}::tvt-platform::azure-native:keyvault:Vault::{name}"


def test_a_prod_urn_makes_the_stack_prod_whatever_the_tags_say() -> None:
    tagged_dev = {"environment": "dev"}
    assert index_of([res(urn("prod", "a"), tagged_dev), res(urn("prod", "b"), tagged_dev)]).is_prod
    assert index_of([res(urn("dev", "a"), tagged_dev), res(urn("prod", "b"), tagged_dev)]).is_prod
    assert not index_of([res(urn("dev", "a"), tagged_dev)]).is_prod
    assert index_of([res(urn("dev", "a"), {"environment": "prod"})]).is_prod, "a tag may make it stricter"
    assert index_of([res(urn("test", "a"), {"environment": "staging"})]).is_prod, "still fails closed"


def test_urn_stack_and_resource_prodness() -> None:
    assert urn_stack(urn("prod")) == "prod"
    assert urn_stack("urn:pulumi:dev::p::t::n") == "dev"
    assert urn_stack("not-a-urn") is None and urn_stack("urn:pulumi:prod") is None
    assert is_prod_resource(res(urn("prod"), {"environment": "dev"}))
    assert is_prod_resource(res(urn("dev"), {"environment": "prod"}))
    assert is_prod_resource(res(urn("dev")))  # untagged
    assert not is_prod_resource(res(urn("test"), {"environment": "test"}))


def test_baseline_retagged_dev_is_still_prod() -> None:
    stack = STACK.copy()
    for r in stack.resources.values():
        if "environment" in r.props.get("tags", {}):
            r.props["tags"]["environment"] = "dev"
    index = StackIndex(
        Resource(
            r.urn, r.type, r.name, r.props, property_dependencies={k: tuple(v) for k, v in r.deps.items()}
        )
        for r in stack.resources.values()
    )
    assert index.is_prod and index.environment == "prod"


class CountingDeps(dict[str, tuple[str, ...]]):
    """Property dependencies that count every read, so work is measured in steps, not seconds."""

    reads = 0

    def __getitem__(self, key: str) -> tuple[str, ...]:
        CountingDeps.reads += 1
        return super().__getitem__(key)

    def __iter__(self) -> Iterator[str]:
        CountingDeps.reads += 1
        return super().__iter__()

    def get(self, key: str, default: Any = None) -> Any:
        CountingDeps.reads += 1
        return super().get(key, default)

    def items(self) -> Any:
        CountingDeps.reads += 1
        return super().items()

    def values(self) -> Any:
        CountingDeps.reads += 1
        return super().values()


def _chain_work(n: int) -> int:
    """Reads of property dependencies to index a chain of ``n`` and resolve every level (deepest first)."""
    resources = [level_component("l3"), res("root", parent="l3")]
    resources += [
        Resource(
            urn=f"r{i}",
            type="t:t:T",
            name=f"r{i}",
            props={},
            property_dependencies=CountingDeps(scope=(f"r{i - 1}" if i else "root",)),
        )
        for i in range(n)
    ]
    CountingDeps.reads = 0
    index = index_of(resources)
    levels = {index.level(r) for r in resources[::-1]}
    assert levels == {"3"}
    assert len(index.referrers(index.get("root"))) == 1  # type: ignore[arg-type]
    return CountingDeps.reads


def test_index_and_levels_are_linear_in_resources() -> None:
    # Counted, not timed: a wall-clock bound flakes on a loaded CI machine, a step count cannot.
    # Resolving from the deepest end is the worst case for a naive recursive or per-resource walk
    # (quadratic: ~n^2/2 reads); memoised resolution reads each resource's dependencies a few times.
    small, large = _chain_work(2_000), _chain_work(20_000)
    assert large <= 6 * 20_000, f"{large} reads of property dependencies for 20000 resources"
    assert large <= 11 * small, f"work grew {large / small:.1f}x for 10x the resources"


def test_every_baseline_type_is_classified() -> None:
    for r in STACK.resources.values():
        assert classify(r.type) is not None, r.type


def test_catalog_fails_closed_and_classifies_non_data_types() -> None:
    assert classify("azure-native:sql:Server") is None
    for type_ in (*COMPONENT_TYPES, "pulumi:providers:azure-native", "pulumi:pulumi:Stack"):
        info = classify(type_)
        assert info is not None and info.data is DataClass.NONE and not info.diagnostics.supported, type_
    assert {
        t
        for t in ("azure-native:storage:StorageAccount", "azure-native:operationalinsights:Workspace")
        if classify(t).data is DataClass.DATA_BEARING
    } == {  # type: ignore[union-attr]
        "azure-native:storage:StorageAccount",
        "azure-native:operationalinsights:Workspace",
    }
    assert classify("azure-native:privatedns:PrivateZone").geography is Geography.GLOBAL  # type: ignore[union-attr]
