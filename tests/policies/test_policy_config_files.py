"""policies/config/<stack>.json: parse, name only registered rules, carry every level, validate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from policies.exemptions import parse_exemptions
from policies.pack import RULES
from tests.conftest import TODAY_DATE
from tests.policies.baselines import compliant_stack
from tests.policies.harness import CONFIG_DIR, analyzer, load_config, run

FILES = sorted(CONFIG_DIR.glob("*.json"))
DECLARED = {r.meta.id: r.meta.enforcement.value for r in RULES}
SCHEMAS = {r.meta.id: r.meta.config_schema() for r in RULES}


def full_schema(rule_id: str) -> dict[str, Any]:
    """The engine's schema for one policy's config, plus enforcementLevel, strict about unknown keys."""
    return {
        "type": "object",
        "properties": {
            "enforcementLevel": {"enum": ["advisory", "mandatory", "remediate", "disabled"]},
            **SCHEMAS[rule_id],
        },
        "required": ["enforcementLevel"],
        "additionalProperties": False,
    }


def test_one_config_per_stack() -> None:
    assert [f.stem for f in FILES] == ["dev", "prod", "test"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_config_file_is_complete_and_explicit(path: Path) -> None:
    config = json.loads(path.read_text())
    assert isinstance(config, dict)
    assert "all" not in config, "set each rule's level explicitly"
    assert sorted(config) == sorted(DECLARED), f"{path.name}: must list exactly the registered rules"
    for rule_id, entry in config.items():
        # Explicit in the file, never left to the protobuf default (ADVISORY) or to a reader's guess.
        assert entry.get("enforcementLevel") == DECLARED[rule_id], f"{path.name}: {rule_id}.enforcementLevel"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_config_file_validates_against_every_rule_schema(path: Path) -> None:
    config = json.loads(path.read_text())
    for rule_id, entry in config.items():
        validator = jsonschema.Draft202012Validator(
            full_schema(rule_id), format_checker=jsonschema.FormatChecker()
        )
        errors = [
            f"{rule_id}.{'.'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(entry)
        ]
        assert not errors, f"{path.name}:\n" + "\n".join(errors)
        parse_exemptions(rule_id, entry.get("exemptions"), TODAY_DATE)


# The design exemptions every stack carries: rule -> (URN glob after the stack, words its reason must say).
DESIGN_EXEMPTIONS = {
    "encryption-cmk-same-level": (
        "tvt-platform::azure-native:operationalinsights:Workspace::*",
        ("dedicated cluster",),
    ),
    "network-public-access-disabled": (
        "tvt-platform::azure-native:storage:StorageAccount::audit-archive-account",
        ("trusted Microsoft service", "AzureServices", "no IP", "WORM", "customer-managed key"),
    ),
}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_design_exemptions_are_present_reasoned_and_scoped(path: Path) -> None:
    config = json.loads(path.read_text())
    for rule, (glob, words) in DESIGN_EXEMPTIONS.items():
        exemptions = parse_exemptions(rule, config[rule]["exemptions"], TODAY_DATE)
        assert len(exemptions) == 1, f"{path.name}: {rule}"
        (only,) = exemptions
        assert only.resource == f"urn:pulumi:{path.stem}::{glob}"
        assert only.expires.year == 2027
        assert all(w in only.reason for w in words), f"{path.name}: {rule}: reason must say {words}"
        assert "Senior Information Risk Owner" in only.approver
    others = [r for r, e in config.items() if e.get("exemptions") and r not in DESIGN_EXEMPTIONS]
    assert not others, f"{path.name}: unexpected exemptions for {others}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_archive_exemption_matches_the_programs_archive_account(path: Path) -> None:
    (archive,) = parse_exemptions(
        "network-public-access-disabled",
        json.loads(path.read_text())["network-public-access-disabled"]["exemptions"],
        TODAY_DATE,
    )
    stack = path.stem
    program_urn = (
        f"urn:pulumi:{stack}::tvt-platform::tvt:platform:Platform$tvt:audit:AuditServices$"
        "tvt:storage:SecureStorage$azure-native:storage:StorageAccount::audit-archive-account"
    )
    assert archive.matches(program_urn)
    assert not archive.matches(program_urn.replace("audit-archive-account", "l3-storage-account"))


def test_malformed_exemption_fails_the_rule_schema() -> None:
    bad = {
        "enforcementLevel": "mandatory",
        "exemptions": [{"resource": "*", "reason": "because", "expires": "soon"}],
    }
    errors = list(jsonschema.Draft202012Validator(full_schema("encryption-tls")).iter_errors(bad))
    assert {e.validator for e in errors} >= {"required", "pattern"}


def test_unknown_parameter_fails_the_rule_schema() -> None:
    typo = {"enforcementLevel": "mandatory", "minimumRetentionDay": 90}
    assert list(jsonschema.Draft202012Validator(full_schema("audit-workspace-retention")).iter_errors(typo))


@pytest.mark.parametrize("stack", ["dev", "test", "prod"])
def test_baseline_of_each_environment_passes_with_its_config(stack: str) -> None:
    findings = run(analyzer(load_config(stack)), compliant_stack(stack))
    blocking = [f for f in findings if f.level == "mandatory" or not f.exempted]
    assert not blocking, "\n".join(f"{f.rule}: {f.message}" for f in blocking)


def test_missing_enforcement_level_never_downgrades() -> None:
    # The protobuf default level is ADVISORY, so a PolicyConfig without one would silently downgrade.
    # The engine never sends that (it fills each policy's declared level from GetAnalyzerInfo, and every
    # rule declares one); our in-process callers reconcile the same way; and every config file states
    # each level (checked above). Here: a config omitting levels still blocks on a mandatory finding.
    findings = run(analyzer({"encryption-cmk-same-level": {}}), compliant_stack())
    assert [f.level for f in findings if f.rule == "encryption-cmk-same-level"] == ["mandatory"]
