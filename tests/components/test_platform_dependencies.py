"""Ordering that Azure needs and that policies trace: dependencies and property dependencies."""

from __future__ import annotations

import pytest
from component_runs import (
    ACCOUNT,
    ACTIVITY_LOG,
    BLOB_SERVICE,
    CONTAINER,
    DIAGNOSTIC,
    IDENTITY,
    KEY,
    LOCK,
    RG,
    ROLE_ASSIGNMENT,
    SCOPES,
    UNTAGGABLE,
    WORKSPACE,
    Run,
)

# Inputs that lead from a resource to the one it lives in or acts on (the contract's level chain).
CHAIN_INPUTS = (
    "resourceGroupName",
    "scope",
    "resourceUri",
    "accountName",
    "vaultName",
    "privateEndpointName",
    "privateZoneName",
    "workspaceId",
)


@pytest.mark.parametrize("scope", SCOPES)
def test_storage_account_waits_for_the_key_grant_and_identity(model: Run, scope: str) -> None:
    account = model.one(scope, ACCOUNT)
    identity = model.one(scope, IDENTITY)
    grant = model.one(scope, ROLE_ASSIGNMENT, lambda r: r.inputs["principalType"] == "ServicePrincipal")
    assert grant.urn in account.dependencies, f"{model.label}: {account.name} does not depend on {grant.name}"
    assert identity.urn in account.dependencies, (
        f"{model.label}: {account.name} does not depend on {identity.name}"
    )
    assert model.depends_on(account, "identity", identity)
    assert model.depends_on(account, "encryption", identity)
    assert model.depends_on(account, "encryption", model.one(scope, KEY))


@pytest.mark.parametrize("scope", SCOPES)
def test_key_grant_is_scoped_through_the_key(model: Run, scope: str) -> None:
    grant = model.one(scope, ROLE_ASSIGNMENT, lambda r: r.inputs["principalType"] == "ServicePrincipal")
    assert grant.property_dependencies["scope"] == (model.one(scope, KEY).urn,)
    assert grant.property_dependencies["principalId"] == (model.one(scope, IDENTITY).urn,)


def test_diagnostic_settings_depend_on_their_target(any_run: Run) -> None:
    for setting in any_run.capture.by_type(DIAGNOSTIC):
        (target,) = setting.property_dependencies["resourceUri"]
        assert setting.inputs["resourceUri"] == any_run.by_urn[target].outputs["id"], setting.name
        assert setting.name == f"{any_run.by_urn[target].name}-diag"


def test_locks_depend_on_their_resource_group(any_run: Run) -> None:
    for lock in any_run.capture.by_type(LOCK):
        (rg,) = lock.property_dependencies["resourceGroupName"]
        assert any_run.by_urn[rg].type == RG
        assert any_run.scope_of(any_run.by_urn[rg]) == any_run.scope_of(lock), lock.name


def test_every_untagged_resource_leads_to_a_tagged_one(any_run: Run) -> None:
    """Policies work out an untagged resource's level by following these inputs to a tagged resource."""
    for r in any_run.custom:
        seen, current = set(), r
        while current.type in UNTAGGABLE:
            assert current.urn not in seen, f"{any_run.label}: dependency cycle at {current.name}"
            seen.add(current.urn)
            chain = [urn for key in CHAIN_INPUTS for urn in current.property_dependencies.get(key, ())]
            assert chain, f"{any_run.label}: {current.name} ({current.type}) leads to no tagged resource"
            current = any_run.by_urn[chain[0]]
        assert "tags" in current.inputs, f"{any_run.label}: {r.name} leads to untagged {current.name}"


def test_every_resource_in_a_scope_depends_on_its_resource_group(any_run: Run) -> None:
    for r in any_run.custom:
        if "resourceGroupName" not in r.inputs or r.type == RG:
            continue
        deps = r.property_dependencies.get("resourceGroupName", ())
        assert len(deps) == 1, f"{any_run.label}: {r.name} does not depend on its resource group"
        rg = any_run.by_urn[deps[0]]
        assert rg.type == RG and r.inputs["resourceGroupName"] == rg.inputs["resourceGroupName"], r.name


@pytest.mark.parametrize("scope", SCOPES)
def test_blob_service_and_containers_belong_to_their_scope_account(model: Run, scope: str) -> None:
    account = model.one(scope, ACCOUNT)
    service = model.one(scope, BLOB_SERVICE)
    assert model.depends_on(service, "accountName", account)
    for container in model.in_scope(scope, CONTAINER):
        assert model.depends_on(container, "accountName", account), container.name
        # Soft delete (and, for the archive, versioning) is on before a container can take data.
        assert service.urn in container.dependencies, container.name


def test_activity_log_goes_to_the_audit_workspace(model: Run) -> None:
    setting = model.one("audit", ACTIVITY_LOG)
    assert model.depends_on(setting, "workspaceId", model.one("audit", WORKSPACE))
