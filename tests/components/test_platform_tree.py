"""The component tree, parents, logical names, tags, locations and Azure names of every run."""

from __future__ import annotations

import uuid

import pytest
from component_runs import (
    ACCOUNT,
    ACTIVITY_LOG,
    AMPLS,
    AMPLS_RESOURCE,
    AUDIT,
    BLOB_SERVICE,
    CONTAINER,
    DIAGNOSTIC,
    DNS_LINK,
    DNS_ZONE,
    ENDPOINT,
    IDENTITY,
    KEY,
    KEYVAULT,
    LEVEL,
    LEVEL_SCOPES,
    LOCK,
    NETWORK,
    NSG,
    PLATFORM,
    RETENTION,
    RG,
    ROLE_ASSIGNMENT,
    ROLE_DEFINITION,
    SCOPES,
    STORAGE,
    SUBNET,
    UNTAGGABLE,
    VAULT,
    VNET,
    WORKSPACE,
    ZONE_GROUP,
    Run,
)

from components import naming
from components.config.model import UK_REGIONS

# Which component declares each resource type (the CMK grant lives in KeyVault, data grants in storage).
DECLARED_IN = {
    RG: {AUDIT, LEVEL},
    LOCK: {AUDIT, LEVEL},
    NSG: {NETWORK},
    VNET: {NETWORK},
    SUBNET: {NETWORK},
    VAULT: {KEYVAULT},
    KEY: {KEYVAULT},
    IDENTITY: {KEYVAULT},
    ROLE_ASSIGNMENT: {KEYVAULT, STORAGE},
    ROLE_DEFINITION: {LEVEL},  # each level declares the custom roles its grants use
    ACCOUNT: {STORAGE},
    BLOB_SERVICE: {STORAGE},
    CONTAINER: {STORAGE},
    RETENTION: {STORAGE},
    ENDPOINT: {KEYVAULT, STORAGE, AUDIT},  # AUDIT: the private link scope's endpoint
    ZONE_GROUP: {KEYVAULT, STORAGE, AUDIT},
    DIAGNOSTIC: {NETWORK, KEYVAULT, STORAGE, AUDIT},
    WORKSPACE: {AUDIT},
    DNS_ZONE: {AUDIT},
    DNS_LINK: {AUDIT, LEVEL},  # each scope links its own network
    ACTIVITY_LOG: {AUDIT},
    AMPLS: {AUDIT},
    AMPLS_RESOURCE: {AUDIT},
}
COMPONENT_PARENT = {AUDIT: PLATFORM, LEVEL: PLATFORM, NETWORK: (AUDIT, LEVEL), KEYVAULT: (AUDIT, LEVEL)}

# Resource type -> (naming kind, input holding the Azure name), for naming.check.
AZURE_NAMES = {
    RG: (naming.Kind.RESOURCE_GROUP, "resourceGroupName"),
    ACCOUNT: (naming.Kind.STORAGE_ACCOUNT, "accountName"),
    VAULT: (naming.Kind.KEY_VAULT, "vaultName"),
    KEY: (naming.Kind.KEY, "keyName"),
    CONTAINER: (naming.Kind.CONTAINER, "containerName"),
    VNET: (naming.Kind.VIRTUAL_NETWORK, "virtualNetworkName"),
    SUBNET: (naming.Kind.SUBNET, "subnetName"),
    NSG: (naming.Kind.NSG, "networkSecurityGroupName"),
    IDENTITY: (naming.Kind.IDENTITY, "resourceName"),
    WORKSPACE: (naming.Kind.WORKSPACE, "workspaceName"),
    ENDPOINT: (naming.Kind.PRIVATE_ENDPOINT, "privateEndpointName"),
}


def test_component_tree(any_run: Run) -> None:
    components = {r.name: r for r in any_run.resources if not r.custom}
    tree = {
        name: (r.type, any_run.by_urn[r.parent].name if r.parent in any_run.by_urn else None)
        for name, r in components.items()
    }
    expected = {"tvt": (PLATFORM, None), "audit": (AUDIT, "tvt")}
    expected |= {
        "audit-network": (NETWORK, "audit"),
        "audit-keyvault": (KEYVAULT, "audit"),
        "audit-archive": (STORAGE, "audit"),
    }
    for scope in LEVEL_SCOPES:
        expected[scope] = (LEVEL, "tvt")
        expected |= {
            f"{scope}-network": (NETWORK, scope),
            f"{scope}-keyvault": (KEYVAULT, scope),
            f"{scope}-storage": (STORAGE, scope),
        }
    assert tree == expected, f"{any_run.label}: component tree differs"


def test_every_resource_is_a_child_of_the_component_that_declares_it(any_run: Run) -> None:
    for r in any_run.custom:
        parent = any_run.by_urn.get(r.parent)
        assert parent is not None, f"{any_run.label}: {r.name} ({r.type}) has no component parent"
        assert parent.type in DECLARED_IN[r.type], (
            f"{any_run.label}: {r.name} ({r.type}) is a child of {parent.type}"
        )


def test_every_resource_belongs_to_one_scope_and_is_named_after_it(any_run: Run) -> None:
    for r in any_run.resources:
        if r.type == PLATFORM:
            continue
        scope = any_run.scope_of(r)
        assert scope in SCOPES, f"{any_run.label}: {r.name} is in no scope"
        assert r.name == scope or r.name.startswith(f"{scope}-"), (
            f"{any_run.label}: {r.name} not prefixed {scope}-"
        )


def test_urns_are_unique(any_run: Run) -> None:
    urns = [r.urn for r in any_run.resources]
    assert len(urns) == len(set(urns)), f"{any_run.label}: duplicate URNs"


def test_tags_on_every_taggable_resource(any_run: Run) -> None:
    config = any_run.config
    for r in any_run.custom:
        if r.type in UNTAGGABLE:
            assert "tags" not in r.inputs, (
                f"{any_run.label}: {r.name} ({r.type}) is tagged but listed untaggable"
            )
            continue
        scope = any_run.scope_of(r)
        level = "shared" if scope == "audit" else scope.removeprefix("l")  # type: ignore[union-attr]
        expected = {
            "environment": config.environment.value,
            "data-level": level,
            "owner": config.owner,
            "classification": "OFFICIAL" if level == "1" else "OFFICIAL-SENSITIVE",
        }
        assert r.inputs.get("tags") == expected, (
            f"{any_run.label}: {r.name} ({r.type}) tags {r.inputs.get('tags')}"
        )


def test_every_location_is_uk_or_global(any_run: Run) -> None:
    for r in any_run.custom:
        if "location" not in r.inputs:
            continue
        expected = "global" if r.type in (DNS_ZONE, DNS_LINK, AMPLS) else any_run.config.location
        assert r.inputs["location"] == expected, f"{any_run.label}: {r.name} in {r.inputs['location']}"
        assert expected in (*UK_REGIONS, "global")


def test_regional_resources_all_declare_a_location(any_run: Run) -> None:
    located = {RG, NSG, VNET, VAULT, IDENTITY, ACCOUNT, ENDPOINT, WORKSPACE, DNS_ZONE, DNS_LINK}
    for r in any_run.custom:
        if r.type in located:
            assert "location" in r.inputs, f"{any_run.label}: {r.name} ({r.type}) has no location"


def test_azure_names_pass_naming_rules(any_run: Run) -> None:
    checked = 0
    for r in any_run.custom:
        if r.type in AZURE_NAMES:
            kind, key = AZURE_NAMES[r.type]
            problem = naming.check(kind, r.inputs[key])
            assert problem is None, f"{any_run.label}: {r.name}: {problem}"
            checked += 1
        if r.type == ROLE_ASSIGNMENT:
            name = r.inputs["roleAssignmentName"]
            assert str(uuid.UUID(name)) == name, f"{any_run.label}: {r.name} name {name} is not a GUID"
    assert checked > 50


@pytest.mark.parametrize("scope", SCOPES)
def test_scope_names_come_from_the_namer(model: Run, scope: str) -> None:
    namer = naming.Namer(model.config.stack, scope, model.config.subscription_id)
    assert model.one(scope, RG).inputs["resourceGroupName"] == namer.resource_group()
    assert model.one(scope, VNET).inputs["virtualNetworkName"] == namer.virtual_network()
    assert model.one(scope, NSG).inputs["networkSecurityGroupName"] == namer.nsg()
    assert model.one(scope, VAULT).inputs["vaultName"] == namer.key_vault()
    assert model.one(scope, ACCOUNT).inputs["accountName"] == namer.storage_account()
    assert model.one(scope, IDENTITY).inputs["resourceName"] == f"id-tvt-{model.config.stack}-{scope}-storage"
