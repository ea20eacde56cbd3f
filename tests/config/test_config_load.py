"""Reading stack files, building the model, collecting issues, and the TVT_TODAY clock."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from components.config import schema as schema_module
from components.config.issues import ConfigIssue, sorted_issues
from components.config.load import (
    ConfigError,
    load_stack,
    parse_stack_config,
    read_stack_file,
    stack_file,
    today,
)
from components.config.model import Role, UseCase
from components.config.schema import SECURE_VALUE_MESSAGE
from components.config.semantic import check_names
from scripts.cli import main
from tests.conftest import TODAY, TODAY_DATE

FILE = "stacks/Pulumi.prod.yaml"


# --- reading files --------------------------------------------------------------------------------


def test_missing_file_is_a_clean_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ConfigError) as caught:
        load_stack("qa", root=tmp_path)
    assert str(caught.value) == "stacks/Pulumi.qa.yaml: (file): no such stack file"
    assert main(["validate", "--stack", "qa", "--root", str(tmp_path)]) == 2
    assert capsys.readouterr() == ("", "stacks/Pulumi.qa.yaml: (file): no such stack file\n")


def test_unreadable_file_is_a_clean_error(write_stack: Callable[..., Path], tmp_path: Path) -> None:
    path = write_stack(raw="")
    path.write_bytes(b"config:\n  tvt:owner: caf\xe9\n")  # not UTF-8
    with pytest.raises(ConfigError) as caught:
        load_stack("prod", root=tmp_path)
    [issue] = caught.value.issues
    assert (issue.file, issue.path) == ("stacks/Pulumi.prod.yaml", "(file)")
    assert issue.message.startswith("cannot read the stack file:")


@pytest.mark.parametrize(
    ("text", "path", "phrase"),
    [
        ("config:\n  tvt:levels: [\n", "line 3, column 1", "invalid YAML: expected the node content"),
        (
            "config:\n  tvt:owner: a\n  tvt:owner: b\n",
            "line 3, column 3",
            "invalid YAML: duplicate key 'tvt:owner'",
        ),
        ("- config\n", "(document)", "expected a mapping with a config: key, got a list"),
        ("just text\n", "(document)", "expected a mapping with a config: key, got a str"),
        ("config: [tvt:owner]\n", "config", "expected a mapping of config keys, got a list"),
        ("config:\n  tvt:grants: &g [*g]\n", "config", "self-referencing YAML anchor"),
        ("config:\n  ? [a]\n  : b\n", "line 2, column 5", "invalid YAML: found unhashable key"),
        (
            "config:\n  tvt:owner: !!python/name:os.system\n",
            "line 2, column 14",
            "invalid YAML: could not determine",
        ),
        (  # pasted at column 0: the engine ignores it, and the use case would not be there
            "config:\n  tvt:owner: a\ntvt:useCases:\n  - id: UC-2026-009\n",
            "tvt:useCases",
            "expected only the stack file's own keys (config, secretsprovider, encryptedkey, "
            "encryptionsalt, environment) at the top level; a config key goes under config:",
        ),
        (
            "config:\n  tvt:owner: a\nencryptedkey: 5\n",
            "encryptedkey",
            "expected a string (as pulumi stack init",
        ),
        (  # ESC values are not in the file: the verdict would not be about what is deployed
            "config:\n  tvt:owner: a\nenvironment:\n  - tvt/prod\n",
            "environment",
            "expected no Pulumi ESC environment: the offline preview cannot see the config it adds",
        ),
    ],
    ids=[
        "malformed",
        "duplicate-key",
        "list-document",
        "scalar-document",
        "config-not-mapping",
        "recursive-anchor",
        "unhashable-key",
        "python-tag",
        "config-key-at-the-top-level",
        "encrypted-key-not-a-string",
        "esc-environment",
    ],
)
def test_unreadable_files_exit_2_with_one_issue(
    validate: Callable[..., Any], text: str, path: str, phrase: str
) -> None:
    code, out, issues = validate(raw=text)
    assert (code, out) == (2, "")
    assert len(issues) == 1, issues
    file, issue_path, message = issues[0]
    assert (file, issue_path) == (FILE, path)
    assert phrase in message


def test_unknown_key_and_secure_value_in_a_file(validate: Callable[..., Any], base: dict[str, Any]) -> None:
    base["tvt:colour"] = "blue"
    base["tvt:tenantId"] = {"secure": "AAABAHd1cmJsZQ=="}
    code, _, issues = validate(base)
    assert code == 2
    secret = SECURE_VALUE_MESSAGE
    assert [(p, m.split(";")[0]) for _, p, m in issues] == [
        ("tvt:colour", "unknown key"),
        ("tvt:tenantId", secret),
    ]
    assert "no tvt key takes a secret" in secret and "`pulumi config set --secret`" in secret


def test_provider_secrets_are_not_ours_to_judge(validate: Callable[..., Any], base: dict[str, Any]) -> None:
    base["azure-native:clientSecret"] = {"secure": "AAABAHd1cmJsZQ=="}
    base["pulumi:disable-default-providers"] = ["*"]
    code, out, issues = validate(base)
    assert (code, issues) == (0, []), issues
    assert "2 partners, 2 use cases, 4 grants" in out


def test_dates_and_numeric_keys_read_as_the_engine_sees_them(write_stack: Callable[..., Path]) -> None:
    path = write_stack(
        raw="config:\n  tvt:levels:\n    1: {addressSpace: 10.0.0.0/24}\n  tvt:x: {expires: '2027-09-30'}\n"
    )
    config = read_stack_file(path, root=path.parents[1])
    assert config == {
        "tvt:levels": {"1": {"addressSpace": "10.0.0.0/24"}},
        "tvt:x": {"expires": "2027-09-30"},
    }


def test_an_unquoted_date_is_refused_by_file_line_and_how_to_write_it(
    write_stack: Callable[..., Path],
) -> None:
    """go-yaml reads it as a timestamp, and Pulumi hands the program '2027-09-30 00:00:00 +0000 UTC'."""
    path = write_stack(raw="config:\n  tvt:x: {expires: 2027-09-30}\n")
    with pytest.raises(ConfigError) as caught:
        read_stack_file(path, root=path.parents[1])
    assert str(caught.value).startswith(
        "stacks/Pulumi.prod.yaml: line 2, column 20: invalid YAML: expected a quoted"
    )
    assert 'write "2027-09-30"' in str(caught.value)


def test_stack_file_location(tmp_path: Path) -> None:
    assert stack_file("prod", tmp_path) == tmp_path / "stacks" / "Pulumi.prod.yaml"


def test_empty_file_reports_every_required_key(validate: Callable[..., Any]) -> None:
    code, _, issues = validate(raw="")
    assert code == 2
    assert [p for _, p, _ in issues] == sorted(schema_module.REQUIRED)
    assert {m for _, _, m in issues} == {"missing required key"}


# --- building the model -------------------------------------------------------------------------


def test_parse_builds_the_typed_model(base: dict[str, Any]) -> None:
    cfg = parse_stack_config(base, stack="prod", source=FILE)
    assert cfg.source == FILE and cfg.stack == "prod" and cfg.is_prod
    assert cfg.level(1).zones == ("aggregated", "published", "dashboards")
    assert cfg.level(3).zones == ("landing", "raw", "matched")
    assert [lc.level for lc in cfg.levels] == [1, 2, 3]
    assert cfg.use_case("UC-2026-001") == UseCase(
        "UC-2026-001", "Knife crime hotspot matching", 3, "DEC-2026-03", dt.date(2027, 9, 30)
    )
    assert cfg.grants[0].role is Role.INGEST_WRITER and cfg.grants[0].zone == "landing"
    assert cfg.grants[3].zone is None and cfg.grants[3].use_case is None
    assert cfg.group("vru-analysts").object_id == "00000000-0000-4000-8000-000000000911"


def test_optional_lists_default_to_empty(base: dict[str, Any]) -> None:
    for key in ("tvt:partners", "tvt:useCases", "tvt:grants"):
        del base[key]
    cfg = parse_stack_config(base, stack="prod", source=FILE)
    assert (cfg.partners, cfg.use_cases, cfg.grants) == ((), (), ())


# --- collecting issues ------------------------------------------------------------------------------


def test_all_schema_errors_are_collected_in_file_order(base: dict[str, Any]) -> None:
    base["tvt:grants"].extend({"group": "vru-analysts", "level": 1, "role": "reader"} for _ in range(8))
    for i in (10, 2):
        base["tvt:grants"][i]["role"] = "owner"
    base["tvt:environment"] = "live"
    base["tvt:audit"]["logRetentionDays"] = 1
    with pytest.raises(ConfigError) as first:
        parse_stack_config(base, stack="prod", source=FILE)
    with pytest.raises(ConfigError) as again:
        parse_stack_config(base, stack="prod", source=FILE)
    assert first.value.issues == again.value.issues
    assert [i.path for i in first.value.issues] == [
        "tvt:audit.logRetentionDays",
        "tvt:environment",
        "tvt:grants[2].role",
        "tvt:grants[10].role",
    ]
    assert str(first.value).splitlines()[2] == (
        f"{FILE}: tvt:grants[2].role: expected one of reader, contributor, ingest-writer, got 'owner'"
    )


def test_semantic_checks_wait_for_a_valid_shape(base: dict[str, Any]) -> None:
    base["tvt:grants"][3]["group"] = "nobody"  # semantic
    base["tvt:owner"] = ""  # schema
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(base, stack="prod", source=FILE)
    assert [(i.path, i.message) for i in caught.value.issues] == [("tvt:owner", "expected non-empty text")]


def test_all_semantic_errors_are_collected(base: dict[str, Any]) -> None:
    base["tvt:grants"][3]["group"] = "nobody"
    base["tvt:audit"]["logRetentionDays"] = 100
    base["tvt:grants"][0]["zone"] = "raw"
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(base, stack="prod", source=FILE)
    assert [i.path for i in caught.value.issues] == [
        "tvt:audit.logRetentionDays",
        "tvt:grants[0].role",
        "tvt:grants[3].group",
    ]


def test_sorted_issues_orders_indexes_numerically() -> None:
    issues = [
        ConfigIssue("f", p, "m")
        for p in ("tvt:grants[10]", "tvt:grants[9].role", "tvt:audit", "tvt:grants[9]")
    ]
    assert [i.path for i in sorted_issues([*issues, issues[0]])] == [
        "tvt:audit",
        "tvt:grants[9]",
        "tvt:grants[9].role",
        "tvt:grants[10]",
    ]


@pytest.mark.parametrize("stack", ["platform-prod", "p", "Prod", "prod_1"])
def test_stack_name_must_fit_azure_names(
    validate: Callable[..., Any], base: dict[str, Any], stack: str
) -> None:
    code, _, issues = validate(base, stack=stack)
    assert code == 2
    assert [(p, m.split(" (")[0]) for _, p, m in issues] == [
        ("(stack name)", "expected 2-8 lowercase letters and digits")
    ]


def test_environment_is_not_tied_to_the_stack_name(base: dict[str, Any]) -> None:
    base["tvt:environment"] = "test"
    base["tvt:audit"]["logRetentionDays"] = 30  # allowed outside prod
    assert parse_stack_config(base, stack="uat2", source="stacks/Pulumi.uat2.yaml").stack == "uat2"


def test_name_check_reports_names_azure_would_reject(base: dict[str, Any]) -> None:
    cfg = parse_stack_config(base, stack="prod", source=FILE)
    bad = dataclasses.replace(cfg, stack="Prod")
    findings = list(check_names(bad, TODAY_DATE))
    # Every storage account name (four scopes and the audit archive) breaks the lowercase rule.
    assert [path for path, _ in findings] == ["(stack name)"] * 5
    assert all(m.startswith("storage account name 'sttvtProd") for _, m in findings), findings
    assert any("'sttvtProdauditarch" in m for _, m in findings), "the archive account is checked too"
    assert list(check_names(cfg, TODAY_DATE)) == []


def test_name_check_covers_zone_containers(base: dict[str, Any]) -> None:
    cfg = parse_stack_config(base, stack="prod", source=FILE)
    level_1 = dataclasses.replace(cfg.level(1), zones=(*cfg.level(1).zones, "x--y"))
    bad = dataclasses.replace(cfg, levels=(level_1, cfg.level(2), cfg.level(3)))
    assert [(p, m.split(" breaks")[0]) for p, m in check_names(bad, TODAY_DATE)] == [
        ("tvt:levels.1.additionalZones[1]", "storage container name 'x--y'")
    ]


# --- the clock ---------------------------------------------------------------------------------------


def test_today_follows_tvt_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TVT_TODAY", "2030-01-02")
    assert today() == dt.date(2030, 1, 2)
    monkeypatch.delenv("TVT_TODAY")
    assert today() == dt.date.today()


@pytest.mark.parametrize("value", ["2026-13-01", "20260601", "tomorrow", ""])
def test_malformed_tvt_today_is_a_config_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("TVT_TODAY", value)
    with pytest.raises(ConfigError) as caught:
        today()
    expected = f"expected a date YYYY-MM-DD from 2000-01-01 to 2999-12-31, got {value!r}"
    assert str(caught.value) == f"(environment): TVT_TODAY: {expected}"


def test_malformed_tvt_today_through_the_cli(
    monkeypatch: pytest.MonkeyPatch, validate: Callable[..., Any], base: dict[str, Any]
) -> None:
    monkeypatch.setenv("TVT_TODAY", "31/12/2026")
    code, _, issues = validate(base)
    assert (code, issues) == (
        2,
        [
            (
                "(environment)",
                "TVT_TODAY",
                "expected a date YYYY-MM-DD from 2000-01-01 to 2999-12-31, got '31/12/2026'",
            )
        ],
    )


def test_explicit_today_overrides_the_environment(base: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match="expired on 2027-09-30"):
        parse_stack_config(base, stack="prod", source=FILE, today=dt.date(2027, 10, 1))


def test_use_case_expiring_today_is_still_valid(base: dict[str, Any]) -> None:
    base["tvt:useCases"][0]["expires"] = TODAY
    assert parse_stack_config(base, stack="prod", source=FILE).use_case("UC-2026-001").expires == TODAY_DATE


# --- the schema itself --------------------------------------------------------------------------------


def _subschemas(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        return [node, *(s for v in node.values() for s in _subschemas(v))]
    if isinstance(node, list):
        return [s for v in node for s in _subschemas(v)]
    return []


def test_schema_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(schema_module.SCHEMA)
    assert schema_module.SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_every_object_is_closed_and_lists_its_required_keys() -> None:
    objects = [s for s in _subschemas(schema_module.SCHEMA) if s.get("type") == "object"]
    assert len(objects) >= 8
    for obj in objects:
        assert obj.get("additionalProperties") is False, obj.get("description", obj)
        assert set(obj["required"]) <= set(obj["properties"]), obj.get("description", obj)


def test_every_pattern_says_what_it_expects() -> None:
    for sub in _subschemas(schema_module.SCHEMA):
        if "pattern" in sub:
            assert sub.get("description", "").startswith(("a ", "an ")), sub


def test_engine_json_encoded_keys() -> None:
    expected = {"tvt:audit", "tvt:keys", "tvt:levels", "tvt:partners", "tvt:useCases", "tvt:grants"}
    assert expected == schema_module.JSON_ENCODED_KEYS
