"""The policy pack's metadata (``GetAnalyzerInfo``) and its configuration file, checked and reconciled.

The config file is the one ``pulumi preview --policy-pack-config`` takes: an object of policy name
-> enforcement level string, or -> object of ``enforcementLevel`` plus the policy's properties
(``"all"`` sets every policy's level). Reconciliation follows the engine
(``ReconcilePolicyPackConfig``): schema defaults, then the pack's initial config, then ``all``,
then each entry. So a policy whose entry omits ``enforcementLevel`` keeps the level the pack
declares for it; the protobuf default (ADVISORY) never silently downgrades a mandatory rule.

Checks are stricter than the engine's, on purpose: an unknown policy name or an unknown property
is an error, because a reviewer reading the file would believe it configures something it does not.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
from google.protobuf import json_format
from pulumi.runtime.proto import analyzer_pb2

from components.config.files import MAX_CONFIG_BYTES
from policies.framework import STRICTER_KEY, Stricter
from scripts.engine.errors import PreviewError, issue
from scripts.engine.inputs import read_json

ENFORCEMENT_LEVELS: dict[str, int] = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}
ENFORCEMENT_NAMES: dict[int, str] = {v: k for k, v in ENFORCEMENT_LEVELS.items()}


def enforcement_name(level: int, what: str) -> str:
    """The name of the pack's enforcement level ``level``, for ``what`` (the engine's
    ``convertEnforcementLevel``): any number the protocol does not define is refused, as the
    engine refuses it, never read as advisory (a violation at level 99 would have passed)."""
    name = ENFORCEMENT_NAMES.get(level)
    if name is None:
        known = ", ".join(f"{v} ({k})" for k, v in ENFORCEMENT_LEVELS.items())
        raise PreviewError(f"policy pack: {what}: invalid enforcement level {level}; expected one of {known}")
    return name


SEVERITY_NAMES: dict[int, str] = {
    analyzer_pb2.POLICY_SEVERITY_UNSPECIFIED: "unspecified",
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}
ALL = "all"  # the engine's name for "every policy of the pack"
# How much a level enforces: a config that moves a rule down this order weakens it. Remediate and
# mandatory both block (a stack policy cannot remediate and is run as mandatory), so neither is
# weaker than the other.
_STRENGTH = {"disabled": 0, "advisory": 1, "mandatory": 2, "remediate": 2}


@dataclass(frozen=True)
class PolicyInfo:
    """What the pack says about one policy: its id, default level, severity, controls and schema."""

    name: str
    description: str
    enforcement: str
    severity: str
    controls: tuple[str, ...]
    kind: str  # "resource" | "stack"
    schema_properties: Mapping[str, Any]
    schema_required: tuple[str, ...]
    # What reviewers act on: pulumi-policy's display name, remediation steps and docs URL.
    title: str = ""
    remediation: str = ""
    url: str = ""


@dataclass(frozen=True)
class PolicyEntry:
    """One policy's configuration: ``enforcement`` None means "not given" (keep what is already there)."""

    enforcement: str | None
    properties: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PackInfo:
    name: str
    version: str
    policies: Mapping[str, PolicyInfo]
    initial_config: Mapping[str, PolicyEntry]


def _struct(value: Any) -> dict[str, Any]:
    result: dict[str, Any] = json_format.MessageToDict(value)
    return result


def pack_info(info: analyzer_pb2.AnalyzerInfo) -> PackInfo:
    policies = {
        p.name: PolicyInfo(
            name=p.name,
            description=p.description,
            enforcement=enforcement_name(p.enforcementLevel, f"GetAnalyzerInfo: policy {p.name!r}"),
            severity=SEVERITY_NAMES.get(p.severity, "unspecified"),
            controls=tuple(p.tags),
            kind="stack" if p.policy_type == analyzer_pb2.POLICY_TYPE_STACK else "resource",
            schema_properties=_struct(p.configSchema.properties),
            schema_required=tuple(p.configSchema.required),
            title=p.displayName,
            remediation=p.remediation_steps,
            url=p.url,
        )
        for p in info.policies
    }
    initial = {
        name: PolicyEntry(
            enforcement_name(cfg.enforcementLevel, f"GetAnalyzerInfo: initialConfig of {name!r}")
            if cfg.enforcementLevel
            else None,
            _struct(cfg.properties),
        )
        for name, cfg in info.initialConfig.items()
    }
    return PackInfo(info.name, info.version, policies, initial)


def read_config_file(path: Path) -> Any:
    return read_json(path, "policy config", MAX_CONFIG_BYTES)


def _unknown_name(source: str, name: str, pack: PackInfo) -> str:
    close = difflib.get_close_matches(name, list(pack.policies), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return issue(
        source, name, f"not a policy of pack {pack.name!r}{hint}; expected one of the pack's policy names"
    )


def _level(source: str, path: str, value: Any, problems: list[str]) -> str | None:
    if isinstance(value, str) and value in ENFORCEMENT_LEVELS:
        return value
    problems.append(issue(source, path, f"expected one of {', '.join(ENFORCEMENT_LEVELS)}, got {value!r}"))
    return None


def parse_entries(raw: Any, source: str, pack: PackInfo) -> dict[str, PolicyEntry]:
    """The file's entries, checked for shape, names and levels (properties are checked after merging)."""
    if not isinstance(raw, Mapping):
        raise PreviewError(
            issue(source, "", f"expected an object of policy name -> config, got {type(raw).__name__}")
        )
    problems: list[str] = []
    entries: dict[str, PolicyEntry] = {}
    for name in sorted(raw):
        value = raw[name]
        if name != ALL and name not in pack.policies:
            problems.append(_unknown_name(source, name, pack))
            continue
        if isinstance(value, str):
            entries[name] = PolicyEntry(_level(source, name, value, problems))
        elif isinstance(value, Mapping):
            level = value.get("enforcementLevel")
            checked = (
                _level(source, f"{name}.enforcementLevel", level, problems) if level is not None else None
            )
            props = {k: v for k, v in value.items() if k != "enforcementLevel"}
            if name == ALL and props:
                problems.append(issue(source, name, "expected only enforcementLevel for 'all'"))
            entries[name] = PolicyEntry(checked, props)
        else:
            problems.append(
                issue(source, name, f"expected an enforcement level string or an object, got {value!r}")
            )
    if problems:
        raise PreviewError(*problems)
    return entries


def _apply(result: dict[str, PolicyEntry], given: Mapping[str, PolicyEntry]) -> None:
    everyone = given.get(ALL)
    if everyone is not None and everyone.enforcement is not None:
        for name, entry in result.items():
            result[name] = PolicyEntry(everyone.enforcement, entry.properties)
    for name, entry in given.items():
        if name == ALL or name not in result:
            continue
        current = result[name]
        result[name] = PolicyEntry(
            entry.enforcement or current.enforcement, {**current.properties, **entry.properties}
        )


def _schema(policy: PolicyInfo) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": dict(policy.schema_properties),
        "required": list(policy.schema_required),
        "additionalProperties": False,
    }


def _where(name: str, error: jsonschema.ValidationError) -> str:
    path = name
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def validate_properties(source: str, pack: PackInfo, resolved: Mapping[str, PolicyEntry]) -> None:
    problems: list[str] = []
    for name in sorted(resolved):
        policy = pack.policies[name]
        validator = jsonschema.Draft202012Validator(
            _schema(policy), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        for error in sorted(
            validator.iter_errors(dict(resolved[name].properties)), key=lambda e: list(map(str, e.path))
        ):
            problems.append(issue(source, _where(name, error), error.message))
    if problems:
        raise PreviewError(*problems)


def reconcile(
    pack: PackInfo, entries: Mapping[str, PolicyEntry], source: str, *, check_schema: bool = True
) -> dict[str, PolicyEntry]:
    """Every policy's effective config: defaults, initial config, ``all``, then the file; then validated.

    ``check_schema=False`` skips the schema check, as a caller that hands the pack unvalidated
    config would (the pack must then refuse what it cannot accept on its own).
    """
    result = {
        name: PolicyEntry(
            policy.enforcement,
            {
                k: v["default"]
                for k, v in policy.schema_properties.items()
                if isinstance(v, Mapping) and "default" in v
            },
        )
        for name, policy in pack.policies.items()
    }
    _apply(result, pack.initial_config)
    _apply(result, entries)
    if check_schema:
        validate_properties(source, pack, result)
    return result


@dataclass(frozen=True)
class Downgrade:
    """A rule the config runs weaker than the pack declares: at a weaker level, or with a parameter
    weaker than its default (``declared``/``effective`` then say the parameter and its values)."""

    rule: str
    declared: str
    effective: str


def _shown(value: Any) -> str:
    """A parameter value as JSON (protobuf carries every number as a float: 3072.0 is shown 3072)."""
    return json.dumps(int(value) if isinstance(value, float) and value.is_integer() else value)


def _weaker(stricter: Any, default: Any, value: Any) -> bool:
    """Whether ``value`` is on the weaker side of ``default``, the schema's ``STRICTER_KEY`` saying
    which way is stricter; an annotation this tool does not know counts any change as weaker."""
    if value == default:
        return False
    numbers = isinstance(value, int | float) and isinstance(default, int | float)
    if stricter == Stricter.HIGHER.value and numbers:
        return bool(value < default)
    if isinstance(value, list) and isinstance(default, list):
        held, base = ({str(v).casefold() for v in x} for x in (value, default))
        if stricter == Stricter.MORE.value:
            return not base <= held
        if stricter == Stricter.FEWER.value:
            return not held <= base
    return True


def downgrades(pack: PackInfo, resolved: Mapping[str, PolicyEntry]) -> tuple[Downgrade, ...]:
    """Every rule whose effective level, or one of whose parameters, is weaker than the pack declares.

    Setting a mandatory rule to advisory or disabled, or ``hsmLevels: []``, is a legitimate config
    value, so it is not an error; but it must never be silent, so reports list each one.
    """
    found = []
    for name in sorted(resolved):
        policy = pack.policies.get(name)
        if policy is None:
            continue
        effective = resolved[name].enforcement or "advisory"  # what configure_request sends
        if _STRENGTH[effective] < _STRENGTH.get(policy.enforcement, 0):
            found.append(Downgrade(name, policy.enforcement, effective))
        for param, schema in sorted(policy.schema_properties.items()):
            if not isinstance(schema, Mapping) or STRICTER_KEY not in schema or "default" not in schema:
                continue
            value = resolved[name].properties.get(param, schema["default"])
            if _weaker(schema[STRICTER_KEY], schema["default"], value):
                declared, weaker = (_shown(v) for v in (schema["default"], value))
                found.append(Downgrade(name, f"{param} {declared}", f"{param} {weaker}"))
    return tuple(found)


def configure_request(resolved: Mapping[str, PolicyEntry]) -> analyzer_pb2.ConfigureAnalyzerRequest:
    """One entry per policy with its level always set, as the engine sends it."""
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for name in sorted(resolved):
        entry = resolved[name]
        config = request.policyConfig[name]
        config.enforcementLevel = ENFORCEMENT_LEVELS[entry.enforcement or "advisory"]
        if entry.properties:
            config.properties.update(dict(entry.properties))
    return request


def resolve_policy_config(
    raw: Any, source: str, pack: PackInfo, *, check_schema: bool = True
) -> dict[str, PolicyEntry]:
    """Check and reconcile a config document (already parsed JSON) against ``pack``."""
    return reconcile(pack, parse_entries(raw, source, pack), source, check_schema=check_schema)


def load_policy_config(path: Path | None, pack: PackInfo) -> dict[str, PolicyEntry]:
    """Read, check and reconcile ``path`` (None: the pack's own defaults) against ``pack``."""
    if path is None:
        return reconcile(pack, {}, "(pack defaults)")
    return resolve_policy_config(read_config_file(path), str(path), pack)
