"""The registry is explicit and pinned: rule ids, their levels, where they live, what they declare."""

from __future__ import annotations

import importlib
import inspect

import jsonschema
import pytest
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy

from policies.framework import NCSC_FRAMEWORK, ResourceRule
from policies.pack import PACK_DEFAULT_LEVEL, PACK_NAME, RULES, build_policies, make_analyzer

# The snapshot (cdk-nag style): changing a rule id or its level must change this list in review.
SNAPSHOT = [
    ("encryption-cmk-same-level", "mandatory"),
    ("encryption-unclassified-type", "mandatory"),
    ("azure-api-conformance", "mandatory"),
    ("encryption-infrastructure", "mandatory"),
    ("encryption-tls", "mandatory"),
    ("encryption-key-strength", "mandatory"),
    ("audit-diagnostics-present", "mandatory"),
    ("audit-diagnostics-destination", "mandatory"),
    ("audit-blob-service-logs", "mandatory"),
    ("audit-workspace-retention", "mandatory"),
    ("audit-activity-log-export", "mandatory"),
    ("network-public-access-disabled", "mandatory"),
    ("network-default-deny", "mandatory"),
    ("network-private-endpoint", "mandatory"),
    ("network-private-dns", "mandatory"),
    ("network-subnet-nsg", "mandatory"),
    ("network-nsg-deny-internet-inbound", "mandatory"),
    ("network-no-public-blob", "mandatory"),
    ("identity-shared-key-disabled", "mandatory"),
    ("identity-keyvault-rbac", "mandatory"),
    ("identity-no-access-policies", "mandatory"),
    ("identity-role-assignment-groups", "mandatory"),
    ("identity-role-allow-list", "mandatory"),
    ("identity-no-privileged-roles", "mandatory"),
    ("identity-cmk-grant-scope", "mandatory"),
    ("identity-grant-scope", "mandatory"),
    ("identity-level3-use-case", "mandatory"),
    ("residency-uk-only", "mandatory"),
    ("residency-geo-redundancy-uk", "mandatory"),
    ("data-protection-keyvault", "mandatory"),
    ("data-protection-blob-soft-delete", "mandatory"),
    ("data-protection-prod-protect", "mandatory"),
    ("data-protection-prod-locks", "mandatory"),
    ("data-protection-audit-immutability", "mandatory"),
    ("data-protection-write-once-zones", "mandatory"),
    ("data-protection-no-cross-tenant-replication", "mandatory"),
    ("data-protection-level-boundary", "mandatory"),
    ("tagging-required-tags", "advisory"),
    ("exemption-expired", "mandatory"),
    ("exemption-unused", "advisory"),
]
ADVISORY = {"tagging-required-tags", "exemption-unused"}
LEVEL_NAMES = {analyzer_pb2.ADVISORY: "advisory", analyzer_pb2.MANDATORY: "mandatory"}


def test_registry_snapshot() -> None:
    assert [(r.meta.id, r.meta.enforcement.value) for r in RULES] == SNAPSHOT


def test_pack_default_is_mandatory() -> None:
    # A policy without its own level would otherwise be advisory (the SDK's default).
    assert PACK_DEFAULT_LEVEL is EnforcementLevel.MANDATORY
    assert all(p.enforcement_level is not None for p in build_policies()), (
        "every rule sets its level explicitly"
    )


def test_analyzer_info_reports_levels_and_metadata() -> None:
    info = make_analyzer().GetAnalyzerInfo(empty_pb2.Empty(), None)
    assert info.name == PACK_NAME
    assert info.supportsConfig
    levels = {p.name: LEVEL_NAMES.get(p.enforcementLevel, "other") for p in info.policies}
    assert levels == dict(SNAPSHOT)
    assert {n for n, level in levels.items() if level != "mandatory"} == ADVISORY
    for p in info.policies:
        assert p.framework.name == NCSC_FRAMEWORK, p.name
        assert any(t.startswith("ncsc-csp:") for t in p.tags), p.name
        assert p.remediation_steps and p.url.startswith("https://") and p.displayName, p.name
        assert p.severity != analyzer_pb2.POLICY_SEVERITY_UNSPECIFIED, p.name
        assert "exemptions" in json_format.MessageToDict(p.configSchema.properties), p.name


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.meta.id)
def test_rule_id_is_readable_from_its_path(rule: ResourceRule) -> None:
    module = inspect.getmodule(rule.check)
    assert module is not None
    family, name = module.__name__.removeprefix("policies.rules.").split(".")
    assert rule.meta.id == f"{family}-{name}".replace("_", "-"), module.__name__
    assert importlib.import_module(module.__name__).RULE is rule


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.meta.id)
def test_rule_documents_itself(rule: ResourceRule) -> None:
    module = inspect.getmodule(rule.check)
    assert module is not None and module.__doc__ and module.__doc__.startswith(f"{rule.meta.id}:")
    doc = inspect.getdoc(rule.check) or ""
    assert "\n\n" in doc, f"{rule.meta.id}: the check's docstring says what (first line) and why (body)"
    assert len(rule.description) <= 110


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.meta.id)
def test_config_schema_is_valid_json_schema(rule: ResourceRule) -> None:
    schema = {"type": "object", "properties": rule.meta.config_schema(), "additionalProperties": False}
    jsonschema.Draft202012Validator.check_schema(schema)
    defaults = {k: v["default"] for k, v in rule.meta.config_schema().items()}
    jsonschema.Draft202012Validator(schema).validate(defaults)


def test_policy_kinds_match_rule_kinds() -> None:
    for rule, policy in zip(RULES, build_policies(), strict=True):
        expected = ResourceValidationPolicy if isinstance(rule, ResourceRule) else StackValidationPolicy
        assert isinstance(policy, expected), rule.meta.id
