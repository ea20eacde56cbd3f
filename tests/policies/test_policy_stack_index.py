"""StackIndex: references by property, level resolution, environment; linear in resources."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from policies.catalog import COMPONENT_TYPES, DataClass, Geography, classify
from policies.model import Resource
from policies.stack_index import StackIndex, is_prod_resource, urn_stack
from tests.policies.baselines import compliant_stack

STACK = compliant_stack()


def index_of(resources: list[Resource]) -> StackIndex:
    return StackIndex(resources)


def res(urn: str, tags: dict[str, str] | None = None, type_: str = "t:t:T", **deps: list[str]) -> Resource:
    return Resource(
        urn=urn, type=type_, name=urn, props={"tags": tags} if tags else {}, property_dependencies=deps
    )


def baseline_index() -> StackIndex:
    return StackIndex(
        Resource(
            r.urn,
            r.type,
            r.name,
            r.props,
            r.protect,
            r.parent,
            tuple(r.depends_on),
            {k: tuple(v) for k, v in r.deps.items()},
        )
        for r in STACK.resources.values()
    )


def test_levels_in_the_baseline() -> None:
    index = baseline_index()
    expected = {
        "l3-storage": "3",  # own tag
        "l3-subnet": "3",  # via resourceGroupName / virtualNetworkName
        "l3-container-matched": "3",  # via accountName
        "l3-grant-tvp-analysts": "3",  # scope -> container -> account
        "l1-grant-vru-analysts": "1",
        "l3-vault-diag": "3",  # resourceUri wins over workspaceId (shared) at the same distance
        "l3-storage-blob-pe-dns": "3",  # privateEndpointName wins over privateDnsZoneConfigs
        "audit-activity-log": "shared",
        "tvt": None,  # components carry no level
    }
    for name, level in expected.items():
        got = index.level(index.get(STACK[name].urn))  # type: ignore[arg-type]
        assert got == level, f"{name}: level {got}, expected {level}"


def test_what_a_resource_is_about_wins_over_where_it_sends_things() -> None:
    """A level-1 blob service's diagnostic setting is level 1, though the workspace it logs to is nearer."""
    index = index_of(
        [
            res("account", {"data-level": "1"}),
            res("blob-service", None, accountName=["account"]),
            res("workspace", {"data-level": "shared"}),
            res("diag", None, resourceUri=["blob-service"], workspaceId=["workspace"]),
        ]
    )
    assert index.level(index.get("diag")) == "1"  # type: ignore[arg-type]


def test_key_precedence_then_names_then_parent() -> None:
    index = index_of(
        [
            res("a", {"data-level": "1"}),
            res("b", {"data-level": "2"}),
            res("scoped", None, resourceGroupName=["a"], scope=["b"]),
            res("unranked", None, zeta=["a"], alpha=["b"]),
        ]
    )
    assert index.level(index.get("scoped")) == "2"  # type: ignore[arg-type]
    assert index.level(index.get("unranked")) == "2"  # type: ignore[arg-type]
    orphan = Resource(urn="child", type="t:t:T", name="child", props={}, parent="a")
    index = index_of([res("a", {"data-level": "3"}), orphan])
    assert index.level(orphan) == "3", "a resource with no reference takes its parent's level"


def test_summary_level_of_components() -> None:
    def child(name: str, parent: str, level: str | None) -> Resource:
        props = {"tags": {"data-level": level}} if level else {}
        return Resource(urn=name, type="t:t:T", name=name, props=props, parent=parent)

    index = index_of(
        [
            res("root"),
            Resource(urn="l1", type="c:c:C", name="l1", props={}, parent="root"),
            child("x", "l1", "1"),
            Resource(urn="l2", type="c:c:C", name="l2", props={}, parent="root"),
            child("y", "l2", "2"),
            Resource(urn="empty", type="c:c:C", name="empty", props={}, parent="root"),
        ]
    )
    assert index.summary_level(index.get("l1")) == "1"  # type: ignore[arg-type]
    assert index.summary_level(index.get("root")) == "mixed"  # type: ignore[arg-type]
    assert index.summary_level(index.get("empty")) == "unassigned"  # type: ignore[arg-type]


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
    resources = [res("root", {"data-level": "3"})]
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
