"""encryption-cmk-same-level: data at rest is encrypted with a customer-managed key of its own level."""

from __future__ import annotations

from tests.policies.cases import (
    Case,
    chain,
    drop_ref,
    point_ref,
    refer,
    rule_tests,
    set_input,
    set_prop,
)

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


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
