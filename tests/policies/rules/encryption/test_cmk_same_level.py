"""encryption-cmk-same-level: data at rest is encrypted with a customer-managed key of its own level."""

from __future__ import annotations

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.catalog import CATALOG, STORAGE_ACCOUNT, DataClass
from policies.rules.encryption import cmk_same_level
from tests.policies.cases import (
    BASELINE,
    Case,
    Once,
    chain,
    drop_ref,
    nothing,
    once_tests,
    point_ref,
    refer,
    retarget,
    rule_tests,
    set_input,
    set_prop,
)
from tests.policies.harness import analyzer, load_config, run

RULE = "encryption-cmk-same-level"
KEY_SOURCE = "encryption.keySource"
VAULT_URI = "encryption.keyVaultProperties.keyVaultUri"
KEY_NAME = "encryption.keyVaultProperties.keyName"

CASES = [
    Case(
        "storage with Microsoft-managed keys",
        set_prop("l3-storage", KEY_SOURCE, "Microsoft.Storage"),
        "Microsoft-managed keys",
        "l3-storage",
    ),
    Case(
        "Microsoft-managed keys requested while the outputs still show the vault's key",
        set_input("l3-storage", KEY_SOURCE, "Microsoft.Storage"),
        "Microsoft-managed keys",
        "l3-storage",
    ),
    Case(
        "level-3 storage keyed by the level-1 vault and key, values and dependencies agreeing",
        chain(
            refer("l3-storage", VAULT_URI, "l1-vault", "uri"),
            refer("l3-storage", KEY_NAME, "l1-key", "name"),
            point_ref("l3-storage", "encryption", "l1-vault", "l1-key", "l3-identity"),
        ),
        "level-3 storage account is encrypted with Vault 'l1-vault' of level 1",
        "l3-storage",
    ),
    Case(
        "vault URI names the level-1 vault, its dependency still the level-3 vault",
        refer("l3-storage", VAULT_URI, "l1-vault", "uri"),
        "encryption.keyVaultProperties.keyVaultUri names vault 'kv-tvt-prod-l1' but was computed from "
        "Vault 'l3-vault'",
        "l3-storage",
        known_only=True,
    ),
    Case(
        "vault URI names a vault outside the stack",
        set_prop("l3-storage", VAULT_URI, "https://kv-elsewhere.vault.azure.net/"),
        "names vault 'kv-elsewhere' but was computed from Vault 'l3-vault'",
        "l3-storage",
        known_only=True,
    ),
    Case(
        "key name names another level's key",
        refer("l3-storage", KEY_NAME, "l1-key", "name"),
        "encryption.keyVaultProperties.keyName names 'cmk-l1' but was computed from Key 'l3-key'",
        "l3-storage",
        known_only=True,
    ),
    Case(
        "vault URI is not a vault URI",
        set_prop("l3-storage", VAULT_URI, "kv-tvt-prod-l3"),
        "keyVaultUri is 'kv-tvt-prod-l3', which is not a vault URI",
        "l3-storage",
        known_only=True,
    ),
    Case(
        "key from outside the stack, with no property dependency",
        chain(
            set_prop("l3-storage", VAULT_URI, "https://kv-elsewhere.vault.azure.net/"),
            set_prop("l3-storage", KEY_NAME, "cmk-elsewhere"),
            drop_ref("l3-storage", "encryption"),
        ),
        "does not reference a Key and Key Vault declared in this stack",
        "l3-storage",
    ),
]

IDENTITY_ID = "encryption.encryptionIdentity.encryptionUserAssignedIdentity"
CASES += [
    Case(
        "key source unknown during preview",
        set_prop("l3-storage", KEY_SOURCE, UNKNOWN_STRING_VALUE),
        "encryption.keySource is unknown",
        "l3-storage",
    ),
    Case(
        "customer-managed key without a key name",
        set_prop("l3-storage", KEY_NAME),
        "customer-managed key is incomplete: encryption.keyVaultProperties.keyName not set",
        "l3-storage",
        also=frozenset({"azure-api-conformance"}),
    ),
    Case(
        "a key of the stack but a vault from outside it",
        chain(
            set_prop("l3-storage", VAULT_URI, "https://kv-elsewhere.vault.azure.net/"),
            point_ref("l3-storage", "encryption", "l3-key", "l3-identity"),
        ),
        "does not reference a Key and Key Vault declared in this stack",
        "l3-storage",
    ),
    Case(
        "the stack's vault but a key from outside it",
        chain(
            set_prop("l3-storage", KEY_NAME, "cmk-elsewhere"),
            point_ref("l3-storage", "encryption", "l3-vault", "l3-identity"),
        ),
        "does not reference a Key and Key Vault declared in this stack",
        "l3-storage",
    ),
    Case(
        "the level's key, but in another vault than the account's keyVaultUri",
        retarget("l3-key", "vaultName", "vaultName", "audit-vault", "name"),
        "key 'l3-key' is not in the vault the account's keyVaultUri points at",
        "l3-storage",
        also=frozenset(
            {"data-protection-level-boundary", "encryption-key-strength", "identity-cmk-grant-scope"}
        ),
    ),
    Case(
        "encryption identity unknown and computed from no identity",
        chain(
            set_prop("l3-storage", IDENTITY_ID, UNKNOWN_STRING_VALUE),
            point_ref("l3-storage", "encryption", "l3-vault", "l3-key"),
        ),
        "encryptionUserAssignedIdentity is unknown and not computed from a UserAssignedIdentity",
        "l3-storage",
    ),
    Case(
        "the workspace's Microsoft-managed keys, without the design exemption",
        nothing,
        "Log Analytics workspace is not encrypted with a customer-managed key",
        "audit-workspace",
        config={RULE: {"exemptions": []}},
        also=frozenset({"exemption-unused"}),
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)

# A key reference unknown and computed from nothing is the reference's one finding; the rule's own
# "does not reference a Key and Key Vault" and "key not in the vault" checks add nothing about it.
ONCE = [
    Once(
        "the key name unknown and computed from no key (the vault and identity still its dependencies)",
        chain(
            set_prop("l3-storage", KEY_NAME, UNKNOWN_STRING_VALUE),
            point_ref("l3-storage", "encryption", "l3-vault", "l3-identity"),
        ),
        RULE,
        "encryption.keyVaultProperties.keyName is unknown and not computed from a Key of this stack",
        "l3-storage",
    ),
    Once(
        "the key's vault name unknown and computed from nothing",
        chain(set_prop("l3-key", "vaultName", UNKNOWN_STRING_VALUE), drop_ref("l3-key", "vaultName")),
        RULE,
        "vaultName is unknown and not computed from a Vault of this stack",
        "l3-key",
    ),
]
test_reported_once = once_tests(RULE, ONCE)


def test_a_data_bearing_type_without_its_check_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(cmk_same_level.CHECKS, STORAGE_ACCOUNT)
    findings = [f for f in run(analyzer(load_config("prod")), BASELINE) if f.rule == RULE]
    expected = f"no customer-managed key check is implemented for data-bearing type {STORAGE_ACCOUNT}"
    accounts = {r.urn for r in BASELINE.resources.values() if r.type == STORAGE_ACCOUNT}
    assert accounts and {f.urn for f in findings if f.message == expected} == accounts


def test_every_data_bearing_type_has_its_check() -> None:
    assert set(cmk_same_level.CHECKS) == {t for t, i in CATALOG.items() if i.data is DataClass.DATA_BEARING}
