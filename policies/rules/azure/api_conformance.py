"""azure-api-conformance: every resource's inputs are a body Azure's own definition accepts.

The azure-native SDK checks no enum value, type or limit, so a wrong value fails only at deploy
time, after review and approval. This rule maps a resource's inputs to the ARM request body and
checks them against Microsoft's generated model for the API version azure-native uses
(``policies/arm_types.py``):

- the URL parameters (the catalog's ARM id inputs and the request builder's path arguments) are
  URL parts: their lengths and patterns are checked as the builder declares them, and they are not
  looked for in the body;
- every other input is matched to the model attribute of the same name (azure-native's input
  names and the models' attribute names both derive from the spec's ``x-ms-client-name``); the
  attribute map gives its ARM path (``enableHttpsTrafficOnly`` is ``properties.supportsHttpsTrafficOnly``);
- findings: a property the model does not define (unless it takes additional properties), a
  read-only one, a required one that is absent, a value of the wrong JSON type, a value outside the
  model's enum, and a number, length, item count or pattern outside the model's ``_validation``,
  decided with the package's own validation functions.

Values unknown during preview are skipped for value checks; a property's name is always checked.
No package has azure-native's exact API version for three types, which are checked with the nearest
(their findings name both versions; ``policies/arm_types.py`` says what differs): resource groups
(2024-03-01, checked with 2025-04-01), the Log Analytics workspace (2023-09-01, with 2022-10-01) and
the Azure Monitor private link scope and its scoped resources (2023-06-01-preview, with
2021-07-01-preview). A type with no definition fails closed. What it cannot see: ``docs/preview.md``
("Inputs checked against Azure's own types").
"""

from __future__ import annotations

import ast
import inspect
import re
import string
import sys
import textwrap
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from policies.arm_types import (
    ARM_DEFINITIONS,
    NO_DEFINITION,
    ArmDefinition,
    import_module,
    model_class,
    request_builder,
    request_module,
)
from policies.catalog import TypeInfo, classify
from policies.framework import Controls, Params, ResourceRule, RuleMeta
from policies.model import NotApplicable, Resource
from policies.props import describe, is_list, is_unknown, peek

META = RuleMeta(
    id="azure-api-conformance",
    title="Inputs are what Azure's own definition of the type accepts",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("5.1",), mcsb=("AM-2",)),
    remediation=(
        "Use the azure-native SDK's enum classes and the property names of the type's API version; "
        "keep values within the limits Azure defines. A new azure-native type needs its row in "
        "policies/arm_types.py (a tested model for the API version azure-native uses)."
    ),
    docs="https://learn.microsoft.com/rest/api/azure/",
)

# azure-native fills an absent location from the provider's configuration or the resource group.
_FILLED_BY_AZURE_NATIVE = frozenset({"location"})
# azure-native takes user-assigned identities as a list of ids; ARM's body is a map keyed by id.
_ID_LIST_AS_MAP = "userassignedidentities"
_VALIDATION_KEYS = frozenset(
    {
        "min_length",
        "max_length",
        "minimum",
        "maximum",
        "minimum_ex",
        "maximum_ex",
        "min_items",
        "max_items",
        "pattern",
        "unique",
        "multiple",
    }
)
_HANDLED_KEYS = _VALIDATION_KEYS | {"readonly", "required", "constant"}
# Limits on a list as a whole; every other limit is on each value (a list's items included).
_LIST_KEYS = frozenset({"min_items", "max_items", "unique"})


@cache
def _norm(name: str) -> str:
    """The form in which an azure-native input name and a model attribute name are compared."""
    return name.replace("_", "").casefold()


def _camel(attr: str) -> str:
    head, *rest = attr.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


# -- Microsoft's models, read once per class ---------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    attr: str
    arm_key: tuple[str, ...]
    type: str
    rules: Mapping[str, Any]
    enum: tuple[str, ...]
    flags: bool  # the enum's values combine ("Logging, Metrics"), as the attribute's docs say

    @property
    def input_name(self) -> str:
        return _camel(self.attr)


@dataclass(frozen=True)
class _Model:
    name: str
    fields: Mapping[str, _Field]  # by normalised attribute name
    open: bool  # takes additional properties of any name
    discriminator: str | None
    subtypes: Mapping[str, str]
    required: tuple[tuple[str, _Field], ...] = ()  # writable, not constant: a request must carry them


@cache
def _models_module(cls: type) -> Any:
    return import_module(cls.__module__.rpartition(".")[0])


def _flags(cls: type) -> set[str]:
    """Attributes whose docs say their enum values combine ("any combination of Logging|Metrics")."""
    sections = re.split(r"\n\s*:ivar ", str(cls.__doc__))[1:]  # no docstring: "None", no sections
    described = {s.partition(":")[0]: " ".join(s.partition(":vartype")[0].split()) for s in sections}
    return {attr for attr, text in described.items() if "any combination of" in text}


def _enums(cls: type, models: Any) -> dict[str, tuple[str, ...]]:
    """Each attribute's enum values, from the constructor's annotations (``Union[str, "_models.X"]``)."""
    found: dict[str, tuple[str, ...]] = {}
    for name, parameter in inspect.signature(cls).parameters.items():
        for enum_name in re.findall(r"_models\.(\w+)", str(parameter.annotation)):
            candidate = getattr(models, enum_name, None)
            if isinstance(candidate, type) and issubclass(candidate, Enum):
                found[name] = tuple(str(member.value) for member in candidate)
    return found


@cache
def _model(cls: type) -> _Model:
    attribute_map: Mapping[str, Mapping[str, str]] = cls._attribute_map  # type: ignore[attr-defined]
    validation: Mapping[str, Mapping[str, Any]] = getattr(cls, "_validation", {})
    enums = _enums(cls, _models_module(cls))
    flags = _flags(cls)
    fields: dict[str, _Field] = {}
    open_ = False
    for attr, spec in attribute_map.items():
        if spec["key"] == "":
            open_ = True  # msrest's additional_properties
            continue
        rules = validation.get(attr, {})
        unhandled = set(rules) - _HANDLED_KEYS
        if unhandled:
            raise ValueError(f"{cls.__name__}.{attr}: unknown validation {sorted(unhandled)}")
        key = tuple(part.replace("\\.", ".") for part in re.split(r"(?<!\\)\.", spec["key"]))
        fields[_norm(attr)] = _Field(attr, key, spec["type"], rules, enums.get(attr, ()), attr in flags)
    subtype_map: Mapping[str, Mapping[str, str]] = getattr(cls, "_subtype_map", None) or {}
    discriminator, subtypes = next(iter(subtype_map.items()), (None, {}))
    required = tuple(
        (norm, f)
        for norm, f in fields.items()
        if f.rules.get("required") and not f.rules.get("readonly") and not f.rules.get("constant")
    )
    return _Model(cls.__name__, fields, open_, discriminator, subtypes, required)


# -- the request builder's URL parameters -------------------------------------------------------------


@cache
def _url_parameters(definition: ArmDefinition) -> Mapping[str, Mapping[str, Any]]:
    """Each URL placeholder of the PUT (normalised) and the limits the builder validates it with."""
    source = textwrap.dedent(inspect.getsource(request_builder(definition)))
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "path_format_arguments" for t in node.targets)
            and isinstance(node.value, ast.Dict)
        ):
            parameters: dict[str, Mapping[str, Any]] = {}
            for key, value in zip(node.value.keys, node.value.values, strict=True):
                if not (isinstance(key, ast.Constant) and isinstance(key.value, str)) or not isinstance(
                    value, ast.Call
                ):
                    raise ValueError(f"{definition.request}: unexpected path argument")
                parameters[_norm(key.value)] = {
                    k.arg: ast.literal_eval(k.value) for k in value.keywords if k.arg in _VALIDATION_KEYS
                }
            return parameters
    raise ValueError(f"{definition.request}: no path arguments found")


@cache
def _serialization(definition: ArmDefinition) -> tuple[Mapping[str, Callable[[Any, Any], bool]], Any]:
    """The package's own validation functions and Deserializer (msrest semantics, vendored per package)."""
    serializer = request_module(definition)._SERIALIZER
    module = sys.modules[type(serializer).__module__]
    return serializer.validation, module.Deserializer


@dataclass(frozen=True)
class _Target:
    """What checking one type needs, read once from its definition: the model, the package's
    validation, the URL parameters, and the inputs that are not in the body (ARM id and URL parts)."""

    definition: ArmDefinition
    root: type
    models: Any
    validation: Mapping[str, Callable[[Any, Any], bool]]
    deserializer: Any
    parameters: Mapping[str, Mapping[str, Any]]
    not_in_body: frozenset[str]


@cache
def _target(type_: str, info: TypeInfo, definition: ArmDefinition) -> _Target:
    """Memoised per type: every resource of it needs the same, and the first call imports the
    package (under ``IMPORT_LOCK``); concurrent first calls may both build it, to the same value."""
    root = model_class(definition)
    validation, deserializer = _serialization(definition)
    parameters = _url_parameters(definition)
    return _Target(
        definition,
        root,
        _models_module(root),
        validation,
        deserializer,
        parameters,
        frozenset(_arm_id_inputs(info) | set(parameters)),
    )


def _arm_id_inputs(info: TypeInfo) -> set[str]:
    template: set[str] = set()
    if info.arm_id is not None:
        # "{name}" and "{subscription}" are the template's own fields, not inputs (catalog.ArmId).
        fields = {f for _, f, _, _ in string.Formatter().parse(info.arm_id.template) if f}
        template = {_norm(f) for f in fields - {"name", "subscription"}} | {_norm(info.arm_id.name_input)}
    identity = {_norm(n) for n in info.replacement.identity} if info.replacement is not None else set()
    return template | identity


# -- the check -------------------------------------------------------------------------------------


def _limit_problem(rule: str, value: Any, limit: Any) -> str:
    if rule in ("max_length", "min_length"):
        side = "more than the maximum" if rule == "max_length" else "fewer than the minimum"
        return f"{describe(value)} is {len(value)} characters long, {side} {limit}"
    if rule in ("max_items", "min_items"):
        side = "more than the maximum" if rule == "max_items" else "fewer than the minimum"
        return f"has {len(value)} items, {side} {limit}"
    return {
        "minimum": f"{describe(value)} is below the minimum {limit}",
        "maximum": f"{describe(value)} is above the maximum {limit}",
        "minimum_ex": f"{describe(value)} is not above {limit}",
        "maximum_ex": f"{describe(value)} is not below {limit}",
        "pattern": f"{describe(value)} does not match the pattern {limit}",
        "unique": "has duplicate items",
        "multiple": f"{describe(value)} is not a multiple of {limit}",
    }[rule]


def _in_enum(value: str, field: _Field) -> bool:
    known = {e.casefold() for e in field.enum}
    parts = [p.strip() for p in value.split(",")] if field.flags else [value]
    return all(p.casefold() in known for p in parts)


def _integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_STRING_FORMATS = {
    "iso-8601": "deserialize_iso",
    "date": "deserialize_date",
    "duration": "deserialize_duration",
}
_SCALARS: Mapping[str, tuple[str, Callable[[Any], bool]]] = {
    "str": ("a string", lambda v: isinstance(v, str)),
    "int": ("an integer", _integer),
    "long": ("an integer", _integer),
    "unix-time": ("an integer (seconds since 1970)", _integer),
    "float": ("a number", _number),
    "decimal": ("a number", _number),
    "bool": ("true or false", lambda v: isinstance(v, bool)),
    "object": ("any value", lambda v: True),
    "iso-8601": ("an ISO 8601 date-time", lambda v: isinstance(v, str)),
    "rfc-1123": ("an RFC 1123 date-time", lambda v: isinstance(v, str)),
    "date": ("an ISO 8601 date", lambda v: isinstance(v, str)),
    "time": ("a time of day", lambda v: isinstance(v, str)),
    "duration": ("an ISO 8601 duration", lambda v: isinstance(v, str)),
    "bytearray": ("a base64 string", lambda v: isinstance(v, str)),
    "base64": ("a base64 string", lambda v: isinstance(v, str)),
}


class _Checker:
    """Walks one resource's inputs against one definition, collecting findings."""

    def __init__(self, target: _Target) -> None:
        self.definition = target.definition
        self.root = target.root
        self.models = target.models
        self.validation, self.deserializer = target.validation, target.deserializer
        self.findings: list[str] = []

    def report(self, input_path: str, problem: str, arm_path: str = "") -> None:
        where = f", {arm_path}" if arm_path else ""
        self.findings.append(f"{input_path}: {problem} ({self.definition.source()}{where})")

    def limits(self, value: Any, rules: Mapping[str, Any], input_path: str, arm_path: str) -> None:
        applicable = _LIST_KEYS if is_list(value) else _VALIDATION_KEYS - _LIST_KEYS
        for rule, limit in rules.items():
            if rule in applicable and self.validation[rule](value, limit):
                self.report(input_path, _limit_problem(rule, value, limit), arm_path)

    def url(self, props: Mapping[str, Any], parameters: Mapping[str, Mapping[str, Any]]) -> None:
        for key in list(props):
            rules = parameters.get(_norm(key))
            value = peek(props, key)
            if rules and isinstance(value, str):
                self.limits(value, rules, key, f"URL parameter {{{key}}}")

    def model(
        self, cls: type, value: Mapping[str, Any], skip: frozenset[str], path: str = "", arm: str = ""
    ) -> None:
        """Check ``value`` against model ``cls`` (``path``, ``arm``: where it sits; the root's are empty)."""
        model = _model(cls)
        if model.discriminator is not None:
            field = model.fields.get(_norm(model.discriminator))
            kind = peek(value, field.input_name) if field else None
            if isinstance(kind, str) and kind in model.subtypes:
                cls = getattr(self.models, model.subtypes[kind])
                model = _model(cls)
        given = set()
        for key in list(value):
            norm = _norm(key)
            if norm in skip:
                continue
            input_path = f"{path}.{key}" if path else key
            field = model.fields.get(norm)
            if field is None:
                if not model.open:
                    self.report(input_path, f"Azure's {model.name} defines no such property")
                continue
            given.add(norm)
            arm_path = ".".join(filter(None, (arm, *field.arm_key)))
            if field.rules.get("readonly"):
                self.report(input_path, "is read-only: Azure sets it and refuses it in a request", arm_path)
                continue
            self.value(peek(value, key), field.type, field, input_path, arm_path)
        for norm, field in model.required:
            if norm in given or norm in skip:
                continue
            if not path and norm in _FILLED_BY_AZURE_NATIVE:
                continue
            input_path = f"{path}.{field.input_name}" if path else field.input_name
            self.report(input_path, "is required, but absent", ".".join(filter(None, (arm, *field.arm_key))))

    def value(self, value: Any, type_: str, field: _Field, path: str, arm: str) -> None:
        if value is None or is_unknown(value):
            return
        if type_.startswith("["):
            if not is_list(value):
                self.report(path, f"expected a list, got {describe(value)}", arm)
                return
            if not any(is_unknown(peek(value, i)) for i in range(len(value))):
                self.limits(value, field.rules, path, arm)  # item counts and uniqueness need every item
            for i in range(len(value)):
                self.value(peek(value, i), type_[1:-1], field, f"{path}[{i}]", f"{arm}[{i}]")
            return
        if type_.startswith("{"):
            if is_list(value) and _norm(field.attr) == _ID_LIST_AS_MAP:
                for i in range(len(value)):
                    item = peek(value, i)
                    if not (item is None or is_unknown(item) or isinstance(item, str)):
                        self.report(f"{path}[{i}]", f"expected a resource id, got {describe(item)}", arm)
                return
            if not isinstance(value, Mapping):
                self.report(path, f"expected an object, got {describe(value)}", arm)
                return
            for key in list(value):
                self.value(peek(value, key), type_[1:-1], field, f"{path}.{key}", f"{arm}.{key}")
            return
        scalar = _SCALARS.get(type_)
        if scalar is None:
            cls = getattr(self.models, type_, None)
            if not isinstance(cls, type) or not hasattr(cls, "_attribute_map"):
                raise ValueError(f"{field.attr}: unknown type {type_!r} in {self.definition.model}")
            if not isinstance(value, Mapping):
                self.report(path, f"expected an object ({type_}), got {describe(value)}", arm)
                return
            self.model(cls, value, frozenset(), path, arm)
            return
        expected, accepts = scalar
        if not accepts(value):
            self.report(path, f"expected {expected}, got {describe(value)}", arm)
            return
        if field.enum and isinstance(value, str) and not _in_enum(value, field):
            expected = "a combination of" if field.flags else "one of"
            self.report(path, f"{describe(value)} is not {expected} {', '.join(field.enum)}", arm)
            return
        parse = _STRING_FORMATS.get(type_)
        if parse is not None:
            try:
                getattr(self.deserializer, parse)(value)
            except Exception:  # noqa: BLE001  (the package's parser says no: not a value of the format)
                self.report(path, f"expected {expected}, got {describe(value)}", arm)
                return
        self.limits(value, field.rules, path, arm)


def problems(type_: str, props: Mapping[str, Any]) -> Iterable[str] | NotApplicable:
    """The findings for inputs ``props`` of a resource of ``type_`` (pure; the rule's whole logic)."""
    info = classify(type_)
    if info is None:
        return [
            f"resource type {type_} is not in policies/catalog.py: its ARM id and Azure definition are "
            "unknown, so its inputs cannot be checked against Azure's types"
        ]
    if info.arm_id is None:
        return NotApplicable("not an Azure resource (the catalog records no ARM id for it)")
    definition = ARM_DEFINITIONS.get(type_)
    if definition is None:
        reason = NO_DEFINITION.get(type_, "policies/arm_types.py has no row for it")
        return [f"{type_} has no Azure type definition to check its inputs against: {reason}"]
    target = _target(type_, info, definition)
    checker = _Checker(target)
    checker.url(props, target.parameters)
    checker.model(checker.root, props, target.not_in_body)
    return checker.findings


def warm() -> int:
    """Build every defined type's target now, importing Azure's model packages (about half a
    second); returns how many were built. :func:`policies.pack.serve` runs it in the background
    once the pack listens, so under ``tvt plan`` (and ``pulumi preview``) the imports overlap the
    program's start instead of delaying the first resources of each type. A type whose target
    cannot be built is left for the rule, which meets the same error on a resource and reports it."""
    built = 0
    for type_, definition in ARM_DEFINITIONS.items():
        info = classify(type_)
        if info is None:
            continue
        try:
            _target(type_, info, definition)
        except Exception:  # noqa: BLE001, S112  (the rule reports it, fail closed, on the resource)
            continue
        built += 1
    return built


def check(resource: Resource, params: Params) -> Iterator[str] | NotApplicable:
    """Every resource's inputs are checked against Azure's own definition of its type.

    The SDK checks no enum value, type or limit, so a typo would otherwise be found by Azure at
    deploy time, after review and approval. Names, types, enums and limits come from Microsoft's
    generated models for the API version azure-native uses, never from a hand-written table; a type
    with no definition fails closed.
    """
    verdict = problems(resource.type, resource.props)
    return verdict if isinstance(verdict, NotApplicable) else iter(verdict)


RULE = ResourceRule(META, check)
