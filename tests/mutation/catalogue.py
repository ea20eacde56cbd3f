"""The catalogue of security-relevant mutations of a compliant plan, each with the rule that must catch it.

A mutation edits a plan document (Pulumi's stack export, as ``tvt plan`` writes it) the way an
attacker or a careless change would: a value that names another resource while its property
dependency is kept, a change to what is requested (inputs) while the outputs still look compliant,
a widened scope, a rewritten ABAC condition, a relabelled level, and others. Resources are found
by type and by the level that declares them, read from the plan's parent chain, never by a
hard-coded URN. A mutation returns False where it does not apply to a stack (prod-only resources).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from policies.catalog import (
    BLOB_CONTAINER,
    BLOB_SERVICE,
    DIAGNOSTIC_SETTING,
    IDENTITY,
    IMMUTABILITY_POLICY,
    KEY,
    NSG,
    PRIVATE_DNS_ZONE_GROUP,
    PRIVATE_ENDPOINT,
    RESOURCE_GROUP,
    RG_LOCK,
    ROLE_ASSIGNMENT,
    ROLE_DEFINITION,
    STORAGE_ACCOUNT,
    SUBNET,
    SUBSCRIPTION_DIAGNOSTIC_SETTING,
    VAULT,
    VIRTUAL_NETWORK,
    VIRTUAL_NETWORK_LINK,
    WORKSPACE,
)

State = dict[str, Any]
BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs"
ELSEWHERE = "/subscriptions/99999999-9999-4999-8999-999999999999/resourceGroups/rg-elsewhere/providers"
LEVEL_COMPONENT = "tvt:level:DataLevel"
READERS = ("reader", "contributor")  # the TVT roles that read; a stack may grant either at level 3
AUDIT_COMPONENT = "tvt:audit:AuditServices"


class Doc:
    """A plan document being mutated: its resources, found by type and declaring scope."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.states: list[State] = raw["deployment"]["resources"]
        self.by_urn = {s["urn"]: s for s in self.states}

    def scope(self, state: State) -> str | None:
        """``audit`` or ``l<n>``: the scope component that declares ``state``, from its parent chain."""
        current: State | None = state
        while current is not None:
            if current["type"] == LEVEL_COMPONENT:
                return str(current["urn"].rsplit("::", 1)[-1])
            if current["type"] == AUDIT_COMPONENT:
                return "audit"
            current = self.by_urn.get(current.get("parent", ""))
        return None

    def all(self, type_: str, scope: str | None = None) -> list[State]:
        return [s for s in self.states if s["type"] == type_ and (scope is None or self.scope(s) == scope)]

    def one(self, type_: str, scope: str, where: Callable[[State], bool] = lambda s: True) -> State | None:
        return next((s for s in self.all(type_, scope) if where(s)), None)

    def grant(self, scope: str, *roles: str) -> State | None:
        """A group grant of ``scope`` whose custom role is one of the TVT ``roles``, in that order."""

        def of_role(role: str) -> Callable[[State], bool]:
            def found(state: State) -> bool:
                if state["inputs"].get("principalType") != "Group":
                    return False
                definitions = state.get("propertyDependencies", {}).get("roleDefinitionId", [])
                return any(
                    self.by_urn[u]["inputs"].get("roleName", "").endswith(f" {role}") for u in definitions
                )

            return found

        return next((g for role in roles if (g := self.one(ROLE_ASSIGNMENT, scope, of_role(role)))), None)


def _node(props: dict[str, Any], path: str) -> tuple[Any, Any]:
    node: Any = props
    *head, last = path.split(".")
    for step in head:
        node = node[int(step)] if isinstance(node, list) else node.setdefault(step, {})
    return node, int(last) if isinstance(node, list) else last


def put(state: State, path: str, value: Any, *, outputs: bool = True) -> None:
    """Set ``path`` (dotted; integers index lists) in the inputs, and unless told not to in the outputs."""
    for key in ("inputs", "outputs") if outputs else ("inputs",):
        node, last = _node(state[key], path)
        if value is None:
            node.pop(last, None) if isinstance(node, dict) else None
        else:
            node[last] = copy.deepcopy(value)


def get(state: State, path: str) -> Any:
    node: Any = state["inputs"]
    for step in path.split("."):
        node = node[int(step)] if isinstance(node, list) else node.get(step)
    return node


def depend(state: State, key: str, *targets: State) -> None:
    """The property dependency of ``key`` names ``targets`` (none: no dependency at all)."""
    deps = state.setdefault("propertyDependencies", {})
    if targets:
        deps[key] = [t["urn"] for t in targets]
    else:
        deps.pop(key, None)


def ident(state: State) -> str:
    return str(state["outputs"]["id"])


@dataclass(frozen=True)
class Mutant:
    """One mutation: its name, its kind, the rule that must catch it, and how to make it."""

    name: str
    kind: str  # value, inputs, scope, condition, relabel, other
    rule: str
    mutate: Callable[[Doc], bool]
    policy_config: Callable[[dict[str, Any]], None] | None = None


# -- value changes with the property dependency kept ----------------------------------------------


def _value(type_: str, scope: str, path: str, value: Callable[[Doc], Any]) -> Callable[[Doc], bool]:
    def mutate(doc: Doc) -> bool:
        state = doc.one(type_, scope)
        found = value(doc)
        if state is None or found is None or get(state, path.split(".", maxsplit=1)[0]) is None:
            return False
        put(state, path, found)
        return True

    return mutate


def _of(type_: str, scope: str, read: Callable[[State], Any] = ident) -> Callable[[Doc], Any]:
    def value(doc: Doc) -> Any:
        state = doc.one(type_, scope)
        return None if state is None else read(state)

    return value


def _vault_uri(state: State) -> Any:
    return state["outputs"]["properties"]["vaultUri"]


def _principal(state: State) -> Any:
    return state["outputs"]["principalId"]


def _name(key: str) -> Callable[[State], Any]:
    return lambda state: state["inputs"][key]


def _diag_of(type_: str, scope: str, setting_path: str, value: Callable[[Doc], Any]) -> Callable[[Doc], bool]:
    """Change a value of the diagnostic setting that targets the ``type_`` resource of ``scope``."""

    def mutate(doc: Doc) -> bool:
        target = doc.one(type_, scope)
        found = value(doc)
        if target is None or found is None:
            return False
        settings = [
            s
            for s in doc.all(DIAGNOSTIC_SETTING)
            if target["urn"] in s.get("propertyDependencies", {}).get("resourceUri", [])
        ]
        if not settings or setting_path.split(".", maxsplit=1)[0] not in settings[0]["inputs"]:
            return False
        put(settings[0], setting_path, found)
        return True

    return mutate


def _constant(value: Any) -> Callable[[Doc], Any]:
    return lambda doc: value


def _subscription(doc: Doc) -> str:
    return "/" + "/".join(ident(doc.all(RESOURCE_GROUP)[0]).split("/")[1:3])


VALUES = [
    Mutant(
        "cmk vault URI names another level's vault",
        "value",
        "encryption-cmk-same-level",
        _value(
            STORAGE_ACCOUNT, "l3", "encryption.keyVaultProperties.keyVaultUri", _of(VAULT, "l1", _vault_uri)
        ),
    ),
    Mutant(
        "cmk vault URI names a vault outside the stack",
        "value",
        "encryption-cmk-same-level",
        _value(
            STORAGE_ACCOUNT,
            "l3",
            "encryption.keyVaultProperties.keyVaultUri",
            _constant("https://kv-elsewhere.vault.azure.net/"),
        ),
    ),
    Mutant(
        "cmk key name names another level's key",
        "value",
        "encryption-cmk-same-level",
        _value(
            STORAGE_ACCOUNT, "l3", "encryption.keyVaultProperties.keyName", _of(KEY, "l1", _name("keyName"))
        ),
    ),
    Mutant(
        "cmk identity names another level's identity",
        "value",
        "encryption-cmk-same-level",
        _value(
            STORAGE_ACCOUNT,
            "l3",
            "encryption.encryptionIdentity.encryptionUserAssignedIdentity",
            _of(IDENTITY, "l1"),
        ),
    ),
    Mutant(
        "key created in another level's vault",
        "value",
        "encryption-cmk-same-level",
        _value(KEY, "l3", "vaultName", _of(VAULT, "l1", _name("vaultName"))),
    ),
    Mutant(
        "diagnostic setting writes to a foreign workspace",
        "value",
        "audit-diagnostics-destination",
        _diag_of(
            VAULT, "l3", "workspaceId", _constant(f"{ELSEWHERE}/Microsoft.OperationalInsights/workspaces/x")
        ),
    ),
    Mutant(
        "diagnostic setting archives into a foreign account",
        "value",
        "audit-diagnostics-destination",
        _diag_of(
            VAULT, "l3", "storageAccountId", _constant(f"{ELSEWHERE}/Microsoft.Storage/storageAccounts/x")
        ),
    ),
    Mutant(
        "diagnostic setting's target names another resource",
        "value",
        "audit-diagnostics-present",
        _diag_of(NSG, "l3", "resourceUri", _of(NSG, "l1")),
    ),
    Mutant(
        "activity log exported to a foreign workspace",
        "value",
        "audit-activity-log-export",
        _value(
            SUBSCRIPTION_DIAGNOSTIC_SETTING,
            "audit",
            "workspaceId",
            _constant(f"{ELSEWHERE}/Microsoft.OperationalInsights/workspaces/x"),
        ),
    ),
    Mutant(
        "blob service configured on another level's account",
        "value",
        "audit-blob-service-logs",
        _value(BLOB_SERVICE, "l3", "accountName", _of(STORAGE_ACCOUNT, "l1", _name("accountName"))),
    ),
    Mutant(
        "key-scoped crypto grant given to another level's identity",
        "value",
        "identity-grant-scope",
        _value(ROLE_ASSIGNMENT, "l3", "principalId", _of(IDENTITY, "l1", _principal)),
    ),
    Mutant(
        "key-scoped crypto grant scoped to the vault",
        "value",
        "identity-cmk-grant-scope",
        _value(ROLE_ASSIGNMENT, "l3", "scope", _of(VAULT, "l3")),
    ),
    Mutant(
        "private endpoint placed in another level's subnet",
        "value",
        "network-private-endpoint",
        _value(PRIVATE_ENDPOINT, "l3", "subnet.id", _of(SUBNET, "l1")),
    ),
    Mutant(
        "private endpoint connects another level's service",
        "value",
        "network-private-endpoint",
        _value(
            PRIVATE_ENDPOINT, "l3", "privateLinkServiceConnections.0.privateLinkServiceId", _of(VAULT, "l1")
        ),
    ),
    Mutant(
        "private DNS zone group names a zone outside the stack",
        "value",
        "network-private-dns",
        _value(
            PRIVATE_DNS_ZONE_GROUP,
            "l3",
            "privateDnsZoneConfigs.0.privateDnsZoneId",
            _constant(f"{ELSEWHERE}/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net"),
        ),
    ),
    Mutant(
        "subnet's NSG names another level's NSG",
        "value",
        "network-subnet-nsg",
        _value(SUBNET, "l3", "networkSecurityGroup.id", _of(NSG, "l1")),
    ),
    Mutant(
        "level's DNS link names another level's network",
        "value",
        "network-private-dns",
        _value(VIRTUAL_NETWORK_LINK, "l3", "virtualNetwork.id", _of(VIRTUAL_NETWORK, "l1")),
    ),
    Mutant(
        "level-3 storage placed in another level's resource group",
        "value",
        "data-protection-level-boundary",
        _value(
            STORAGE_ACCOUNT, "l3", "resourceGroupName", _of(RESOURCE_GROUP, "l2", _name("resourceGroupName"))
        ),
    ),
    Mutant(
        "level-3 zone created in another level's account",
        "value",
        "data-protection-level-boundary",
        _value(BLOB_CONTAINER, "l3", "accountName", _of(STORAGE_ACCOUNT, "l1", _name("accountName"))),
    ),
]


# -- inputs-only changes: what Azure is asked for changes, the outputs still look compliant --------


def _input(type_: str, scope: str, path: str, value: Any) -> Callable[[Doc], bool]:
    def mutate(doc: Doc) -> bool:
        state = doc.one(type_, scope)
        if state is None:
            return False
        put(state, path, value, outputs=False)
        return True

    return mutate


def _inputs_only(mutation: Callable[[Doc], bool]) -> Callable[[Doc], bool]:
    """``mutation`` applied to the inputs alone: the outputs keep what they said before it."""

    def mutate(doc: Doc) -> bool:
        saved = {s["urn"]: json.dumps(s.get("outputs", {}), sort_keys=True) for s in doc.states}
        if not mutation(doc):
            return False
        for state in doc.states:
            state["outputs"] = json.loads(saved[state["urn"]])
        return True

    return mutate


INPUTS = [
    Mutant(
        "Microsoft-managed keys requested",
        "inputs",
        "encryption-cmk-same-level",
        _input(STORAGE_ACCOUNT, "l3", "encryption.keySource", "Microsoft.Storage"),
    ),
    Mutant(
        "TLS 1.0 requested",
        "inputs",
        "encryption-tls",
        _input(STORAGE_ACCOUNT, "l3", "minimumTlsVersion", "TLS1_0"),
    ),
    Mutant(
        "vault requested outside the UK",
        "inputs",
        "residency-uk-only",
        _input(VAULT, "l3", "location", "westeurope"),
    ),
    Mutant(
        "public network access requested",
        "inputs",
        "network-public-access-disabled",
        _input(STORAGE_ACCOUNT, "l3", "publicNetworkAccess", "Enabled"),
    ),
    Mutant(
        "audit archive WORM disabled",
        "inputs",
        "data-protection-audit-immutability",
        _input(STORAGE_ACCOUNT, "audit", "immutableStorageWithVersioning.enabled", False),
    ),
    Mutant(
        "level 3 raw retention removed",
        "inputs",
        "data-protection-write-once-zones",
        _input(IMMUTABILITY_POLICY, "l3", "immutabilityPeriodSinceCreationInDays", None),
    ),
    Mutant(
        "level 3 raw open to append writes",
        "inputs",
        "data-protection-write-once-zones",
        _input(IMMUTABILITY_POLICY, "l3", "allowProtectedAppendWritesAll", True),
    ),
    Mutant(
        "vault audit logs disabled",
        "inputs",
        "audit-diagnostics-destination",
        _inputs_only(
            _diag_of(VAULT, "l3", "logs", _constant([{"categoryGroup": "allLogs", "enabled": False}]))
        ),
    ),
    Mutant(
        "workspace retention of 30 days",
        "inputs",
        "audit-workspace-retention",
        _input(WORKSPACE, "audit", "retentionInDays", 30),
    ),
    Mutant(
        "blob soft delete disabled",
        "inputs",
        "data-protection-blob-soft-delete",
        _input(BLOB_SERVICE, "l3", "deleteRetentionPolicy.enabled", False),
    ),
    Mutant(
        "subnet default outbound access",
        "inputs",
        "network-subnet-nsg",
        _input(SUBNET, "l3", "defaultOutboundAccess", True),
    ),
]


# -- scope widening ---------------------------------------------------------------------------------


def _rescope(
    scope: str, role: str, target: Callable[[Doc], State | None], *, keep: bool
) -> Callable[[Doc], bool]:
    """A group grant's scope value names ``target``; its dependency follows unless ``keep``."""

    def mutate(doc: Doc) -> bool:
        grant, found = doc.grant(scope, role, *READERS, "ingest-writer"), target(doc)
        if grant is None or found is None:
            return False
        put(grant, "scope", ident(found))
        if not keep:
            depend(grant, "scope", found)
        return True

    return mutate


def _every_grant_to_the_subscription(doc: Doc) -> bool:
    """The issue's experiment: access.py's scope=scope_id replaced by apply(lambda _: '/subscriptions/..')."""
    subscription = _subscription(doc)
    grants = doc.all(ROLE_ASSIGNMENT)
    for grant in grants:
        put(grant, "scope", subscription)
    return bool(grants)


def _scoped_to_subscription(scope: str, role: str) -> Callable[[Doc], bool]:
    def mutate(doc: Doc) -> bool:
        grant = doc.grant(scope, role, *READERS, "ingest-writer")
        if grant is None:
            return False
        put(grant, "scope", _subscription(doc))
        depend(grant, "scope")
        return True

    return mutate


def _key_grant_on_group(doc: Doc) -> bool:
    grant = doc.one(ROLE_ASSIGNMENT, "l3", lambda s: s["inputs"].get("principalType") == "ServicePrincipal")
    group = doc.one(RESOURCE_GROUP, "l3")
    if grant is None or group is None:
        return False
    put(grant, "scope", ident(group))
    depend(grant, "scope", group)
    return True


def _role(scope: str, role: str, change: Callable[[State, Doc], None]) -> Callable[[Doc], bool]:
    def mutate(doc: Doc) -> bool:
        definition = doc.one(
            ROLE_DEFINITION, scope, lambda s: s["inputs"].get("roleName", "").endswith(f" {role}")
        )
        if definition is None:
            return False
        change(definition, doc)
        return True

    return mutate


def _assignable_everywhere(definition: State, doc: Doc) -> None:
    put(definition, "assignableScopes", [_subscription(doc)])
    depend(definition, "assignableScopes")


def _built_in(guid: str) -> Callable[[Doc], bool]:
    """The level-1 reader grant names a built-in role instead of the level's custom role."""

    def mutate(doc: Doc) -> bool:
        grant = doc.grant("l1", "reader")
        if grant is None:
            return False
        put(
            grant,
            "roleDefinitionId",
            f"{_subscription(doc)}/providers/Microsoft.Authorization/roleDefinitions/{guid}",
        )
        depend(grant, "roleDefinitionId")
        return True

    return mutate


SCOPES = [
    Mutant(
        "every grant scoped to the subscription, dependencies kept",
        "scope",
        "identity-grant-scope",
        _every_grant_to_the_subscription,
    ),
    Mutant(
        "a level-1 grant rescoped to the level-3 account",
        "scope",
        "identity-grant-scope",
        _rescope("l1", "reader", lambda d: d.one(STORAGE_ACCOUNT, "l3"), keep=False),
    ),
    Mutant(
        "a level-3 grant rescoped to its resource group",
        "scope",
        "identity-grant-scope",
        _rescope("l3", "reader", lambda d: d.one(RESOURCE_GROUP, "l3"), keep=False),
    ),
    Mutant(
        "a level-3 grant scoped to the subscription",
        "scope",
        "identity-grant-scope",
        _scoped_to_subscription("l3", "reader"),
    ),
    Mutant(
        "a level-3 grant's scope value names another level's account, its dependency kept",
        "scope",
        "identity-grant-scope",
        _rescope("l3", "reader", lambda d: d.one(STORAGE_ACCOUNT, "l1"), keep=True),
    ),
    Mutant(
        "key grant scoped to the resource group", "scope", "identity-cmk-grant-scope", _key_grant_on_group
    ),
    Mutant(
        "custom role assignable in the whole subscription",
        "scope",
        "identity-role-allow-list",
        _role("l1", "reader", _assignable_everywhere),
    ),
    Mutant(
        "custom role gains the container-delete control-plane action",
        "scope",
        "identity-role-allow-list",
        _role(
            "l3",
            "ingest-writer",
            lambda d, doc: put(d, "permissions.0.actions", [f"{BLOBS.rsplit('/', 1)[0]}/delete"]),
        ),
    ),
    Mutant(
        "custom role with every data action",
        "scope",
        "identity-no-privileged-roles",
        _role("l2", "contributor", lambda d, doc: put(d, "permissions.0.dataActions", [f"{BLOBS}/*"])),
    ),
    Mutant(
        "partner group given built-in Storage Blob Data Contributor",
        "scope",
        "identity-role-allow-list",
        _built_in("ba92f5b4-2d11-453d-a403-e96b0029c9fe"),
    ),
    Mutant(
        "partner group given Owner",
        "scope",
        "identity-no-privileged-roles",
        _built_in("8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
    ),
]


# -- ABAC condition rewrites on a level-3 grant ------------------------------------------------------


def _rewrite(roles: tuple[str, ...], change: Callable[[str], str]) -> Callable[[Doc], bool]:
    def mutate(doc: Doc) -> bool:
        grant = doc.grant("l3", *roles)
        if grant is None or not grant["inputs"].get("condition"):
            return False
        put(grant, "condition", change(grant["inputs"]["condition"]))
        return True

    return mutate


def _negate(text: str) -> str:
    return f"!({text})"


CONDITIONS = [
    Mutant(
        "AND turned into OR",
        "condition",
        "identity-level3-use-case",
        _rewrite(READERS, lambda c: c.replace(" AND @Environment", " OR @Environment")),
    ),
    Mutant(
        "always-true OR clause added",
        "condition",
        "identity-level3-use-case",
        _rewrite(READERS, lambda c: f"{c[:-2]} OR ( ActionMatches{{'{BLOBS}/*'}} ) )"),
    ),
    Mutant(
        "bound targets the wrong action",
        "condition",
        "identity-level3-use-case",
        _rewrite(READERS, lambda c: c.replace("/blobs/read'", "/blobs/delete'")),
    ),
    Mutant(
        "private link required false",
        "condition",
        "identity-level3-use-case",
        _rewrite(READERS, lambda c: c.replace("BoolEquals true", "BoolEquals false")),
    ),
    Mutant("whole condition negated", "condition", "identity-level3-use-case", _rewrite(READERS, _negate)),
    Mutant(
        "time bound a year later",
        "condition",
        "identity-level3-use-case",
        _rewrite(READERS, lambda c: c.replace("DateTimeLessThan '20", "DateTimeLessThan '21")),
    ),
    Mutant(
        "AND and OR mixed without parentheses",
        "condition",
        "identity-level3-use-case",
        _rewrite(READERS, lambda c: c.replace(") OR ( ", "OR ").replace(" ) )", " )")),
    ),
    Mutant(
        "ingest-writer's folder removed",
        "condition",
        "identity-level3-use-case",
        _rewrite(("ingest-writer",), lambda c: c.split(f" AND @Resource[{BLOBS}:path]")[0] + " ) )"),
    ),
    Mutant(
        "ingest-writer confined to another partner's folder",
        "condition",
        "identity-level3-use-case",
        _rewrite(("ingest-writer",), lambda c: c.replace("StringStartsWith '", "StringStartsWith 'x")),
    ),
]


# -- relabelling --------------------------------------------------------------------------------------


def _relabel(scope: str, to: str, also: Callable[[Doc], None] | None = None) -> Callable[[Doc], bool]:
    def mutate(doc: Doc) -> bool:
        tagged = [s for s in doc.states if doc.scope(s) == scope and "tags" in s.get("inputs", {})]
        for state in tagged:
            put(state, "tags.data-level", to)
        if also is not None:
            also(doc)
        return bool(tagged)

    return mutate


RELABELS = [
    Mutant(
        "every level-3 tag relabelled 2", "relabel", "data-protection-level-boundary", _relabel("l3", "2")
    ),
    Mutant(
        "level 3 relabelled 2, its key taken out of the HSM",
        "relabel",
        "encryption-key-strength",
        _relabel("l3", "2", lambda doc: put(doc.one(KEY, "l3") or {}, "properties.kty", "RSA")),
    ),
    Mutant(
        "audit services relabelled 1", "relabel", "data-protection-level-boundary", _relabel("audit", "1")
    ),
]


# -- others: one per remaining mandatory rule ---------------------------------------------------------


def _drop(type_: str, scope: str, where: Callable[[State], bool] = lambda s: True) -> Callable[[Doc], bool]:
    def mutate(doc: Doc) -> bool:
        state = doc.one(type_, scope, where)
        if state is None:
            return False
        doc.states.remove(state)
        for other in doc.states:
            other["dependencies"] = [u for u in other.get("dependencies", []) if u != state["urn"]]
            for key, urns in list(other.get("propertyDependencies", {}).items()):
                other["propertyDependencies"][key] = [u for u in urns if u != state["urn"]]
        return True

    return mutate


def _set(type_: str, scope: str, path: str, value: Any) -> Callable[[Doc], bool]:
    def mutate(doc: Doc) -> bool:
        state = doc.one(type_, scope)
        if state is None:
            return False
        put(state, path, value)
        return True

    return mutate


def _unprotect(type_: str, scope: str) -> Callable[[Doc], bool]:
    def mutate(doc: Doc) -> bool:
        state = doc.one(type_, scope)
        if state is None or not state.get("protect"):
            return False
        state["protect"] = False
        return True

    return mutate


def _on_grant(scope: str, path: str, value: Any) -> Callable[[Doc], bool]:
    def mutate(doc: Doc) -> bool:
        grant = doc.grant(scope, *READERS, "ingest-writer")
        if grant is None:
            return False
        put(grant, path, value)
        return True

    return mutate


def _expired_exemption(config: dict[str, Any]) -> None:
    for entry in config.values():
        for exemption in entry.get("exemptions", []) if isinstance(entry, dict) else []:
            exemption["expires"] = "2026-01-31"


def _unclassified(doc: Doc) -> bool:
    account = doc.one(STORAGE_ACCOUNT, "l3")
    if account is None:
        return False
    clone = copy.deepcopy(account)
    clone["type"] = "azure-native:sql:Server"
    clone["urn"] = (
        account["urn"].replace("azure-native:storage:StorageAccount::", "azure-native:sql:Server::") + "-sql"
    )
    doc.states.append(clone)
    return True


OTHERS = [
    Mutant(
        "inbound allowed from the internet",
        "other",
        "network-nsg-deny-internet-inbound",
        _set(NSG, "l3", "securityRules.0.access", "Allow"),
    ),
    Mutant(
        "vault purge protection off",
        "other",
        "data-protection-keyvault",
        _set(VAULT, "l3", "properties.enablePurgeProtection", False),
    ),
    Mutant(
        "vault access policies enabled",
        "other",
        "identity-keyvault-rbac",
        _set(VAULT, "l3", "properties.enableRbacAuthorization", False),
    ),
    Mutant(
        "inline vault access policy",
        "other",
        "identity-no-access-policies",
        _set(
            VAULT,
            "l3",
            "properties.accessPolicies",
            [
                {
                    "tenantId": "00000000-0000-4000-8000-200000000000",
                    "objectId": "00000000-0000-4000-8000-000000000101",
                    "permissions": {"keys": ["get"]},
                }
            ],
        ),
    ),
    Mutant(
        "shared key access enabled",
        "other",
        "identity-shared-key-disabled",
        _set(STORAGE_ACCOUNT, "l3", "allowSharedKeyAccess", True),
    ),
    Mutant(
        "blob public access allowed",
        "other",
        "network-no-public-blob",
        _set(STORAGE_ACCOUNT, "l3", "allowBlobPublicAccess", True),
    ),
    Mutant(
        "storage firewall allows by default",
        "other",
        "network-default-deny",
        _set(STORAGE_ACCOUNT, "l3", "networkRuleSet.defaultAction", "Allow"),
    ),
    Mutant(
        "locally redundant storage",
        "other",
        "residency-geo-redundancy-uk",
        _set(STORAGE_ACCOUNT, "l3", "sku.name", "Standard_LRS"),
    ),
    Mutant(
        "cross-tenant replication allowed",
        "other",
        "data-protection-no-cross-tenant-replication",
        _set(STORAGE_ACCOUNT, "l3", "allowCrossTenantReplication", True),
    ),
    Mutant(
        "no infrastructure encryption",
        "other",
        "encryption-infrastructure",
        _set(STORAGE_ACCOUNT, "l3", "encryption.requireInfrastructureEncryption", False),
    ),
    Mutant("RSA-2048 key", "other", "encryption-key-strength", _set(KEY, "l1", "properties.keySize", 2048)),
    Mutant("a type nobody classified", "other", "encryption-unclassified-type", _unclassified),
    Mutant(
        "vault without diagnostic setting",
        "other",
        "audit-diagnostics-present",
        _drop(DIAGNOSTIC_SETTING, "l3", lambda s: "vault" in s["urn"].rsplit("::", 1)[-1]),
    ),
    Mutant(
        "activity log not exported",
        "other",
        "audit-activity-log-export",
        _drop(SUBSCRIPTION_DIAGNOSTIC_SETTING, "audit"),
    ),
    Mutant(
        "endpoint without DNS registration",
        "other",
        "network-private-dns",
        _drop(PRIVATE_DNS_ZONE_GROUP, "l3"),
    ),
    Mutant(
        "dfs endpoint dropped",
        "other",
        "network-private-endpoint",
        _drop(
            PRIVATE_ENDPOINT,
            "l3",
            lambda s: s["inputs"]["privateLinkServiceConnections"][0]["groupIds"] == ["dfs"],
        ),
    ),
    Mutant(
        "grant to a user",
        "other",
        "identity-role-assignment-groups",
        _on_grant("l1", "principalType", "User"),
    ),
    Mutant(
        "level-3 grant names no use case",
        "other",
        "identity-level3-use-case",
        _on_grant("l3", "description", "TVT grant: reader on level 3."),
    ),
    Mutant(
        "prod storage not protected",
        "other",
        "data-protection-prod-protect",
        _unprotect(STORAGE_ACCOUNT, "l3"),
    ),
    Mutant("prod resource group lock removed", "other", "data-protection-prod-locks", _drop(RG_LOCK, "l3")),
    Mutant(
        "vault SKU family Azure does not know",
        "other",
        "azure-api-conformance",
        _set(VAULT, "l1", "properties.sku.family", "B"),
    ),
    Mutant(
        "an approved exemption lapsed",
        "other",
        "exemption-expired",
        lambda doc: True,
        policy_config=_expired_exemption,
    ),
]

CATALOGUE: tuple[Mutant, ...] = (*VALUES, *INPUTS, *SCOPES, *CONDITIONS, *RELABELS, *OTHERS)
KINDS = ("value", "inputs", "scope", "condition", "relabel", "other")


def names() -> Iterator[str]:
    yield from (m.name for m in CATALOGUE)
