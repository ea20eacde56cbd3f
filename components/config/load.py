"""Read and validate a stack's config: ``stacks/Pulumi.<stack>.yaml``, namespace ``tvt:``.

Validation runs in two passes so a reviewer sees every mistake at once: the JSON Schema (shape,
types, id formats) collects all its errors; only when the shape is right do the semantic checks
(references, expiries, networks, names) run and collect all of theirs. The same code serves
``tvt validate`` (reading the file) and the Pulumi program (reading the engine's config), so both
report the same messages.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import config as runtime_config

from components.config.files import MAX_CONFIG_BYTES, InputFileError, read_bounded
from components.config.issues import ConfigError, ConfigIssue
from components.config.model import (
    DEFAULT_ZONES,
    EARLIEST_DAY,
    LATEST_DAY,
    AuditConfig,
    Environment,
    Grant,
    KeysConfig,
    LevelConfig,
    Partner,
    PartnerGroup,
    PartnerKind,
    Role,
    StackConfig,
    UseCase,
)
from components.config.schema import JSON_ENCODED_KEYS, SECURE_VALUE_MESSAGE, schema_issues
from components.config.semantic import provider_issues, semantic_issues
from components.config.stack_yaml import SelfReference, load_yaml

__all__ = [
    "ROOT",
    "ConfigError",
    "ConfigIssue",
    "load_program_config",
    "load_stack",
    "parse_stack_config",
    "read_stack_file",
    "stack_file",
    "today",
]

ROOT: Path = Path(__file__).resolve().parents[2]
TODAY_ENV = "TVT_TODAY"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def today() -> dt.date:
    """The date expiries are checked against: ``TVT_TODAY`` (tests, reproducible CI) or the real date.

    Unset means the real date; a set value must be exactly YYYY-MM-DD, from 2000 to 2999 (horizons
    are reckoned years ahead of it), and an empty one is refused too (a pin that is
    ignored would judge expiries against the wrong day). ``policies.clock.today`` is the pack's copy
    (the two packages may not import each other); ``tests/hardening/test_inputs.py`` proves they agree.
    """
    value = os.environ.get(TODAY_ENV)
    if value is None:
        return dt.date.today()
    try:
        if _ISO_DATE.fullmatch(value) and EARLIEST_DAY <= (day := dt.date.fromisoformat(value)) <= LATEST_DAY:
            return day
    except ValueError:
        pass
    expected = f"expected a date YYYY-MM-DD from {EARLIEST_DAY} to {LATEST_DAY}, got {value!r}"
    raise ConfigError([ConfigIssue("(environment)", TODAY_ENV, expected)])


_today = today  # parse_stack_config's ``today`` argument shadows the function


def stack_file(stack: str, root: Path = ROOT) -> Path:
    return root / "stacks" / f"Pulumi.{stack}.yaml"


def _display(path: Path, root: Path) -> str:
    """The file as messages name it: relative to the repository root when it lies inside."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _string_keys(value: Any) -> Any:
    # The engine passes objects as JSON, whose keys are strings (``1:`` arrives as "1").
    if isinstance(value, dict):
        return {str(k): _string_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_string_keys(v) for v in value]
    return value


# The top-level keys of a Pulumi stack file (``ProjectStack``, pulumi/pulumi
# sdk/go/common/workspace/project.go); the engine ignores any other.
STACK_FILE_KEYS: tuple[str, ...] = (
    "config",
    "secretsprovider",
    "encryptedkey",
    "encryptionsalt",
    "environment",
)
_STACK_FILE_STRINGS = ("secretsprovider", "encryptedkey", "encryptionsalt")


def read_stack_file(path: Path, *, root: Path = ROOT) -> dict[str, Any]:
    """The file's ``config:`` mapping (namespaced keys), or a ConfigError saying why it cannot be read."""
    name = _display(path, root)
    try:
        text = read_bounded(path, MAX_CONFIG_BYTES).decode("utf-8")
    except InputFileError as err:
        message = "no such stack file" if str(err) == "no such file" else f"cannot read the stack file: {err}"
        raise ConfigError([ConfigIssue(name, "(file)", message)]) from None
    except UnicodeDecodeError as err:
        raise ConfigError([ConfigIssue(name, "(file)", f"cannot read the stack file: {err}")]) from None
    try:
        document = load_yaml(text)
    except yaml.YAMLError as err:
        raise ConfigError([_yaml_issue(name, err)]) from None
    except SelfReference as err:
        raise ConfigError(
            [ConfigIssue(name, "config", f"expected plain data, got a self-referencing YAML anchor ({err})")]
        ) from None
    if document is None:
        document = {}
    if not isinstance(document, dict):
        kind = type(document).__name__
        raise ConfigError(
            [ConfigIssue(name, "(document)", f"expected a mapping with a config: key, got a {kind}")]
        )
    unknown = [key for key in document if key not in STACK_FILE_KEYS]
    if unknown:
        # The engine would ignore them, and with them whatever they hold: a use case pasted at the
        # file's top level instead of under config: was simply not there.
        raise ConfigError(
            [
                ConfigIssue(
                    name,
                    str(key),
                    f"expected only the stack file's own keys ({', '.join(STACK_FILE_KEYS)}) at the "
                    "top level; a config key goes under config:, indented",
                )
                for key in unknown
            ]
        )
    issues = [
        ConfigIssue(
            name,
            key,
            f"expected a string (as pulumi stack init writes it), got a {type(document[key]).__name__}",
        )
        for key in _STACK_FILE_STRINGS
        if key in document and not isinstance(document[key], str)
    ]
    if "environment" in document:
        # Pulumi ESC: the values it would add or override are not in this file, so neither the
        # offline preview nor its verdict would see the config that is deployed. Fail closed.
        issues.append(
            ConfigIssue(
                name,
                "environment",
                "expected no Pulumi ESC environment: the offline preview cannot see the config it "
                "adds, so its verdict would not be about what is deployed; put the keys under config:",
            )
        )
    if issues:
        raise ConfigError(issues)
    config = document.get("config", {})
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise ConfigError(
            [ConfigIssue(name, "config", f"expected a mapping of config keys, got a {type(config).__name__}")]
        )
    result: dict[str, Any] = _string_keys(config)
    return result


def _yaml_issue(name: str, err: yaml.YAMLError) -> ConfigIssue:
    mark = getattr(err, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "(file)"
    problem = getattr(err, "problem", None) or str(err)
    return ConfigIssue(name, where, f"invalid YAML: {problem}")


def parse_stack_config(
    config: Mapping[str, Any], *, stack: str, source: str, today: dt.date | None = None
) -> StackConfig:
    """Validate ``config`` (a ``config:`` mapping) and build the typed StackConfig, or raise ConfigError.

    ``source`` is the file named in messages; ``today`` defaults to :func:`today` (expiry checks).
    """
    issues = schema_issues(config, source)
    if issues:
        raise ConfigError(issues)
    cfg = build_stack_config(config, stack=stack, source=source)
    issues = provider_issues(config, source) + semantic_issues(cfg, today or _today())
    if issues:
        raise ConfigError(issues)
    return cfg


def build_stack_config(config: Mapping[str, Any], *, stack: str, source: str) -> StackConfig:
    """The typed model of a schema-valid mapping (not yet semantically checked)."""
    audit, levels = config["tvt:audit"], config["tvt:levels"]
    return StackConfig(
        stack=stack,
        environment=Environment(config["tvt:environment"]),
        location=config["tvt:location"],
        subscription_id=config["tvt:subscriptionId"],
        tenant_id=config["tvt:tenantId"],
        owner=config["tvt:owner"],
        audit=AuditConfig(
            address_space=audit["addressSpace"],
            private_endpoint_subnet=audit["privateEndpointSubnet"],
            log_retention_days=audit["logRetentionDays"],
            archive_retention_days=audit["archiveRetentionDays"],
            archive_immutability_locked=audit.get("archiveImmutability", "locked") == "locked",
            archive_created=_date(audit.get("archiveCreated")),
        ),
        keys=KeysConfig(
            first_version_expires=dt.date.fromisoformat(config["tvt:keys"]["firstVersionExpires"])
        ),
        levels=tuple(_level(n, levels[str(n)]) for n in sorted(DEFAULT_ZONES)),
        partners=tuple(_partner(p) for p in config.get("tvt:partners", [])),
        use_cases=tuple(_use_case(u) for u in config.get("tvt:useCases", [])),
        grants=tuple(_grant(g) for g in config.get("tvt:grants", [])),
        source=source,
    )


def _level(n: int, raw: Mapping[str, Any]) -> LevelConfig:
    return LevelConfig(
        level=n,
        address_space=raw["addressSpace"],
        private_endpoint_subnet=raw["privateEndpointSubnet"],
        zones=(*DEFAULT_ZONES[n], *raw.get("additionalZones", [])),
    )


def _partner(raw: Mapping[str, Any]) -> Partner:
    groups = tuple(PartnerGroup(g["key"], g["objectId"], g["displayName"]) for g in raw["groups"])
    return Partner(id=raw["id"], name=raw["name"], kind=PartnerKind(raw["kind"]), groups=groups)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value is not None else None


def _use_case(raw: Mapping[str, Any]) -> UseCase:
    return UseCase(
        id=raw["id"],
        title=raw["title"],
        level=raw["level"],
        approval_ref=raw["approval"],
        expires=dt.date.fromisoformat(raw["expires"]),
    )


def _grant(raw: Mapping[str, Any]) -> Grant:
    return Grant(
        group=raw["group"],
        level=raw["level"],
        role=Role(raw["role"]),
        use_case=raw.get("useCase"),
        zone=raw.get("zone"),
    )


def load_stack(stack: str, root: Path = ROOT, today: dt.date | None = None) -> StackConfig:
    """Read and validate ``stacks/Pulumi.<stack>.yaml`` under ``root``."""
    path = stack_file(stack, root)
    return parse_stack_config(
        read_stack_file(path, root=root), stack=stack, source=_display(path, root), today=today
    )


def _decode(key: str, value: Any) -> Any:
    """Top-level values arrive as strings; objects, lists and numbers JSON-encoded."""
    if key not in JSON_ENCODED_KEYS or not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # left as a string, so the schema reports "expected a mapping, got '...'"


def runtime_config_mapping() -> tuple[dict[str, Any], list[str]]:
    """The engine's config as a stack file's ``config:`` mapping, and the keys it marks secret."""
    try:
        from_env, secret = runtime_config.get_config_env(), set(runtime_config.get_config_secret_keys_env())
    except ValueError as err:
        raise ConfigError(
            [ConfigIssue("(environment)", "PULUMI_CONFIG", f"expected JSON from the engine: {err}")]
        ) from None
    merged: dict[str, Any] = {**from_env, **runtime_config.CONFIG.get()}
    secret |= {k for k in merged if runtime_config.is_config_secret(k)}
    # The engine decrypts secrets for the program; validation sees them as the stack file holds them.
    config = {key: {"secure": ""} if key in secret else _decode(key, value) for key, value in merged.items()}
    return config, sorted(k for k in secret if k.startswith("tvt:"))


def load_program_config() -> StackConfig:
    """The stack's validated config inside the Pulumi program; bad config stops it with the message.

    ``pulumi.RunError`` makes the CLI print the message without the program's traceback.
    """
    stack = pulumi.get_stack()
    source = f"stacks/Pulumi.{stack}.yaml"
    try:
        config, secret_keys = runtime_config_mapping()
        if secret_keys:
            raise ConfigError(ConfigIssue(source, key, SECURE_VALUE_MESSAGE) for key in secret_keys)
        return parse_stack_config(config, stack=stack, source=source)
    except ConfigError as err:
        raise pulumi.RunError(str(err)) from None
