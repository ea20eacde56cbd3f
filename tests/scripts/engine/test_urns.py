"""URNs are the engine's (``generateURN``), and aliases resolve as the engine resolves them."""

from __future__ import annotations

import pytest

from scripts.engine.urns import AliasSpec, alias_urn, new_urn, parse

STACK_URN = "urn:pulumi:prod::tvt-platform::pulumi:pulumi:Stack::tvt-platform-prod"


def engine_rule(parent_qualified: str | None, type_: str) -> str:
    """The rule from pkg/resource/deploy/deployment.go, restated: the parent's full qualified type
    (none for the root stack or no parent), a '$', then the child's type."""
    return type_ if parent_qualified in (None, "pulumi:pulumi:Stack") else f"{parent_qualified}${type_}"


def test_a_nested_chain_follows_the_engine_rule() -> None:
    chain = [
        ("tvt:platform:Platform", "tvt"),
        ("tvt:audit:AuditServices", "audit"),
        ("azure-native:resources:ResourceGroup", "audit-rg"),
    ]
    parent, qualified = STACK_URN, "pulumi:pulumi:Stack"
    for type_, name in chain:
        urn = new_urn("prod", "tvt-platform", parent, type_, name)
        qualified = engine_rule(qualified, type_)
        assert urn == f"urn:pulumi:prod::tvt-platform::{qualified}::{name}"
        parent = urn
    # The table: what the real engine writes for these two.
    assert new_urn("prod", "tvt-platform", STACK_URN, "tvt:platform:Platform", "tvt") == (
        "urn:pulumi:prod::tvt-platform::tvt:platform:Platform::tvt"
    )
    assert parent == (
        "urn:pulumi:prod::tvt-platform::tvt:platform:Platform$tvt:audit:AuditServices"
        "$azure-native:resources:ResourceGroup::audit-rg"
    )


def test_every_urn_in_the_example_plans_is_the_engines(stack_plans: dict[str, dict]) -> None:
    for stack, document in stack_plans.items():
        resources = document["deployment"]["resources"]
        by_urn = {r["urn"]: r for r in resources}
        for state in resources:
            parsed = parse(state["urn"])
            assert parsed is not None and (parsed.stack, parsed.project) == (stack, "tvt-platform")
            parent = by_urn.get(state.get("parent", ""))
            parent_qualified = parse(parent["urn"]).qualified_type if parent else None  # type: ignore[union-attr]
            assert parsed.qualified_type == engine_rule(parent_qualified, state["type"]), state["urn"]
            assert "pulumi:pulumi:Stack$" not in state["urn"], state["urn"]


def test_source_positions_are_in_the_engines_form(stack_plans: dict[str, dict]) -> None:
    """``project:///<path relative to the project root>#<line>`` (parseSourcePosition)."""
    for document in stack_plans.values():
        for state in document["deployment"]["resources"]:
            position = state.get("sourcePosition")
            if position:
                path, _, line = position.removeprefix("project:///").partition("#")
                assert position.startswith("project:///") and path.endswith(".py") and line.isdigit(), (
                    position
                )


PARENT = "urn:pulumi:prod::tvt-platform::tvt:platform:Platform$tvt:level:DataLevel::l1"
AUDIT = "urn:pulumi:prod::tvt-platform::tvt:platform:Platform$tvt:audit:AuditServices::audit"
LINK = "azure-native:privatedns:VirtualNetworkLink"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        # Renamed and re-parented: the old parent's full URN up to its name, then "$type::name".
        (
            AliasSpec(name="audit-dns-blob-link-l1", parent=AUDIT),
            "urn:pulumi:prod::tvt-platform::tvt:platform:Platform$tvt:audit:AuditServices"
            f"${LINK}::audit-dns-blob-link-l1",
        ),
        # A type alias with the current parent (parentUrn empty): only the type changes.
        (
            AliasSpec(type="azure-native:network:VirtualNetworkLink"),
            "urn:pulumi:prod::tvt-platform::tvt:platform:Platform$tvt:level:DataLevel"
            "$azure-native:network:VirtualNetworkLink::l1-dns-blob-link",
        ),
        # No parent, or the root stack as parent: the type stands alone.
        (AliasSpec(no_parent=True), f"urn:pulumi:prod::tvt-platform::{LINK}::l1-dns-blob-link"),
        (AliasSpec(parent=STACK_URN), f"urn:pulumi:prod::tvt-platform::{LINK}::l1-dns-blob-link"),
        # Another stack and project, no parent.
        (
            AliasSpec(stack="old", project="p", no_parent=True),
            f"urn:pulumi:old::p::{LINK}::l1-dns-blob-link",
        ),
        (AliasSpec(urn="urn:pulumi:x::y::t:t:T::n"), "urn:pulumi:x::y::t:t:T::n"),
    ],
)
def test_alias_specs_collapse_as_the_engine_does(spec: AliasSpec, expected: str) -> None:
    got = alias_urn(
        spec, stack="prod", project="tvt-platform", parent=PARENT, type_=LINK, name="l1-dns-blob-link"
    )
    assert got == expected
