"""azure-api-conformance: every resource's inputs are a body Azure's own definition accepts.

The cases are the issue's self-test: each injects one kind of bad input into the compliant baseline
(an unknown property, a read-only one, a missing required one, a wrong type, an out-of-range
integer, a closed-enum typo, an over-long string, a pattern mismatch, a type with no definition)
and must see it caught with the input path, the ARM path, the API version and what Azure expects.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UNKNOWN_STRING_VALUE

from policies.arm_types import ARM_DEFINITIONS
from policies.catalog import STORAGE_ACCOUNT, classify
from policies.model import NotApplicable, Resource
from policies.rules.azure import api_conformance
from policies.rules.azure.api_conformance import (
    _arm_id_inputs,
    _camel,
    _enums,
    _Field,
    _flags,
    _in_enum,
    _integer,
    _limit_problem,
    problems,
)
from tests.policies.cases import BASELINE, Case, rule_tests, set_prop

RULE = "azure-api-conformance"

STORAGE = "Microsoft.Storage/storageAccounts 2024-01-01"

CASES = [
    Case(
        "unknown property (a misspelt input)",
        set_prop("l1-storage", "allowBlobPublicAcess", False),
        f"allowBlobPublicAcess: Azure's StorageAccountCreateParameters defines no such property ({STORAGE})",
        "l1-storage",
    ),
    Case(
        "read-only property",
        set_prop("audit-workspace", "customerId", "00000000-0000-0000-0000-000000000000"),
        "customerId: is read-only: Azure sets it and refuses it in a request (Microsoft.OperationalInsights/"
        "workspaces 2023-09-01, checked with the 2022-10-01 definition, properties.customerId)",
        "audit-workspace",
    ),
    Case(
        "missing required property",
        set_prop("l1-vault", "properties.tenantId"),
        "properties.tenantId: is required, but absent "
        "(Microsoft.KeyVault/vaults 2024-11-01, properties.tenantId)",
        "l1-vault",
    ),
    Case(
        "wrong type",
        set_prop("audit-lock", "notes", 42),
        "notes: expected a string, got 42 (Microsoft.Authorization/locks 2020-05-01, properties.notes)",
        "audit-lock",
    ),
    Case(
        "out-of-range integer",
        set_prop("l1-blob-service", "deleteRetentionPolicy.days", 400),
        "deleteRetentionPolicy.days: 400 is above the maximum 365 (Microsoft.Storage/storageAccounts/"
        "blobServices 2024-01-01, properties.deleteRetentionPolicy.days)",
        "l1-blob-service",
    ),
    Case(
        "closed-enum typo",
        set_prop("l1-vault", "properties.sku.family", "B"),
        "properties.sku.family: 'B' is not one of A "
        "(Microsoft.KeyVault/vaults 2024-11-01, properties.sku.family)",
        "l1-vault",
    ),
    Case(
        "over-long string",
        set_prop("l1-container-aggregated", "containerName", "aggregated-" + "x" * 60),
        "is 71 characters long, more than the maximum 63 (Microsoft.Storage/storageAccounts/blobServices/"
        "containers 2024-01-01, URL parameter {containerName})",
        "l1-container-aggregated",
    ),
    Case(
        "pattern mismatch",
        set_prop("audit-workspace", "workspaceName", "log-tvt-prod-audit-"),
        "workspaceName: 'log-tvt-prod-audit-' does not match the pattern "
        "^[A-Za-z0-9][A-Za-z0-9-]+[A-Za-z0-9]$ "
        "(Microsoft.OperationalInsights/workspaces 2023-09-01, checked with the 2022-10-01 definition, "
        "URL parameter {workspaceName})",
        "audit-workspace",
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)


def test_values_unknown_during_preview_are_skipped_but_their_names_are_checked() -> None:
    props = {
        **BASELINE["l1-storage"].props,
        "minimumTlsVersion": UNKNOWN_STRING_VALUE,  # would be a wrong value if it were known
        "allowBlobPublicAcess": UNKNOWN_BOOLEAN_VALUE,
    }
    found = problems(STORAGE_ACCOUNT, props)
    assert not isinstance(found, NotApplicable)
    assert [f.split(":")[0] for f in found] == ["allowBlobPublicAcess"]


def test_a_wrong_value_inside_a_list_names_its_index() -> None:
    props = BASELINE.copy()["l1-nsg"].props
    props["securityRules"][0]["access"] = "Denied"
    found = problems("azure-native:network:NetworkSecurityGroup", props)
    assert found == [
        "securityRules[0].access: 'Denied' is not one of Allow, Deny "
        "(Microsoft.Network/networkSecurityGroups 2024-05-01, properties.securityRules[0].properties.access)"
    ]


def test_components_and_providers_are_not_azure_resources() -> None:
    for type_ in ("tvt:level:DataLevel", "pulumi:pulumi:Stack", "pulumi:providers:azure-native"):
        assert isinstance(problems(type_, {}), NotApplicable), type_


def test_an_uncatalogued_type_fails_closed() -> None:
    assert problems("azure-native:sql:Server", {"location": "uksouth"}) == [
        "resource type azure-native:sql:Server is not in policies/catalog.py: its ARM id and Azure "
        "definition are unknown, so its inputs cannot be checked against Azure's types"
    ]


def test_values_that_combine_are_checked_part_by_part() -> None:
    props = BASELINE.copy()["l1-storage"].props
    props["networkRuleSet"]["bypass"] = "Logging, Metrics"  # the model's docs: "any combination of"
    assert problems(STORAGE_ACCOUNT, props) == []
    props["networkRuleSet"]["bypass"] = "Logging, Metrix"
    assert problems(STORAGE_ACCOUNT, props) == [
        "networkRuleSet.bypass: 'Logging, Metrix' is not a combination of None, Logging, Metrics, "
        "AzureServices (Microsoft.Storage/storageAccounts 2024-01-01, properties.networkAcls.bypass)"
    ]


def test_item_limits_apply_to_the_list_and_value_limits_to_each_item() -> None:
    # A diagnostic setting's retention days (minimum 0) inside its list of log settings.
    setting = {
        "name": "diag",
        "resourceUri": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
        "logs": [
            {"categoryGroup": "allLogs", "enabled": True, "retentionPolicy": {"enabled": False, "days": -1}}
        ],
    }
    assert problems("azure-native:monitor:DiagnosticSetting", setting) == [
        "logs[0].retentionPolicy.days: -1 is below the minimum 0 (Microsoft.Insights/diagnosticSettings "
        "2021-05-01-preview, properties.logs[0].retentionPolicy.days)"
    ]


ROOT = Path(__file__).resolve().parents[4]
# The pack's gRPC server runs Analyze calls on several threads, and what the rule reads once per
# type is built on its first check: in a fresh interpreter, eight threads check every baseline
# resource at once (also with an undefined input and a mistyped location) and must find exactly what
# one thread finds afterwards from the warm caches.
THREADS_SCRIPT = textwrap.dedent(
    """
    import json
    import threading
    from policies.model import NotApplicable
    from policies.props import read_only
    from policies.rules.azure.api_conformance import problems
    from tests.policies.baselines import compliant_stack

    inputs = []
    for r in compliant_stack().resources.values():
        inputs.append((r.type, r.props))
        inputs.append((r.type, {**r.props, "notAnAzureProperty": True}))
        inputs.append((r.type, {**r.props, "location": 7}))

    def check(type_, props):
        found = problems(type_, read_only(props))
        return found.reason if isinstance(found, NotApplicable) else list(found)

    results = {}
    errors = []
    start = threading.Barrier(8)

    def work(offset):
        start.wait()
        try:
            start_at = offset * len(inputs) // 8  # each thread starts on other types
            order = [*range(start_at, len(inputs)), *range(start_at)]
            results[offset] = {i: check(*inputs[i]) for i in order}
        except Exception as error:
            errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    warm = {i: check(*inputs[i]) for i in range(len(inputs))}
    differ = [o for o, found in results.items() if found != warm]
    findings = sum(len(v) for v in warm.values() if isinstance(v, list))
    print(json.dumps({"inputs": len(inputs), "findings": findings, "differ": differ, "errors": errors}))
    """
)


def test_concurrent_first_checks_answer_as_warm_ones() -> None:
    done = subprocess.run(
        [sys.executable, "-c", THREADS_SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["errors"] == [] and report["differ"] == [], report
    assert report["inputs"] > 100 and report["findings"] > report["inputs"] / 3, report


# The checker's parts, each pinned on its own (make mutate: a mutant of any of them must fail here).


@pytest.mark.parametrize(
    ("limit", "value", "bound", "message"),
    [
        ("max_length", "abcd", 3, "'abcd' is 4 characters long, more than the maximum 3"),
        ("min_length", "a", 3, "'a' is 1 characters long, fewer than the minimum 3"),
        ("max_items", [1, 2], 1, "has 2 items, more than the maximum 1"),
        ("min_items", [], 1, "has 0 items, fewer than the minimum 1"),
        ("minimum", -1, 0, "-1 is below the minimum 0"),
        ("maximum", 9, 8, "9 is above the maximum 8"),
        ("minimum_ex", 0, 0, "0 is not above 0"),
        ("maximum_ex", 5, 5, "5 is not below 5"),
        ("pattern", "x", "^y$", "'x' does not match the pattern ^y$"),
        ("unique", [1, 1], True, "has duplicate items"),
        ("multiple", 3, 2, "3 is not a multiple of 2"),
    ],
)
def test_each_limit_says_which_limit_and_by_how_much(
    limit: str, value: object, bound: object, message: str
) -> None:
    assert _limit_problem(limit, value, bound) == message


class _Models:
    class Bypass(Enum):
        NONE = "None"
        LOGGING = "Logging"

    class Action(Enum):
        ALLOW = "Allow"
        DENY = "Deny"

    NotAnEnum = "a string, not a class"


_models = _Models  # the name the generator's annotations use


class _Documented:
    """A model as Microsoft's generator documents one.

    :ivar bypass: Specifies whether traffic is bypassed. Possible values are any combination of
     Logging|Metrics.
    :vartype bypass: str or ~models.Bypass
    :ivar action: The default action. Known values are: "Allow" and "Deny".
    :vartype action: str or ~models.Action
    :ivar note: Free text, for example: a combination of words: not a flag.
    :vartype note: str

    Only an attribute's own text counts: any combination of words after its type is not its.
    """

    def __init__(
        self,
        *,
        bypass: str | _models.Bypass = "",
        action: str | _models.Action = "",
        note: str = "",
        other: str | _models.NotAnEnum = "",
        missing: str | _models.Missing = "",  # type: ignore[name-defined]  # a name the package lacks
    ) -> None:
        pass


def test_flags_are_the_attributes_whose_docs_say_their_values_combine() -> None:
    assert _flags(_Documented) == {"bypass"}
    assert _flags(type("Undocumented", (), {})) == set()


def test_only_the_text_before_an_attributes_first_type_line_is_its_description() -> None:
    doc = "Model.\n\n    :ivar mode: The mode. :vartype mode: any combination of A|B :vartype mode: str\n"
    assert _flags(type("TwoTypeLines", (), {"__doc__": doc})) == set()
    plain = "Model.\n\n    :ivar mode: The mode: any combination of A|B. :vartype mode: str\n"
    assert _flags(type("OneTypeLine", (), {"__doc__": plain})) == {"mode"}


def test_enums_come_from_the_constructors_annotations() -> None:
    assert _enums(_Documented, _Models) == {"bypass": ("None", "Logging"), "action": ("Allow", "Deny")}


def test_enum_values_compare_case_insensitively_and_flags_part_by_part() -> None:
    plain = _Field("action", ("action",), "str", {}, ("Allow", "Deny"), flags=False)
    assert _in_enum("deny", plain) and not _in_enum("Allow, Deny", plain)
    combined = _Field("bypass", ("bypass",), "str", {}, ("None", "Logging", "Metrics"), flags=True)
    assert _in_enum("logging ,Metrics", combined) and not _in_enum("Logging, Metrix", combined)


def test_integers_are_whole_numbers_but_not_booleans() -> None:
    assert _integer(3) and _integer(3.0)
    assert not _integer(True) and not _integer(3.5) and not _integer("3")


def test_model_attribute_names_read_as_azure_native_input_names() -> None:
    assert _camel("allow_blob_public_access") == "allowBlobPublicAccess"
    assert _camel("kind") == "kind"


def test_url_parameters_are_the_arm_id_templates_inputs_and_the_replacement_identity() -> None:
    storage = classify(STORAGE_ACCOUNT)
    assert storage is not None and _arm_id_inputs(storage) == {"resourcegroupname", "accountname"}
    rg = classify("azure-native:resources:ResourceGroup")
    assert rg is not None and _arm_id_inputs(rg) == {"resourcegroupname"}


def test_warming_builds_every_defined_type_once_and_checks_alike() -> None:
    """serve() warms the models in the background; a warmed target is the one a check builds."""
    from policies.arm_types import ARM_DEFINITIONS
    from policies.rules.azure.api_conformance import _target, warm

    _target.cache_clear()  # as in a fresh pack: other tests' checks built targets already
    assert warm() == len(ARM_DEFINITIONS)
    size = _target.cache_info().currsize
    assert size >= len(ARM_DEFINITIONS)
    assert warm() == len(ARM_DEFINITIONS) and _target.cache_info().currsize == size, "built once"
    assert problems(STORAGE_ACCOUNT, BASELINE["l1-storage"].props) == []
    assert _target.cache_info().currsize == size, "a check uses the warmed target"


def test_warming_skips_an_uncatalogued_type_and_one_that_cannot_be_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from policies.arm_types import ARM_DEFINITIONS
    from policies.rules.azure.api_conformance import warm

    storage = ARM_DEFINITIONS[STORAGE_ACCOUNT]
    broken = dataclasses.replace(storage, model="azure.mgmt.storage.models.NoSuchModel")
    definitions = {
        "azure-native:sql:Server": storage,  # not in the catalog
        "azure-native:keyvault:Vault": broken,  # its target fails to build: the rule reports it
        STORAGE_ACCOUNT: storage,
    }
    monkeypatch.setattr(api_conformance, "ARM_DEFINITIONS", definitions)
    assert warm() == 1


def test_url_parameters_include_every_template_input_but_the_templates_own_name() -> None:
    key = classify("azure-native:keyvault:Key")  # ".../vaults/{vaultName}/keys/{name}"
    assert key is not None and _arm_id_inputs(key) == {"resourcegroupname", "vaultname", "keyname"}


def test_url_parameters_add_the_replacement_identity_to_the_arm_id_inputs() -> None:
    storage = classify(STORAGE_ACCOUNT)
    assert storage is not None and storage.replacement is not None
    wider = dataclasses.replace(
        storage, replacement=dataclasses.replace(storage.replacement, identity=("scope",))
    )
    assert _arm_id_inputs(wider) == {"resourcegroupname", "accountname", "scope"}
    assert _arm_id_inputs(dataclasses.replace(storage, replacement=None)) == {
        "resourcegroupname",
        "accountname",
    }


def test_a_component_is_not_applicable_because_azure_has_no_id_for_it() -> None:
    found = problems("tvt:level:DataLevel", {})
    assert found == NotApplicable("not an Azure resource (the catalog records no ARM id for it)")


POLICY = "azure-native:storage:BlobContainerImmutabilityPolicy"
NO_DEFINITION_FOR = f"{POLICY} has no Azure type definition to check its inputs against"


def _without_definition(monkeypatch: pytest.MonkeyPatch, reasons: dict[str, str]) -> None:
    """The catalog keeps the row; its definition is gone (as for a type azure-native drops)."""
    monkeypatch.setattr(
        api_conformance, "ARM_DEFINITIONS", {k: v for k, v in ARM_DEFINITIONS.items() if k != POLICY}
    )
    monkeypatch.setattr(api_conformance, "NO_DEFINITION", reasons)


def test_a_type_with_no_definition_gives_the_recorded_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    _without_definition(monkeypatch, {POLICY: "azure-native 9 has no such resource"})
    assert problems(POLICY, {}) == [f"{NO_DEFINITION_FOR}: azure-native 9 has no such resource"]


def test_a_type_with_neither_definition_nor_reason_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    _without_definition(monkeypatch, {})
    assert problems(POLICY, {}) == [f"{NO_DEFINITION_FOR}: policies/arm_types.py has no row for it"]


def test_a_container_retention_policy_is_checked_against_azures_definition() -> None:
    good = {
        "resourceGroupName": "rg-tvt-prod-l3",
        "accountName": "sttvtprodl3abcde",
        "containerName": "raw",
        "immutabilityPolicyName": "default",
        "immutabilityPeriodSinceCreationInDays": 365,
        "allowProtectedAppendWrites": False,
    }
    assert list(problems(POLICY, good)) == []
    found = list(problems(POLICY, {**good, "immutabilityPeriodSinceCreation": 365}))
    assert found and "immutabilityPeriodSinceCreation" in found[0], found


def test_the_rule_answers_with_an_iterator_of_findings() -> None:
    resource = Resource(
        "urn:l1-lock",
        "azure-native:authorization:ManagementLockAtResourceGroupLevel",
        "l",
        {**BASELINE["audit-lock"].props, "notes": 42},
    )
    found = api_conformance.check(resource, {})
    assert isinstance(found, Iterator)
    assert list(found) == [
        "notes: expected a string, got 42 (Microsoft.Authorization/locks 2020-05-01, properties.notes)"
    ]


def _storage(**changes: Any) -> list[str]:
    found = problems(STORAGE_ACCOUNT, {**BASELINE.copy()["l1-storage"].props, **changes})
    assert not isinstance(found, NotApplicable)
    return list(found)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            # azure-native takes a list of ids for ARM's map keyed by id: each item must be an id
            {
                "identity": {
                    "type": "UserAssigned",
                    "userAssignedIdentities": [None, UNKNOWN_STRING_VALUE, "/id", 7],
                }
            },
            "identity.userAssignedIdentities[3]: expected a resource id, got 7 "
            f"({STORAGE}, identity.userAssignedIdentities)",
        ),
        ({"tags": ["a"]}, f"tags: expected an object, got ['a'] ({STORAGE}, tags)"),
        ({"tags": "x"}, f"tags: expected an object, got 'x' ({STORAGE}, tags)"),
        ({"tags": {"a": 7, "b": "ok"}}, f"tags.a: expected a string, got 7 ({STORAGE}, tags.a)"),
        (
            {"networkRuleSet": "x"},
            "networkRuleSet: expected an object (NetworkRuleSet), got 'x' "
            f"({STORAGE}, properties.networkAcls)",
        ),
    ],
)
def test_maps_objects_and_identity_lists_are_checked_by_shape(changes: dict[str, Any], expected: str) -> None:
    assert _storage(**changes) == [expected]


def test_a_list_input_given_a_scalar_is_reported() -> None:
    props = {**BASELINE.copy()["l1-nsg"].props, "securityRules": "x"}
    assert problems("azure-native:network:NetworkSecurityGroup", props) == [
        "securityRules: expected a list, got 'x' "
        "(Microsoft.Network/networkSecurityGroups 2024-05-01, properties.securityRules)"
    ]


def test_a_string_format_is_checked_with_the_packages_parser() -> None:
    setting = {
        "name": "diag",
        "resourceUri": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
        "metrics": [
            {"category": "AllMetrics", "enabled": True, "timeGrain": "PT1M"},
            {"category": "AllMetrics", "enabled": True, "timeGrain": "one minute"},
        ],
    }
    assert problems("azure-native:monitor:DiagnosticSetting", setting) == [
        "metrics[1].timeGrain: expected an ISO 8601 duration, got 'one minute' "
        "(Microsoft.Insights/diagnosticSettings 2021-05-01-preview, properties.metrics[1].timeGrain)"
    ]


VAULT = "Microsoft.KeyVault/vaults 2024-11-01"


def test_a_missing_required_top_level_input_is_reported_but_location_is_filled_in() -> None:
    # Azure requires the vault's location and properties; azure-native fills in only the location.
    assert problems("azure-native:keyvault:Vault", {}) == [
        f"properties: is required, but absent ({VAULT}, properties)"
    ]


def test_every_input_is_checked_after_a_url_parameter_and_an_undefined_one() -> None:
    props = {"resourceGroupName": "rg", "bogusA": 1, "bogusB": 2, "properties": {"tenantId": "t"}}
    found = problems("azure-native:keyvault:Vault", props)
    assert isinstance(found, list) and [f.split(":")[0] for f in found] == [
        "bogusA",
        "bogusB",
        "properties.sku",
    ]


def test_every_input_is_checked_after_a_read_only_one() -> None:
    props = {
        "customerId": "00000000-0000-0000-0000-000000000000",
        **BASELINE.copy()["audit-workspace"].props,
        "bogus": 1,
    }
    found = problems("azure-native:operationalinsights:Workspace", props)
    assert isinstance(found, list) and [f.split(":")[0] for f in found] == ["customerId", "bogus"]


# No defined type today has a polymorphic model or a limit on a list as a whole; these are pinned
# with models shaped as Microsoft's generator shapes them, checked with the storage package's validation.


class _Pet:
    __module__ = "policies.rules.azure.models"  # its models module's package: any importable one
    _attribute_map = {"kind": {"key": "kind", "type": "str"}, "name": {"key": "name", "type": "str"}}
    _subtype_map = {"kind": {"Cat": "_Cat"}}


class _Cat:
    __module__ = "policies.rules.azure.models"  # its models module's package: any importable one
    _attribute_map = {
        "kind": {"key": "kind", "type": "str"},
        "name": {"key": "name", "type": "str"},
        "lives": {"key": "properties.lives", "type": "int"},
    }


class _Alert:
    __module__ = "policies.rules.azure.models"  # its models module's package: any importable one
    # A discriminator that is none of the model's attributes (the generator writes none; the walk
    # must still not fail on one): no input can choose a subtype.
    _attribute_map = {"kind": {"key": "kind", "type": "str"}}
    _subtype_map = {"species": {"Cat": "_Cat"}}


class _Kennel:
    __module__ = "policies.rules.azure.models"  # its models module's package: any importable one
    _attribute_map = {"pets": {"key": "pets", "type": "[str]"}}
    _validation = {"pets": {"max_items": 1, "max_length": 3}}


class _Vet:
    __module__ = "policies.rules.azure.models"  # its models module's package: any importable one
    _attribute_map = {
        "pet": {"key": "pet", "type": "NoSuchModel"},
        "mood": {"key": "mood", "type": "Mood"},
    }


class _PetModels:
    _Cat = _Cat

    class Mood(Enum):  # a class, but not a model
        CALM = "Calm"


def _check(cls: type, value: dict[str, Any]) -> list[str]:
    from policies.arm_types import ARM_DEFINITIONS
    from policies.rules.azure.api_conformance import _Checker, _target

    info = classify(STORAGE_ACCOUNT)
    assert info is not None
    target = dataclasses.replace(
        _target(STORAGE_ACCOUNT, info, ARM_DEFINITIONS[STORAGE_ACCOUNT]), root=cls, models=_PetModels
    )
    checker = _Checker(target)
    checker.model(cls, value, frozenset())
    return checker.findings


def test_a_polymorphic_input_is_checked_against_the_subtype_its_discriminator_names() -> None:
    assert _check(_Pet, {"kind": "Cat", "name": "tom", "lives": "nine"}) == [
        f"lives: expected an integer, got 'nine' ({STORAGE}, properties.lives)"
    ]


def test_a_polymorphic_input_of_an_unknown_kind_is_checked_against_the_base() -> None:
    assert _check(_Pet, {"kind": "Dog", "lives": 9}) == [
        f"lives: Azure's _Pet defines no such property ({STORAGE})"
    ]


def test_a_discriminator_that_names_no_attribute_leaves_the_base_model() -> None:
    assert _check(_Alert, {"kind": "Cat", "lives": 9}) == [
        f"lives: Azure's _Alert defines no such property ({STORAGE})"
    ]


def test_a_lists_item_count_is_checked_once_every_item_is_known() -> None:
    assert _check(_Kennel, {"pets": ["a", "b"]}) == [
        f"pets: has 2 items, more than the maximum 1 ({STORAGE}, pets)"
    ]
    assert _check(_Kennel, {"pets": ["a", UNKNOWN_STRING_VALUE]}) == []


def test_a_value_limit_applies_to_each_item_of_a_list_not_to_the_list() -> None:
    assert _check(_Kennel, {"pets": ["abcd"]}) == [
        f"pets[0]: 'abcd' is 4 characters long, more than the maximum 3 ({STORAGE}, pets[0])"
    ]


@pytest.mark.parametrize(("input_", "type_"), [("pet", "NoSuchModel"), ("mood", "Mood")])
def test_a_type_the_models_module_has_no_model_of_is_an_error_not_a_pass(input_: str, type_: str) -> None:
    with pytest.raises(ValueError, match=rf"^{input_}: unknown type '{type_}' in azure\.mgmt\.storage\."):
        _check(_Vet, {input_: {"name": "x"}})


def test_a_type_with_no_arm_id_has_no_arm_id_inputs() -> None:
    from policies.rules.azure.api_conformance import _arm_id_inputs

    info = classify("tvt:level:DataLevel")  # a component: no ARM id, no replacement inputs
    assert info is not None and info.arm_id is None
    assert _arm_id_inputs(info) == set()
