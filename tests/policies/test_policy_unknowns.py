"""Values unknown during a first preview: rules answer from property dependencies, or block.

The compliant baseline with the computed values a first ``pulumi preview`` cannot know replaced by
the engine's unknown sentinel must still pass every rule (no finding, no "can't run"), and the
same unknowns without the dependency that answers for them must block at the rule's level.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.framework import UNVERIFIABLE_PREFIX
from policies.props import UNKNOWN, is_unknown, peek
from tests.policies.baselines import Stack, compliant_stack
from tests.policies.harness import Hit, analyzer, describe, load_config, run

U = UNKNOWN_STRING_VALUE
BASELINE = compliant_stack("prod")


def first_preview(stack: Stack) -> Stack:
    """Computed values (names, ids, URIs) unknown, as the engine sends them in a first preview."""
    stack = stack.copy()
    for res in stack.resources.values():
        encryption = res.props.get("encryption")
        if isinstance(encryption, dict) and "keyVaultProperties" in encryption:
            encryption["keyVaultProperties"] = {"keyName": U, "keyVaultUri": U}
            encryption["encryptionIdentity"] = {"encryptionUserAssignedIdentity": U}
        if res.type == "azure-native:network:Subnet":
            res.props["networkSecurityGroup"] = {"id": U}
        if res.type == "azure-native:authorization:RoleAssignment":
            res.props["scope"] = U
            if res.props.get("principalType") == "ServicePrincipal":
                res.props["principalId"] = U
        if res.type == "azure-native:monitor:DiagnosticSetting":
            for key in ("resourceUri", "workspaceId", "storageAccountId"):
                if key in res.props:
                    res.props[key] = U
    # A location taken from the resource group's output rather than config.
    stack["l3-identity"].props["location"] = U
    stack["l3-identity"].deps["location"] = [stack["l3-rg"].urn]
    return stack


def _run(stack: Stack) -> list[Hit]:
    return run(analyzer(load_config("prod")), stack)


def test_peek_answers_unknown_instead_of_raising() -> None:
    assert peek({"a": {"b": U}}, "a", "b") is UNKNOWN
    assert is_unknown(UNKNOWN) and is_unknown(U) and not is_unknown("x") and not is_unknown(None)
    assert not UNKNOWN, "unknown is never a truthy 'set' value by accident"
    assert peek({"a": 1}, "a") == 1 and peek({}, "a") is None


def test_first_preview_of_the_baseline_passes_every_rule() -> None:
    baseline = {(f.rule, f.urn, f.message) for f in _run(BASELINE)}
    new = [f for f in _run(first_preview(BASELINE)) if (f.rule, f.urn, f.message) not in baseline]
    assert not new, f"unknown values changed the findings:\n{describe(new)}"


Mutation = Callable[[Stack], None]


def _drop(name: str, key: str) -> Mutation:
    def mutate(stack: Stack) -> None:
        del stack[name].deps[key]

    return mutate


def _set(name: str, key: str, value: object) -> Mutation:
    def mutate(stack: Stack) -> None:
        stack[name].props[key] = value

    return mutate


@pytest.mark.parametrize(
    ("mutate", "rule", "resource", "message"),
    [
        pytest.param(
            _drop("l3-storage", "encryption"),
            "encryption-cmk-same-level",
            "l3-storage",
            f"{UNVERIFIABLE_PREFIX}encryption.keyVaultProperties.keyName is unknown and not computed from "
            "a Key of this stack",
            id="key name unknown, no key dependency",
        ),
        pytest.param(
            _drop("l3-subnet", "networkSecurityGroup"),
            "network-subnet-nsg",
            "l3-subnet",
            f"{UNVERIFIABLE_PREFIX}networkSecurityGroup.id is unknown and not computed from a "
            "NetworkSecurityGroup of this stack",
            id="NSG id unknown, no NSG dependency",
        ),
        pytest.param(
            _drop("l3-key-access", "scope"),
            "identity-grant-scope",
            "l3-key-access",
            f"{UNVERIFIABLE_PREFIX}scope is unknown and not computed from a resource of this stack",
            id="key scope unknown, no key dependency",
        ),
        pytest.param(
            _set("l3-grant-tvp-analysts", "principalId", U),
            "identity-grant-scope",
            "l3-grant-tvp-analysts",
            f"{UNVERIFIABLE_PREFIX}principalId is unknown and not computed from a UserAssignedIdentity of "
            "this stack",
            id="a group grant's principal unknown, no dependency",
        ),
        pytest.param(
            _drop("l3-identity", "location"),
            "residency-uk-only",
            "l3-identity",
            f"{UNVERIFIABLE_PREFIX}location is unknown and not computed from resources of this stack located "
            "in uksouth, ukwest",
            id="location unknown, no dependency",
        ),
        pytest.param(
            _set("l3-rg", "location", "northeurope"),
            "residency-uk-only",
            "l3-identity",
            f"{UNVERIFIABLE_PREFIX}location is unknown and not computed from resources of this stack located "
            "in uksouth, ukwest",
            id="location unknown, computed from a group abroad",
        ),
        pytest.param(
            _set("l3-vault-diag", "eventHubAuthorizationRuleId", U),
            "audit-diagnostics-destination",
            "l3-vault-diag",
            "eventHubAuthorizationRuleId is set: logs must stay in the audit workspace and archive",
            id="event hub computed during preview",
        ),
    ],
)
def test_unknown_without_an_answering_dependency_blocks(
    mutate: Mutation, rule: str, resource: str, message: str
) -> None:
    stack = first_preview(BASELINE)
    mutate(stack)
    findings = _run(stack)
    hits = [f for f in findings if f.rule == rule and message in f.message]
    assert hits, f"expected {rule}: {message!r}; got:\n{describe(findings)}"
    assert any(f.urn == stack[resource].urn and f.level == "mandatory" for f in hits), describe(hits)
    assert not [f for f in findings if "can't run policy" in f.message], describe(findings)
