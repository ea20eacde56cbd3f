"""StackIndex: references by value and property dependency, levels from structure, environment; linear."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.catalog import COMPONENT_TYPES, DIAGNOSTIC_SETTING, DataClass, Geography, classify
from policies.model import Resource
from policies.props import UNKNOWN
from policies.references import EACH, Kind, Reference
from policies.stack_index import (
    AUDIT_COMPONENT,
    LEVEL_COMPONENT,
    SHARED,
    StackIndex,
    azure_name,
    canonical,
    identity,
    is_prod_resource,
    scope_level,
    urn_stack,
    values_at,
)
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


def test_summary_level_ends_on_a_parent_chain_that_loops() -> None:
    """The engine never sends one, but a request could hold one: the walk ended only when memory
    did. Each resource is visited once, and the loop's members still get the level below them."""
    index = index_of(
        [
            Resource(urn="a", type="c:c:C", name="a", props={}, parent="b"),
            Resource(urn="b", type="c:c:C", name="b", props={}, parent="a"),
            Resource(urn="me", type="c:c:C", name="me", props={}, parent="me"),
            Resource(urn="l1", type=LEVEL_COMPONENT, name="l1", props={}, parent="a"),
            Resource(urn="x", type="t:t:T", name="x", props={}, parent="l1"),
        ]
    )
    levels: dict[str, str] = {}

    def summarise() -> None:
        for urn in ("a", "me"):
            levels[urn] = index.summary_level(index.get(urn))  # type: ignore[arg-type]

    walk = threading.Thread(target=summarise, daemon=True)
    walk.start()
    walk.join(timeout=30)
    assert not walk.is_alive(), "the walk of a looping parent chain did not end"
    assert levels == {"a": "1", "me": "unassigned"}


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
    # The disagreement is one problem, its rule's; every other rule sees what the dependency names.
    assert diag is not None and [t.name for t in index.targets(diag, "storageAccountId")] == ["a"]
    assert index.disputed(diag, "storageAccountId") and not index.disputed(diag, "workspaceId")
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
    assert diag is not None and [t.name for t in index.targets(diag, "storageAccountId")] == ["a"]
    assert index.disputed(diag, "storageAccountId")
    assert [p.message for p in index.reference_problems(diag)] == [
        "storageAccountId is 'sttvtprodl3', which is not an ARM id"
    ]


def test_an_unknown_value_with_no_dependency_fails_closed() -> None:
    # Nothing can say what it names: no value, and no dependency (or one on a resource of a type the
    # reference cannot name). One problem, by the reference's own rule, whatever the kind of value.
    index = index_of([account("a"), setting(UNKNOWN_STRING_VALUE)])
    diag = index.get("diag")
    assert diag is not None and index.targets(diag, "storageAccountId") == []
    assert [p.message for p in index.reference_problems(diag)] == [
        "cannot verify during preview: storageAccountId is unknown and not computed from a StorageAccount "
        "of this stack, so nothing shows what it names"
    ]
    lock = res("lock", type_="azure-native:authorization:ManagementLockAtResourceGroupLevel")
    index = index_of([account("a"), lock, setting(UNKNOWN_STRING_VALUE, "lock")])
    assert index.disputed(index.get("diag"), "storageAccountId")  # type: ignore[arg-type]
    grant = res(
        "grant",
        type_="azure-native:authorization:RoleAssignment",
        props={"principalId": UNKNOWN_STRING_VALUE, "scope": UNKNOWN_STRING_VALUE},
    )
    index = index_of([grant])
    problems = {p.reference.key: (p.reference.rule, p.message) for p in index.reference_problems(grant)}
    assert problems == {
        "principalId": (
            "identity-grant-scope",
            "cannot verify during preview: principalId is unknown and not computed from a "
            "UserAssignedIdentity of this stack, so nothing shows what it names",
        ),
        "scope": (
            "identity-grant-scope",
            "cannot verify during preview: scope is unknown and not computed from a resource of this "
            "stack, so nothing shows what it names",
        ),
    }


def test_a_missing_value_is_no_reference_and_no_problem() -> None:
    for missing in (None, ""):
        index = index_of([account("a"), setting(missing)])
        assert not index.reference_problems(index.get("diag"))  # type: ignore[arg-type]


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


# -- the index's parts, one behaviour each ---------------------------------------------------------

VAULT_TYPE = "azure-native:keyvault:Vault"


def test_scope_components_and_their_levels() -> None:
    assert scope_level(level_component("l2")) == "2"
    assert scope_level(level_component("level-2")) is None
    assert scope_level(Resource(urn="a", type=AUDIT_COMPONENT, name="audit", props={})) == SHARED
    assert scope_level(Resource(urn="c", type="tvt:network:Other", name="l1", props={})) is None


def test_of_type_lists_the_resources_of_one_type() -> None:
    a, b = account("a"), res("x")
    assert list(StackIndex([a, b]).of_type(a.type)) == [a]
    assert list(StackIndex([a]).of_type("t:none:None")) == []


def test_identity_is_what_a_value_must_equal() -> None:
    principal = res("p", props={"principalId": "0F7C3A52-7D0E-4C4E-9A8B-2D1F3E4A5B6C"})
    assert identity(principal, Kind.PRINCIPAL_ID) == "0f7c3a52-7d0e-4c4e-9a8b-2d1f3e4a5b6c"
    assert identity(res("q", props={"principalId": "someone"}), Kind.PRINCIPAL_ID) is None
    with_uri = res(
        "v",
        type_=VAULT_TYPE,
        props={"vaultName": "kv-a", "properties": {"vaultUri": "https://kv-b.vault.azure.net/"}},
    )
    assert identity(with_uri, Kind.VAULT_URI) == "https://kv-b.vault.azure.net/", "the output URI wins"
    named = res("v", type_=VAULT_TYPE, props={"vaultName": "KV-A"})
    assert identity(named, Kind.VAULT_URI) == "https://kv-a.vault.azure.net/"
    assert identity(named, Kind.NAME) == "kv-a"
    assert identity(res("v", type_=VAULT_TYPE, props={}), Kind.VAULT_URI) is None
    assert identity(account("a"), Kind.ARM_ID) == f"{ARM}/a".lower()
    assert identity(res("n", props={"id": "not an id"}), Kind.ARM_ID) is None


def test_azure_name_is_the_name_input_then_the_name_output() -> None:
    assert azure_name(res("v", type_=VAULT_TYPE, props={"vaultName": "kv-a", "name": "out"})) == "kv-a"
    assert (
        azure_name(res("v", type_=VAULT_TYPE, props={"vaultName": UNKNOWN_STRING_VALUE, "name": "out"}))
        == "out"
    )
    assert azure_name(res("t", props={"name": "plain"})) == "plain"
    assert azure_name(res("t", props={"name": ""})) == ""


def test_canonical_forms_of_each_kind() -> None:
    assert canonical(Kind.ARM_ID, f"{ARM}/A") == (f"{ARM}/a".lower(), "Microsoft.Storage/storageAccounts 'A'")
    assert canonical(Kind.VAULT_URI, "https://KV-A.vault.azure.net") == (
        "https://kv-a.vault.azure.net/",
        "vault 'kv-a'",
    )
    guid = "0f7c3a52-7d0e-4c4e-9a8b-2d1f3e4a5b6c"
    assert canonical(Kind.PRINCIPAL_ID, guid.upper()) == (guid, f"principal {guid}")
    assert canonical(Kind.NAME, "Cmk-L3") == ("cmk-l3", "'Cmk-L3'")
    for kind in Kind:
        assert canonical(kind, "") is None and canonical(kind, None) is None


def test_values_at_follows_paths_and_lists() -> None:
    every = Reference("assignableScopes", (EACH,), Kind.ARM_ID, None, "identity-role-allow-list")
    assert values_at({"assignableScopes": ["/a", "", None, "/b"]}, every) == ["/a", "/b"]
    assert values_at({"assignableScopes": UNKNOWN_STRING_VALUE}, every) == [UNKNOWN]
    nested = Reference("subnet", ("id",), Kind.ARM_ID, None, "network-private-endpoint")
    assert values_at({"subnet": {"id": "/s"}}, nested) == ["/s"]
    assert values_at({"subnet": {"id": UNKNOWN_STRING_VALUE}}, nested) == [UNKNOWN]
    assert values_at({"subnet": {}}, nested) == []


def test_a_resource_outside_the_index_is_resolved_on_its_own_and_records_nothing() -> None:
    index = index_of([account("a"), account("b")])
    agreeing = setting(f"{ARM}/a", "a")
    assert [t.name for t in index.targets(agreeing, "storageAccountId")] == ["a"]
    disagreeing = setting(f"{ARM}/b", "a")
    assert [t.name for t in index.targets(disagreeing, "storageAccountId")] == ["a"]
    assert (
        index.reference_problems(disagreeing) == []
        and index.problems_reported_by("audit-diagnostics-destination") == []
    )


def test_referrers_and_problems_filter_by_key_and_type() -> None:
    lock = res(
        "lock", type_="azure-native:authorization:ManagementLockAtResourceGroupLevel", storageAccountId=["a"]
    )
    index = index_of([account("a"), account("b"), setting(f"{ARM}/b", "a"), lock])
    target, diag = index.get("a"), index.get("diag")
    assert target is not None and diag is not None
    assert [r.name for r in index.referrers(target, "storageAccountId", DIAGNOSTIC_SETTING)] == ["diag"]
    assert {r.name for r in index.referrers(target, "storageAccountId")} == {"lock", "diag"}
    assert index.referrers(target, "workspaceId", DIAGNOSTIC_SETTING) == []
    assert len(index.reference_problems(diag, "storageAccountId")) == 1
    assert index.reference_problems(diag, "workspaceId") == []
    assert index.reference_problems(account("unindexed")) == []


def test_where_a_resource_outside_the_components_is_placed_decides_its_level() -> None:
    rg = "azure-native:resources:ResourceGroup"
    index = index_of(
        [
            level_component("l1"),
            level_component("l2"),
            res("thing", parent="l1"),
            res("rg2", type_=rg, parent="l2", props={"resourceGroupName": "rg2"}),
            res("rg1", type_=rg, parent="l1", props={"resourceGroupName": "rg1"}),
            # Its scope is level 1's, but it sits in level 2's group: the group decides.
            res("placed", None, scope=["thing"], resourceGroupName=["rg2"]),
            res("split", None, resourceGroupName=["rg1", "rg2"]),
        ]
    )
    assert index.level(index.get("placed")) == "2"  # type: ignore[arg-type]
    assert index.level(index.get("split")) is None, "placed in two levels' groups: no level"  # type: ignore[arg-type]


def test_a_level_from_the_next_candidate_and_from_a_parent_outside_the_components() -> None:
    index = index_of(
        [
            level_component("l1"),
            res("thing", parent="l1"),
            res("nowhere", None),
            res("second", None, alpha=["nowhere"], zeta=["thing"]),  # the first candidate has none
            res("holder", None, scope=["thing"]),
            res("child", None, parent="holder"),  # no reference: its parent's level
            res("dangling", None, scope=["gone"]),
        ]
    )
    assert index.level(index.get("second")) == "1"  # type: ignore[arg-type]
    assert index.level(index.get("child")) == "1"  # type: ignore[arg-type]
    assert index.level(index.get("dangling")) is None  # type: ignore[arg-type]


def test_parent_chains_that_loop_or_break_resolve_to_no_level() -> None:
    index = index_of(
        [res("a", None, parent="b"), res("b", None, parent="a"), res("c", None, parent="missing")]
    )
    assert index.home(index.get("a")) == (False, None)  # type: ignore[arg-type]
    assert index.level(index.get("a")) is None  # type: ignore[arg-type]
    assert index.home(index.get("c")) == (False, None)  # type: ignore[arg-type]


def test_a_resource_outside_the_index_takes_its_components_level() -> None:
    index = index_of([level_component("l1")])
    outsider = Resource(urn="new", type="t:t:T", name="new", props={}, parent="l1")
    assert index.home(outsider) == (True, "1") and index.level(outsider) == "1"


RG_ARM = "/subscriptions/s/resourceGroups"
ROLE_DEFINITION = "azure-native:authorization:RoleDefinition"


def group(name: str) -> Resource:
    return res(name, type_="azure-native:resources:ResourceGroup", props={"id": f"{RG_ARM}/{name}"})


def role(scopes: list[Any], *deps: str) -> Resource:
    kwargs = {"assignableScopes": list(deps)} if deps else {}
    return res("role", type_=ROLE_DEFINITION, props={"assignableScopes": scopes}, **kwargs)


def test_every_value_of_a_list_reference_is_resolved_and_judged() -> None:
    # By value: each of several values names its own target, none stops the others.
    index = index_of([group("a"), group("b"), role([f"{RG_ARM}/a", f"{RG_ARM}/b"])])
    assert sorted(t.name for t in index.targets(index.get("role"), "assignableScopes")) == ["a", "b"]  # type: ignore[arg-type]
    # Unknown, then known: the dependency answers the first, the value the second, together.
    index = index_of([group("a"), group("b"), role([UNKNOWN_STRING_VALUE, f"{RG_ARM}/b"], "a", "b")])
    assert sorted(t.name for t in index.targets(index.get("role"), "assignableScopes")) == ["a", "b"]  # type: ignore[arg-type]
    # Each value that names nothing is a problem of its own, on the resource that holds it.
    index = index_of([group("a"), role(["x", "y"], "a")])
    held = index.get("role")
    problems = index.reference_problems(held)  # type: ignore[arg-type]
    assert [p.message for p in problems] == [
        "assignableScopes[] is 'x', which is not an ARM id",
        "assignableScopes[] is 'y', which is not an ARM id",
    ]
    assert all(p.resource is held for p in problems)


def test_a_disagreement_is_a_problem_of_the_resource_that_holds_it() -> None:
    index = index_of([account("a"), account("b"), setting(f"{ARM}/b", "a")])
    diag = index.get("diag")
    (problem,) = index.reference_problems(diag)  # type: ignore[arg-type]
    assert problem.resource is diag and index.problems_reported_by("audit-diagnostics-destination") == [
        problem
    ]
    assert not index.disputed(index.get("a"), "storageAccountId")  # type: ignore[arg-type]
