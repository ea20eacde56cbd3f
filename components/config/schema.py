"""The JSON Schema (draft 2020-12) of a stack file's ``config:`` mapping, and its error messages.

The schema checks shape and types only; rules that relate one value to another (a grant's group
exists, a use case is unexpired, address spaces do not overlap) live in ``semantic``. Every string
pattern carries a ``description`` that says what was expected, in words a reviewer understands.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from components.config.files import LONE_SURROGATE, SURROGATE_KEY_MESSAGE, SURROGATE_MESSAGE
from components.config.issues import ConfigIssue, join_path
from components.config.model import EARLIEST_DAY, LATEST_DAY, UK_REGIONS, Environment, PartnerKind, Role
from components.config.schema_check import Unsure, compile_check

_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"


def _string(pattern: str, expected: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "pattern": pattern, "description": expected, **extra}


def _object(properties: dict[str, Any], required: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
        **extra,
    }


DEFS: dict[str, Any] = {
    "guid": _string(
        r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        "a GUID such as 00000000-0000-4000-8000-000000000001",
    ),
    # Azure virtual networks and subnets accept /8 to /29; overlap and containment are semantic checks.
    "cidr": _string(
        rf"^({_OCTET}\.){{3}}{_OCTET}/([89]|[12][0-9])$",
        "an IPv4 CIDR block from /8 to /29 such as 10.40.0.0/24",
    ),
    "kebabId": _string(
        r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$",
        "a lowercase kebab-case id (letters, digits, single hyphens) such as thames-valley-police",
        maxLength=63,
    ),
    # Zones become blob containers (ADLS file systems), so they follow Azure's container naming rule.
    "zoneName": _string(
        r"^[a-z0-9](?!.*--)[a-z0-9-]*[a-z0-9]$",
        "a zone name valid as an Azure container name (3-63 lowercase letters, digits and single "
        "hyphens, starting and ending with a letter or digit) such as matched",
        minLength=3,
        maxLength=63,
    ),
    "useCaseId": _string(r"^UC-[0-9]{4}-[0-9]{3}$", "a use case id UC-YYYY-NNN such as UC-2026-001"),
    "decRef": _string(
        r"^DEC-[0-9]{4}-[0-9]{2,3}$", "a Data Ethics Committee approval reference such as DEC-2026-03"
    ),
    # From 2000 to 2999 (the "date" format below), the horizon TVT_TODAY has too: 9999-12-31
    # passed, and then the program's first instant after it (a use case's access end) was out of
    # Python's range.
    "isoDate": _string(
        r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        f"a date YYYY-MM-DD from {EARLIEST_DAY.year} to {LATEST_DAY.year} such as 2027-09-30",
        format="date",
    ),
    "text": {"type": "string", "minLength": 1, "maxLength": 256, "description": "non-empty text"},
    "level": {"type": "integer", "enum": [1, 2, 3], "description": "a data level"},
    "network": _object(
        {
            "addressSpace": {"$ref": "#/$defs/cidr"},
            "privateEndpointSubnet": {"$ref": "#/$defs/cidr"},
            "additionalZones": {"type": "array", "items": {"$ref": "#/$defs/zoneName"}, "uniqueItems": True},
        },
        ["addressSpace", "privateEndpointSubnet"],
        description="a data level's network and extra zones",
    ),
    "audit": _object(
        {
            "addressSpace": {"$ref": "#/$defs/cidr"},
            "privateEndpointSubnet": {"$ref": "#/$defs/cidr"},
            # A PerGB2018 workspace's interactive retention is 30..730 days (longer history is the
            # archive's job); prod's one-year floor is a semantic check.
            "logRetentionDays": {"type": "integer", "minimum": 30, "maximum": 730},
            # Azure's immutability policy accepts 1..146000 days.
            "archiveRetentionDays": {"type": "integer", "minimum": 1, "maximum": 146000},
            # Azure creates a WORM policy only Unlocked; "locked" makes it irreversible. Omitted means
            # locked (the secure default); a new prod archive starts "unlocked" for its first deployment.
            "archiveImmutability": {"enum": ["locked", "unlocked"]},
            # The day the archive was first deployed (unlocked): only an existing archive can be locked.
            "archiveCreated": {"$ref": "#/$defs/isoDate"},
        },
        ["addressSpace", "privateEndpointSubnet", "logRetentionDays", "archiveRetentionDays"],
        description="the shared audit services",
    ),
    "group": _object(
        {
            "key": {"$ref": "#/$defs/kebabId"},
            "objectId": {"$ref": "#/$defs/guid"},
            "displayName": {"$ref": "#/$defs/text"},
        },
        ["key", "objectId", "displayName"],
        description="an Entra ID security group",
    ),
    "partner": _object(
        {
            "id": {"$ref": "#/$defs/kebabId"},
            "name": {"$ref": "#/$defs/text"},
            "kind": {"type": "string", "enum": [k.value for k in PartnerKind]},
            "groups": {"type": "array", "items": {"$ref": "#/$defs/group"}, "minItems": 1},
        },
        ["id", "name", "kind", "groups"],
        description="a partner organisation",
    ),
    "useCase": _object(
        {
            "id": {"$ref": "#/$defs/useCaseId"},
            "title": {"$ref": "#/$defs/text"},
            "level": {"$ref": "#/$defs/level"},
            "approval": {"$ref": "#/$defs/decRef"},
            "expires": {"$ref": "#/$defs/isoDate"},
        },
        ["id", "title", "level", "approval", "expires"],
        description="a Data Ethics Committee approved use case",
    ),
    "grant": _object(
        {
            "group": {"$ref": "#/$defs/kebabId"},
            "level": {"$ref": "#/$defs/level"},
            "zone": {"$ref": "#/$defs/zoneName"},
            "role": {"type": "string", "enum": [r.value for r in Role]},
            "useCase": {"$ref": "#/$defs/useCaseId"},
        },
        ["group", "level", "role"],
        description="a role for a group on a level or one of its zones",
        # Identifiable data is only ever read under an approved use case.
        **{
            "if": {"properties": {"level": {"const": 3}}, "required": ["level"]},
            "then": {
                "required": ["useCase"],
                "description": "level-3 grants must name a Data Ethics Committee approved use case",
            },
        },
    ),
}

PROPERTIES: dict[str, Any] = {
    "tvt:environment": {"type": "string", "enum": [e.value for e in Environment]},
    "tvt:location": {"type": "string", "enum": list(UK_REGIONS)},
    "tvt:subscriptionId": {"$ref": "#/$defs/guid"},
    "tvt:tenantId": {"$ref": "#/$defs/guid"},
    "tvt:owner": {"$ref": "#/$defs/text"},
    "tvt:audit": {"$ref": "#/$defs/audit"},
    "tvt:keys": _object(
        # Key Vault sets a key's first version's expiry only when the key is created; rotation gives
        # every later version its own. A date, not a duration, so the plan is the same every day.
        {"firstVersionExpires": {"$ref": "#/$defs/isoDate"}},
        ["firstVersionExpires"],
        description="the customer-managed keys",
    ),
    "tvt:levels": _object(
        {
            "1": {"$ref": "#/$defs/network"},
            "2": {"$ref": "#/$defs/network"},
            "3": {"$ref": "#/$defs/network"},
        },
        ["1", "2", "3"],
    ),
    "tvt:partners": {"type": "array", "items": {"$ref": "#/$defs/partner"}},
    "tvt:useCases": {"type": "array", "items": {"$ref": "#/$defs/useCase"}},
    "tvt:grants": {"type": "array", "items": {"$ref": "#/$defs/grant"}},
    # Provider config is allowed, but its region must be the platform's (checked in ``semantic``).
    "azure-native:location": {"type": "string", "enum": list(UK_REGIONS)},
}
REQUIRED: list[str] = [
    "tvt:environment",
    "tvt:location",
    "tvt:subscriptionId",
    "tvt:tenantId",
    "tvt:owner",
    "tvt:audit",
    "tvt:keys",
    "tvt:levels",
]
# Anything else in a stack file is a typo or config for a tool this program does not use.
OTHER_NAMESPACES: tuple[str, ...] = ("azure-native:", "pulumi:")

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://thamesvalleytogether.example/schemas/stack-config.json",
    "title": "TVT stack config: the config mapping of stacks/Pulumi.<stack>.yaml",
    "type": "object",
    "properties": PROPERTIES,
    "patternProperties": {f"^{ns}": {} for ns in OTHER_NAMESPACES},
    "required": REQUIRED,
    "additionalProperties": False,
    "$defs": DEFS,
}


def _value_type(schema: Mapping[str, Any]) -> str | None:
    ref = schema.get("$ref")
    resolved = DEFS[ref.rsplit("/", 1)[-1]] if isinstance(ref, str) else schema
    kind = resolved.get("type")
    return kind if isinstance(kind, str) else None


# Top-level keys whose value the Pulumi engine hands a program JSON-encoded (it passes strings as is).
JSON_ENCODED_KEYS: frozenset[str] = frozenset(
    key
    for key, schema in PROPERTIES.items()
    if _value_type(schema) in {"object", "array", "integer", "number"}
)

_FORMATS = FormatChecker()


@_FORMATS.checks("date", raises=ValueError)
def _day_of_the_horizon(value: object) -> bool:
    """A calendar date (as the standard format) from :data:`EARLIEST_DAY` to :data:`LATEST_DAY`."""
    if not isinstance(value, str):
        return True
    return EARLIEST_DAY <= dt.date.fromisoformat(value) <= LATEST_DAY


_VALIDATOR = Draft202012Validator(SCHEMA, format_checker=_FORMATS)
# Built once: True exactly when _VALIDATOR finds no error (and Unsure where it does not judge).
_ACCEPTS = compile_check(SCHEMA, _FORMATS)

_TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "object": "a mapping",
    "array": "a list",
    "boolean": "true or false",
}
SECURE_VALUE_MESSAGE = (
    "expected a plain value, got a Pulumi secure value: no tvt key takes a secret "
    "(config secrets go through `pulumi config set --secret`, for the keys that need one)"
)


def describe(value: Any) -> str:
    """A value as it appears in a message: strings quoted, containers by kind."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing (null)"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def is_secure_value(value: Any) -> bool:
    """Pulumi writes an encrypted config value as ``{secure: <ciphertext>}``."""
    return isinstance(value, Mapping) and set(value) == {"secure"}


def _walk(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    yield path, value
    if is_secure_value(value):
        return
    if isinstance(value, Mapping):
        for key, child in value.items():
            yield from _walk(child, join_path(path, str(key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _walk(child, join_path(path, index))


def _checked_values(config: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    for key, value in config.items():
        if str(key).startswith("tvt:") or key == "azure-native:location":
            yield from _walk(value, str(key))


def secure_value_paths(config: Mapping[str, Any]) -> list[str]:
    return [path for path, value in _checked_values(config) if is_secure_value(value)]


# Keys that hold a credential by nature, in any namespace: azure-native's clientSecret,
# clientCertificatePassword, oidcToken and oidcRequestToken, and any provider's passwords, tokens and keys.
SECRET_KEY = re.compile(
    r"(secret|password|passwd|passphrase|token|credentials?|accesskey|privatekey|sharedkey|apikey|"
    r"masterkey|connectionstring)$",
    re.IGNORECASE,
)
_INDEXES = re.compile(r"(\[[0-9]+\])+$")  # list items are named by the key that holds the list


def is_plain_credential(key: str, value: Any) -> bool:
    """A non-empty plain value (text or a number) of a key that holds a credential by nature."""
    return (
        _credential_key(key)
        and isinstance(value, str | int | float)
        and not isinstance(value, bool)
        and value != ""
    )


@functools.lru_cache(maxsize=4096)
def _credential_key(key: str) -> bool:
    """Whether ``key`` names a credential; remembered, as a plan asks it of every key it holds."""
    return bool(SECRET_KEY.search(key))


def _plaintext_secret_issues(config: Mapping[str, Any], source: str) -> list[ConfigIssue]:
    """A credential in plain text is readable by everyone who can read the repository: refuse it.

    The message never repeats the value, and points to the command that stores it encrypted.
    """
    issues = []
    for top, value in config.items():
        for path, child in _walk(value, str(top)):
            name = _INDEXES.sub("", path).rsplit(".", 1)[-1].rsplit(":", 1)[-1]
            if is_plain_credential(name, child):
                flag = "--secret" if path == top else "--secret --path"
                issues.append(
                    ConfigIssue(
                        source,
                        path,
                        f"expected a secret, got plain text ({name} is a credential); store it encrypted "
                        f"with `pulumi config set {flag} {path} <value>`, "
                        "which writes a secure: value",
                    )
                )
    return issues


def _control_character_issues(config: Mapping[str, Any], source: str) -> list[ConfigIssue]:
    # JSON Schema's "$" lets "x\n" match in Python's re; names and ids are single-line anyway.
    return [
        ConfigIssue(source, path, "expected single-line text without control characters")
        for path, value in _checked_values(config)
        if isinstance(value, str) and any(ord(c) < 32 or ord(c) == 127 for c in value)
    ]


def _surrogates(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(path, message) for every key and text value holding a lone surrogate, in any namespace:
    a YAML escape can spell one, and the engine could not send it on (UTF-8 cannot)."""
    if isinstance(value, str):
        if LONE_SURROGATE.search(value):
            yield path, SURROGATE_MESSAGE
    elif isinstance(value, Mapping):
        for key, child in value.items():
            where = join_path(path, str(key))
            if LONE_SURROGATE.search(str(key)):
                yield where, SURROGATE_KEY_MESSAGE
            yield from _surrogates(child, where)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _surrogates(child, join_path(path, index))


def _surrogate_issues(config: Mapping[str, Any], source: str) -> list[ConfigIssue]:
    return [ConfigIssue(source, path, message) for path, message in _surrogates(config, "")]


def _error_path(error: ValidationError) -> str:
    path = ""
    for part in error.absolute_path:
        path = join_path(path, part if isinstance(part, int) else str(part))
    return path


def _unknown_key_message(parent: str, schema: Mapping[str, Any]) -> str:
    if not parent:
        known = ", ".join(k for k in PROPERTIES if k.startswith("tvt:"))
        return f"unknown key; a stack file holds {known}, and azure-native:* or pulumi:* provider settings"
    return f"unknown key; expected one of {', '.join(schema.get('properties', {}))}"


def _messages(error: ValidationError) -> Iterator[tuple[str, str]]:
    """(path, message) pairs for one schema error; some errors name several keys."""
    path = _error_path(error)
    schema: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
    instance: Any = error.instance
    value: Any = error.validator_value
    match error.validator:
        case "required":
            why = f": {schema['description']}" if "then" in error.relative_schema_path else ""
            for key in value:
                if isinstance(instance, Mapping) and key not in instance:
                    yield join_path(path, key), f"missing required key{why}"
        case "additionalProperties":
            allowed = set(schema.get("properties", {}))
            patterns = tuple(p.lstrip("^") for p in schema.get("patternProperties", {}))
            for key in instance:
                if key not in allowed and not str(key).startswith(patterns):
                    yield join_path(path, str(key)), _unknown_key_message(path, schema)
        case "type":
            yield path, f"expected {_TYPE_WORDS.get(str(value), str(value))}, got {describe(instance)}"
        case "enum":
            yield path, f"expected one of {', '.join(str(v) for v in value)}, got {describe(instance)}"
        case "pattern" | "format":
            yield path, f"expected {schema.get('description', error.message)}, got {describe(instance)}"
        case "minLength" if value == 1:
            yield path, "expected non-empty text"
        case "minLength":
            yield path, f"expected at least {value} characters, got {describe(instance)}"
        case "maxLength":
            yield path, f"expected at most {value} characters, got {len(instance)}"
        case "minimum" | "maximum":
            bounds = f"from {schema.get('minimum')} to {schema.get('maximum')}"
            yield path, f"expected an integer {bounds}, got {describe(instance)}"
        case "minItems":
            yield path, f"expected at least {value} item(s), got {len(instance)}"
        case "uniqueItems":
            repeated = sorted({repr(v) for v in instance if instance.count(v) > 1})
            yield path, f"expected unique items, {', '.join(repeated)} appear(s) more than once"
        case _:
            yield path, f"{error.message}"


def _under(path: str, parents: list[str]) -> bool:
    return any(path == p or path.startswith((f"{p}.", f"{p}[")) for p in parents)


# Superset tests of the three value checks above, for _nothing_to_flag.
_SUSPECT_KEY = re.compile(SECRET_KEY.pattern.removesuffix("$"), re.IGNORECASE)
# Text the checks below report: a control character (tvt: values) or a lone surrogate (anywhere).
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_SCALARS = (str, int, float, bool, type(None))


def _nothing_to_flag(config: Mapping[str, Any]) -> bool:
    """True when no value can be a secure value, text with a control character or a plain credential.

    A credential's name is part of one key, so a config none of whose keys contains a credential
    word, and none of whose text has a control character, gives the three checks nothing to report;
    one walk without paths shows it, instead of three that name every value.
    """
    pending: list[Any] = [config]
    clean_keys: set[str] = set()
    while pending:
        value = pending.pop()
        kind = type(value)
        if kind is dict:
            if "secure" in value:
                return False
            for key in value:
                if key not in clean_keys:
                    if _SUSPECT_KEY.search(str(key)) or LONE_SURROGATE.search(str(key)):
                        return False
                    clean_keys.add(key)
            pending.extend(value.values())
        elif kind is list:
            pending.extend(value)
        elif kind is str:
            if _CONTROL.search(value):
                return False
        elif kind not in _SCALARS:
            return False  # any other kind of value: the exact checks judge it
    return True


def _accepted(config: Mapping[str, Any]) -> bool:
    try:
        return _ACCEPTS(config)
    except Unsure:
        return False


def schema_issues(config: Mapping[str, Any], source: str) -> list[ConfigIssue]:
    """Every shape/type problem of ``config``, secure values reported as such rather than as types."""
    secure: list[str] = []
    issues: list[ConfigIssue] = []
    if not _nothing_to_flag(config):
        secure = secure_value_paths(config)
        issues += [ConfigIssue(source, path, SECURE_VALUE_MESSAGE) for path in secure]
        issues += _control_character_issues(config, source)
        issues += _surrogate_issues(config, source)
        issues += _plaintext_secret_issues(config, source)
    # jsonschema names every error; when the compiled check accepts the config there is none to name.
    errors = [] if _accepted(config) else list(_VALIDATOR.iter_errors(config))
    # A wrong type is the whole story: "expected an integer" needs no "expected one of 1, 2, 3" too.
    mistyped = {_error_path(e) for e in errors if e.validator == "type"}
    for error in errors:
        if error.validator != "type" and _error_path(error) in mistyped:
            continue
        issues += [ConfigIssue(source, p, m) for p, m in _messages(error) if not _under(p, secure)]
    return issues
