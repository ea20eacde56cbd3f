"""Each scope's resources and their key properties, exactly as the resource contract states them."""

from __future__ import annotations

import datetime as dt

import pytest
from component_runs import (
    ACCOUNT,
    ACTIVITY_LOG,
    AMPLS,
    AMPLS_RESOURCE,
    BLOB_SERVICE,
    CONTAINER,
    DIAGNOSTIC,
    DNS_LINK,
    DNS_ZONE,
    ENDPOINT,
    IDENTITY,
    KEY,
    LEVEL_SCOPES,
    LOCK,
    NSG,
    RG,
    ROLE_ASSIGNMENT,
    SCOPES,
    SUBNET,
    SUBSCRIPTION,
    TENANT,
    VAULT,
    VNET,
    WORKSPACE,
    ZONE_GROUP,
    Run,
)

from components import naming

HSM_SCOPES = ("audit", "l3")
AZURE_MONITOR = "azuremonitor"
AZURE_MONITOR_ZONES = (
    "privatelink.agentsvc.azure-automation.net",
    "privatelink.blob.core.windows.net",
    "privatelink.monitor.azure.com",
    "privatelink.ods.opinsights.azure.com",
    "privatelink.oms.opinsights.azure.com",
)
CRYPTO_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6"


def level_of(scope: str) -> int:
    return int(scope.removeprefix("l"))


def zones_of(run: Run, scope: str) -> tuple[str, ...]:
    return ("audit-archive",) if scope == "audit" else run.config.level(level_of(scope)).zones


def network_config(run: Run, scope: str) -> tuple[str, str]:
    c = run.config.audit if scope == "audit" else run.config.level(level_of(scope))
    return c.address_space, c.private_endpoint_subnet


@pytest.mark.parametrize("scope", SCOPES)
def test_resource_counts_per_scope(model: Run, scope: str) -> None:
    grants = 0 if scope == "audit" else sum(g.level == level_of(scope) for g in model.config.grants)
    expected = {
        RG: 1,
        NSG: 1,
        VNET: 1,
        SUBNET: 1,
        VAULT: 1,
        KEY: 1,
        IDENTITY: 1,
        ROLE_ASSIGNMENT: 1 + grants,
        ACCOUNT: 1,
        BLOB_SERVICE: 1,
        CONTAINER: len(zones_of(model, scope)),
        ENDPOINT: 3,  # audit: vault, blob, azuremonitor; levels: vault, blob, dfs
        ZONE_GROUP: 3,
        DIAGNOSTIC: 6 if scope == "audit" else 5,
        LOCK: 1 if model.is_prod else 0,
        WORKSPACE: 1 if scope == "audit" else 0,
        DNS_ZONE: 7 if scope == "audit" else 0,
        DNS_LINK: 7,  # each scope links its own network to the seven shared zones
        AMPLS: 1 if scope == "audit" else 0,
        AMPLS_RESOURCE: 1 if scope == "audit" else 0,
        ACTIVITY_LOG: 1 if scope == "audit" else 0,
    }
    counts = {t: len(model.in_scope(scope, t)) for t in expected}
    assert counts == expected, f"{model.label}: {scope} resource counts"


@pytest.mark.parametrize("scope", SCOPES)
def test_resource_group(model: Run, scope: str) -> None:
    rg = model.one(scope, RG)
    assert rg.inputs["resourceGroupName"] == f"rg-tvt-{model.config.stack}-{scope}"
    assert rg.inputs["location"] == model.config.location


@pytest.mark.parametrize("scope", SCOPES)
def test_network(model: Run, scope: str) -> None:
    space, subnet_prefix = network_config(model, scope)
    nsg = model.one(scope, NSG)
    deny = [
        rule
        for rule in nsg.inputs["securityRules"]
        if rule["direction"] == "Inbound"
        and rule["access"] == "Deny"
        and rule["sourceAddressPrefix"] == "Internet"
        and rule["protocol"] == "*"
        and rule["destinationAddressPrefix"] == "*"
        and rule["destinationPortRange"] == "*"
    ]
    assert len(deny) == 1, f"{model.label}: {nsg.name} has no deny-internet-inbound rule"

    vnet = model.one(scope, VNET)
    assert vnet.inputs["addressSpace"] == {"addressPrefixes": [space]}
    assert "subnets" not in vnet.inputs, f"{model.label}: {vnet.name} declares inline subnets"

    subnet = model.one(scope, SUBNET)
    assert subnet.inputs["virtualNetworkName"] == vnet.inputs["virtualNetworkName"]
    assert subnet.inputs["addressPrefix"] == subnet_prefix
    assert subnet.inputs["privateEndpointNetworkPolicies"] == "Enabled"
    assert subnet.inputs["defaultOutboundAccess"] is False
    assert subnet.inputs["networkSecurityGroup"]["id"].endswith(
        f"/networkSecurityGroups/{nsg.inputs['networkSecurityGroupName']}"
    )
    assert model.depends_on(subnet, "networkSecurityGroup", nsg)


@pytest.mark.parametrize("scope", SCOPES)
def test_key_vault(model: Run, scope: str) -> None:
    vault = model.one(scope, VAULT)
    props = vault.inputs["properties"]
    assert props["tenantId"] == TENANT
    assert props["sku"] == {"family": "A", "name": "premium" if scope in HSM_SCOPES else "standard"}
    assert props["enableRbacAuthorization"] is True
    assert props["enablePurgeProtection"] is True
    assert props["enableSoftDelete"] is True
    assert props["softDeleteRetentionInDays"] == (90 if model.is_prod else 7)
    assert props["publicNetworkAccess"] == "Disabled"
    assert props["networkAcls"] == {"defaultAction": "Deny", "bypass": "AzureServices"}
    assert "accessPolicies" not in props
    assert vault.inputs["location"] == model.config.location


@pytest.mark.parametrize("scope", SCOPES)
def test_customer_managed_key(model: Run, scope: str) -> None:
    vault, key = model.one(scope, VAULT), model.one(scope, KEY)
    assert key.inputs["vaultName"] == vault.inputs["vaultName"]
    assert key.inputs["keyName"] == f"cmk-tvt-{model.config.stack}-{scope}-storage"
    assert key.inputs["properties"] == {
        "kty": "RSA-HSM" if scope in HSM_SCOPES else "RSA",
        "keySize": 3072,
        "keyOps": ["wrapKey", "unwrapKey"],
        # The first version expires at 00:00 UTC of the configured day (Key Vault's "exp", seconds).
        "attributes": {
            "enabled": True,
            "exportable": False,
            "expires": int(
                dt.datetime.combine(model.config.keys.first_version_expires, dt.time(), dt.UTC).timestamp()
            ),
        },
        # Rotation comes 60 days before any version's expiry; the notice (30 days) only if it did not.
        "rotationPolicy": {
            "attributes": {"expiryTime": "P13M"},
            "lifetimeActions": [
                {"action": {"type": "rotate"}, "trigger": {"timeBeforeExpiry": "P60D"}},
                {"action": {"type": "notify"}, "trigger": {"timeBeforeExpiry": "P30D"}},
            ],
        },
    }


@pytest.mark.parametrize("scope", SCOPES)
def test_identity_and_its_grant_on_the_key(model: Run, scope: str) -> None:
    identity = model.one(scope, IDENTITY)
    assert identity.inputs["resourceName"] == f"id-tvt-{model.config.stack}-{scope}-storage"
    key = model.one(scope, KEY)
    grant = model.one(scope, ROLE_ASSIGNMENT, lambda r: r.inputs["principalType"] == "ServicePrincipal")
    assert grant.inputs["scope"] == key.outputs["id"]
    assert grant.inputs["principalId"] == identity.outputs["principalId"]
    assert grant.inputs["roleDefinitionId"] == (
        f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/{CRYPTO_USER}"
    )
    assert str(grant.inputs["roleAssignmentName"]).count("-") == 4


@pytest.mark.parametrize("scope", SCOPES)
def test_storage_account(model: Run, scope: str) -> None:
    account = model.one(scope, ACCOUNT)
    identity, key, vault = model.one(scope, IDENTITY), model.one(scope, KEY), model.one(scope, VAULT)
    archive = scope == "audit"
    i = account.inputs
    assert i["kind"] == "StorageV2"
    assert i["sku"] == {"name": "Standard_GRS" if model.config.location == "ukwest" else "Standard_GZRS"}
    assert i["isHnsEnabled"] is (not archive)
    assert i["identity"] == {"type": "UserAssigned", "userAssignedIdentities": [identity.outputs["id"]]}
    assert i["encryption"] == {
        "keySource": "Microsoft.Keyvault",
        "requireInfrastructureEncryption": True,
        "keyVaultProperties": {
            "keyName": key.inputs["keyName"],
            "keyVaultUri": vault.outputs["properties"]["vaultUri"],
        },
        # The SDK's names for the contract's identity.userAssignedIdentity (same ARM property).
        "encryptionIdentity": {"encryptionUserAssignedIdentity": identity.outputs["id"]},
        "services": {
            "blob": {"enabled": True, "keyType": "Account"},
            "file": {"enabled": True, "keyType": "Account"},
            "queue": {"enabled": True, "keyType": "Account"},
            "table": {"enabled": True, "keyType": "Account"},
        },
    }
    assert i["minimumTlsVersion"] == "TLS1_2"
    assert i["enableHttpsTrafficOnly"] is True
    assert i["allowBlobPublicAccess"] is False
    assert i["allowSharedKeyAccess"] is False
    assert i["defaultToOAuthAuthentication"] is True
    # The archive: Azure honours the trusted-services exception (Azure Monitor writing logs) only
    # with public access enabled from selected networks; its firewall admits no address.
    assert i["publicNetworkAccess"] == ("Enabled" if archive else "Disabled")
    assert i["allowCrossTenantReplication"] is False
    assert i["networkRuleSet"] == {"defaultAction": "Deny", "bypass": "AzureServices" if archive else "None"}
    if archive:
        assert i["immutableStorageWithVersioning"] == {
            "enabled": True,
            "immutabilityPolicy": {
                "immutabilityPeriodSinceCreationInDays": model.config.audit.archive_retention_days,
                "state": "Locked" if model.config.audit.archive_immutability_locked else "Unlocked",
                "allowProtectedAppendWrites": True,
            },
        }
    else:
        assert "immutableStorageWithVersioning" not in i


@pytest.mark.parametrize("scope", SCOPES)
def test_blob_service_and_containers(model: Run, scope: str) -> None:
    account = model.one(scope, ACCOUNT)
    service = model.one(scope, BLOB_SERVICE)
    days = 30 if model.is_prod else 7
    assert service.inputs["accountName"] == account.inputs["accountName"]
    assert service.inputs["blobServicesName"] == "default"
    assert service.inputs["deleteRetentionPolicy"] == {"enabled": True, "days": days}
    assert service.inputs["containerDeleteRetentionPolicy"] == {"enabled": True, "days": days}
    assert service.inputs.get("isVersioningEnabled") is (True if scope == "audit" else None)

    containers = {c.inputs["containerName"]: c for c in model.in_scope(scope, CONTAINER)}
    assert sorted(containers) == sorted(zones_of(model, scope))
    for name, c in containers.items():
        assert c.inputs["accountName"] == account.inputs["accountName"], name
        assert c.inputs["publicAccess"] == "None", name
        if scope == "audit":
            assert c.inputs["immutableStorageWithVersioning"] == {"enabled": True}, name
        else:
            assert "immutableStorageWithVersioning" not in c.inputs, name


@pytest.mark.parametrize("scope", SCOPES)
def test_private_endpoints_and_dns_zone_groups(model: Run, scope: str) -> None:
    subnet, vault, account = model.one(scope, SUBNET), model.one(scope, VAULT), model.one(scope, ACCOUNT)
    zones = {z.inputs["privateZoneName"]: z for z in model.in_scope("audit", DNS_ZONE)}
    expected = {("vault", vault.urn)} | {
        (g, account.urn) for g in (("blob",) if scope == "audit" else ("blob", "dfs"))
    }
    endpoints = model.in_scope(scope, ENDPOINT)
    seen = set()
    for pe in endpoints:
        (connection,) = pe.inputs["privateLinkServiceConnections"]
        (group,) = connection["groupIds"]
        if group == AZURE_MONITOR:
            continue  # the private link scope's endpoint: test_private_link_scope_endpoint
        (target,) = pe.property_dependencies["privateLinkServiceConnections"]
        seen.add((group, target))
        assert pe.inputs["subnet"] == {"id": subnet.outputs["id"]}, pe.name
        assert model.depends_on(pe, "subnet", subnet), pe.name
        assert connection["name"] and connection["privateLinkServiceId"] == model.by_urn[target].outputs["id"]
        naming_target = vault.inputs["vaultName"] if group == "vault" else account.inputs["accountName"]
        assert pe.inputs["privateEndpointName"] == f"pe-{naming_target}-{group}"

        zone_name = {"vault": "privatelink.vaultcore.azure.net"}.get(
            group, f"privatelink.{group}.core.windows.net"
        )
        (zone_group,) = [
            g
            for g in model.in_scope(scope, ZONE_GROUP)
            if g.inputs["privateEndpointName"] == pe.inputs["privateEndpointName"]
        ]
        (config,) = zone_group.inputs["privateDnsZoneConfigs"]
        assert config["name"] and config["privateDnsZoneId"] == zones[zone_name].outputs["id"], (
            zone_group.name
        )
        assert model.depends_on(zone_group, "privateEndpointName", pe)
    assert seen == expected, f"{model.label}: {scope} private endpoints"


def test_workspace(model: Run) -> None:
    ws = model.one("audit", WORKSPACE)
    assert ws.inputs["workspaceName"] == f"log-tvt-{model.config.stack}-audit"
    assert ws.inputs["sku"] == {"name": "PerGB2018"}
    assert ws.inputs["retentionInDays"] == model.config.audit.log_retention_days
    assert ws.inputs["publicNetworkAccessForIngestion"] == "Disabled"
    assert ws.inputs["publicNetworkAccessForQuery"] == "Disabled"
    assert ws.inputs["features"] == {
        "disableLocalAuth": True,
        "enableLogAccessUsingOnlyResourcePermissions": True,
    }


def test_private_dns_zones_are_linked_to_every_network(model: Run) -> None:
    zones = model.in_scope("audit", DNS_ZONE)
    assert sorted(z.inputs["privateZoneName"] for z in zones) == sorted(
        [*AZURE_MONITOR_ZONES, "privatelink.dfs.core.windows.net", "privatelink.vaultcore.azure.net"]
    )
    vnets = {s: model.one(s, VNET) for s in SCOPES}
    links = model.capture.by_type(DNS_LINK)
    pairs = set()
    for link in links:
        (zone_urn,) = link.property_dependencies["privateZoneName"]
        (vnet_urn,) = link.property_dependencies["virtualNetwork"]
        pairs.add((zone_urn, vnet_urn))
        assert link.inputs["registrationEnabled"] is False, link.name
        assert link.inputs["virtualNetwork"] == {"id": model.by_urn[vnet_urn].outputs["id"]}, link.name
    assert pairs == {(z.urn, v.urn) for z in zones for v in vnets.values()}


def test_private_link_scope(model: Run) -> None:
    ampls = model.one("audit", AMPLS)
    stack = model.config.stack
    assert ampls.inputs["scopeName"] == f"ampls-tvt-{stack}"
    assert ampls.inputs["location"] == "global"
    assert ampls.inputs["tags"]["data-level"] == "shared"
    assert ampls.inputs["accessModeSettings"] == {
        "queryAccessMode": "PrivateOnly",
        "ingestionAccessMode": "PrivateOnly",
    }
    assert ampls.outputs["id"].endswith(f"/providers/Microsoft.Insights/privateLinkScopes/ampls-tvt-{stack}")


def test_private_link_scope_links_the_workspace(model: Run) -> None:
    ampls, workspace = model.one("audit", AMPLS), model.one("audit", WORKSPACE)
    scoped = model.one("audit", AMPLS_RESOURCE)
    assert scoped.inputs["linkedResourceId"] == workspace.outputs["id"]
    assert model.depends_on(scoped, "linkedResourceId", workspace), scoped.name
    assert model.depends_on(scoped, "scopeName", ampls), scoped.name
    assert scoped.inputs["scopeName"] == ampls.inputs["scopeName"]


def test_private_link_scope_endpoint(model: Run) -> None:
    ampls, subnet = model.one("audit", AMPLS), model.one("audit", SUBNET)
    (pe,) = [
        e
        for e in model.in_scope("audit", ENDPOINT)
        if e.inputs["privateLinkServiceConnections"][0]["groupIds"] == [AZURE_MONITOR]
    ]
    (connection,) = pe.inputs["privateLinkServiceConnections"]
    assert connection["privateLinkServiceId"] == ampls.outputs["id"]
    assert model.depends_on(pe, "privateLinkServiceConnections", ampls), pe.name
    assert model.depends_on(pe, "subnet", subnet), pe.name
    assert pe.inputs["privateEndpointName"] == f"pe-ampls-tvt-{model.config.stack}-{AZURE_MONITOR}"
    assert pe.inputs["location"] == model.config.location
    zones = {z.urn: z.inputs["privateZoneName"] for z in model.in_scope("audit", DNS_ZONE)}
    (zone_group,) = [
        g
        for g in model.in_scope("audit", ZONE_GROUP)
        if g.inputs["privateEndpointName"] == pe.inputs["privateEndpointName"]
    ]
    assert model.depends_on(zone_group, "privateEndpointName", pe)
    configured = sorted(zones[u] for u in zone_group.property_dependencies["privateDnsZoneConfigs"])
    assert configured == sorted(AZURE_MONITOR_ZONES), zone_group.name
    assert len(zone_group.inputs["privateDnsZoneConfigs"]) == len(AZURE_MONITOR_ZONES)


def test_activity_log_export(model: Run) -> None:
    setting = model.one("audit", ACTIVITY_LOG)
    workspace, archive = model.one("audit", WORKSPACE), model.one("audit", ACCOUNT)
    assert setting.inputs["name"] == "diag-tvt-activity-log"
    assert setting.inputs["workspaceId"] == workspace.outputs["id"]
    assert setting.inputs["storageAccountId"] == archive.outputs["id"]
    assert setting.inputs["logs"] == [
        {"category": c, "enabled": True}
        for c in (
            "Administrative",
            "Security",
            "ServiceHealth",
            "Alert",
            "Recommendation",
            "Policy",
            "Autoscale",
            "ResourceHealth",
        )
    ]
    assert model.depends_on(setting, "storageAccountId", archive)


@pytest.mark.parametrize("scope", LEVEL_SCOPES)
def test_level_storage_is_named_for_its_scope(model: Run, scope: str) -> None:
    namer = naming.Namer(model.config.stack, scope, model.config.subscription_id)
    assert model.one(scope, ACCOUNT).inputs["accountName"] == namer.storage_account()
