"""Every component has the same interface shapes, owns what it creates, and the stack exports ids."""

from __future__ import annotations

import datetime as dt

import pulumi
import pytest
from component_runs import (
    AUDIT,
    DNS_LINK,
    KEYVAULT,
    LEVEL,
    MAIN,
    NETWORK,
    ROLE_ASSIGNMENT,
    STORAGE,
    Run,
    Runs,
)
from pulumi_azure_native import resources

from components.access import RoleAssignmentSpec
from components.config.load import read_stack_file, stack_file
from components.diagnostics import Diagnostics
from components.keyvault import KeyVault, KeyVaultArgs
from components.naming import Namer
from components.network import private_endpoint_specs
from components.placement import Placement
from components.roles import CRYPTO_SERVICE_ENCRYPTION_USER
from scripts.engine.capture import run_program
from tests.conftest import SUBSCRIPTION, TODAY

BUILDING_BLOCKS = (NETWORK, KEYVAULT, STORAGE)


def test_building_blocks_register_the_same_output_names(any_run: Run) -> None:
    """As Azure Verified Modules do: every block says ``resourceId`` and ``name`` of what it is."""
    capture = any_run.capture
    blocks = [r for r in capture.resources if r.type in BUILDING_BLOCKS]
    assert blocks
    for block in blocks:
        outputs = capture.registered_outputs[block.urn]
        assert {"resourceId", "name"} <= set(outputs), f"{block.name}: registers {sorted(outputs)}"


def test_every_component_owns_what_it_creates(monkeypatch: pytest.MonkeyPatch) -> None:
    """No component gets children after it registered its outputs: once finished, it stays finished.

    Registrations reach the monitor asynchronously, so the order is taken where the program runs:
    each resource's construction and each ``register_outputs`` call, in the order Python makes them.
    """
    events: list[tuple[str, str, object]] = []  # ("new", name, parent) | ("done", name, component)
    real_init, real_register = pulumi.Resource.__init__, pulumi.ComponentResource.register_outputs

    def init(
        self: pulumi.Resource,
        t: str,
        name: str,
        custom: bool,
        props: object = None,
        opts: pulumi.ResourceOptions | None = None,
        *args: object,
        **kwargs: object,
    ) -> None:
        events.append(("new", name, opts.parent if opts else None))
        real_init(self, t, name, custom, props, opts, *args, **kwargs)  # type: ignore[arg-type]

    def register(self: pulumi.ComponentResource, outputs: object) -> None:
        events.append(("done", self._name, self))
        real_register(self, outputs)  # type: ignore[arg-type]

    monkeypatch.setattr(pulumi.Resource, "__init__", init)
    monkeypatch.setattr(pulumi.ComponentResource, "register_outputs", register)
    config = read_stack_file(stack_file("prod"))
    with monkeypatch.context() as m:
        m.setenv("TVT_TODAY", TODAY)
        run_program(MAIN, stack="prod", config=config, subscription_id=SUBSCRIPTION)
    finished: dict[int, str] = {}
    late = []
    for kind, name, obj in events:
        if kind == "done":
            finished[id(obj)] = name
        elif obj is not None and id(obj) in finished:
            late.append(f"{name} (under {finished[id(obj)]})")
    assert any(kind == "done" for kind, _, _ in events), "no component registered outputs?"
    assert not late, f"children created after their component registered its outputs: {late}"


def test_a_level_links_its_own_network_to_the_shared_zones(any_run: Run) -> None:
    capture = any_run.capture
    by_urn = capture.by_urn()
    links = capture.by_type(DNS_LINK)
    assert links
    for link in links:
        parent = by_urn[link.parent]
        assert parent.type in (LEVEL, AUDIT), link.name
        assert link.name.startswith(f"{parent.name}-dns-"), f"{link.name} is owned by {parent.name}"
        # The links were once the audit services' children, named for the scope: an alias keeps them.
        audit = next(r for r in capture.resources if r.type == AUDIT)
        scope = "audit" if parent.type == AUDIT else parent.name
        zone = link.name.split("-dns-")[1].removesuffix("-link")
        old = f"{audit.urn.rsplit('::', 1)[0]}${DNS_LINK}::audit-dns-{zone}-link-{scope}"
        assert old in link.aliases, f"{link.name}: {old} not among its aliases {link.aliases}"


@pytest.mark.parametrize("stack", ["dev", "test", "prod"])
def test_the_stack_exports_names_and_ids_per_level(runs: Runs, stack: str) -> None:
    capture = runs.main(stack).capture
    stack_outputs = next(o for urn, o in capture.registered_outputs.items() if "pulumi:Stack" in urn)
    assert {"auditWorkspaceId", "auditArchiveAccountId"} <= set(stack_outputs)
    for level in ("l1", "l2", "l3"):
        for key in ("StorageAccountId", "StorageAccountName", "KeyVaultId", "KeyVaultName"):
            assert f"{level}{key}" in stack_outputs, f"{level}{key} is not exported"


def _args(assignments: tuple[RoleAssignmentSpec, ...]) -> KeyVaultArgs:
    tags = {
        "environment": "dev",
        "data-level": "1",
        "owner": "tvt-platform-team",
        "classification": "OFFICIAL",
    }
    place = Placement(Namer("dev", "l1", SUBSCRIPTION), "rg-tvt-dev-l1", "uksouth", tags)
    tenant = "00000000-0000-4000-8000-200000000042"
    endpoints = private_endpoint_specs("subnet-id", {"vault": "zone-id"}, ("vault",))
    return KeyVaultArgs(
        place,
        tenant,
        Diagnostics(workspace_id="ws"),
        endpoints,
        dt.date(2027, 12, 31),
        role_assignments=assignments,
    )


OFFICERS = RoleAssignmentSpec(
    name="key-officers",
    role=CRYPTO_SERVICE_ENCRYPTION_USER,
    principal_id="00000000-0000-4000-8000-000000000b01",
    principal_key="00000000-0000-4000-8000-000000000b01",
    description="TVT grant: key officers on the level-1 vault.",
)


def test_key_vault_takes_role_assignments_on_the_vault() -> None:
    def program() -> None:
        resources.ResourceGroup("rg", resource_group_name="rg-tvt-dev-l1", location="uksouth")
        KeyVault("kv", _args((OFFICERS,)))

    capture = run_program(program, stack="dev", config={}, subscription_id=SUBSCRIPTION)
    vault = next(r for r in capture.resources if r.type == "azure-native:keyvault:Vault")
    grants = [r for r in capture.by_type(ROLE_ASSIGNMENT) if r.name == "kv-grant-key-officers"]
    assert len(grants) == 1
    assert grants[0].property_dependencies["scope"] == (vault.urn,)


def test_key_vault_refuses_container_scoped_or_duplicate_grants() -> None:
    from dataclasses import replace

    with pytest.raises(ValueError, match="name a container"):
        _args((replace(OFFICERS, container="landing"),))
    with pytest.raises(ValueError, match="not unique"):
        _args((OFFICERS, OFFICERS))
