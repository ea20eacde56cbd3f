"""Read a plan (stack-export v3 document) back into typed resources, checking its shape first.

``tvt plan`` evaluates the bytes it has just written through this module and ``tvt check`` reads a
saved file through it, so both see exactly the same resources. A malformed plan is bad input
(exit 2): every problem is reported with the file and the key path, e.g.
``out/prod/plan.json: deployment.resources[3].urn: expected a string``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from components.config.files import MAX_DEPTH, MAX_PLAN_BYTES
from policies.catalog import PROVIDER_PREFIX
from policies.catalog import STACK as STACK_TYPE
from scripts.engine.errors import PreviewError, issue
from scripts.engine.export import DEPLOYMENT_VERSION, is_secret
from scripts.engine.inputs import parse_json, read_input, read_json


@dataclass(frozen=True)
class PlanResource:
    """One resource as the plan records it (``ResourceV3``), with the name and stack parsed from the URN."""

    urn: str
    type: str
    custom: bool
    id: str
    inputs: Mapping[str, Any]
    outputs: Mapping[str, Any]
    parent: str
    protect: bool
    dependencies: tuple[str, ...]
    property_dependencies: Mapping[str, tuple[str, ...]]
    provider: str
    source_position: str
    ignore_changes: tuple[str, ...] = ()
    additional_secret_outputs: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # the URNs it was known by (``tvt diff`` follows renames through them)

    @property
    def name(self) -> str:
        return urn_name(self.urn)

    @property
    def is_stack(self) -> bool:
        return self.type == STACK_TYPE

    @property
    def is_provider(self) -> bool:
        return self.type.startswith(PROVIDER_PREFIX)

    @property
    def provider_urn(self) -> str:
        return self.provider.rsplit("::", 1)[0] if self.provider else ""


@dataclass(frozen=True)
class Plan:
    source: str  # the file (or label) the plan came from, for messages
    stack: str
    project: str
    pulumi_version: str
    resources: tuple[PlanResource, ...]
    by_urn: Mapping[str, PlanResource] = field(repr=False, compare=False, default_factory=dict)

    def get(self, urn: str) -> PlanResource | None:
        return self.by_urn.get(urn)


def urn_parts(urn: str) -> tuple[str, str, str, str] | None:
    """(stack, project, qualified type, name) of ``urn:pulumi:S::P::T::N``; names may contain ``::``."""
    if not urn.startswith("urn:pulumi:"):
        return None
    parts = urn.removeprefix("urn:pulumi:").split("::", 3)
    if len(parts) != 4:
        return None
    return parts[0], parts[1], parts[2], parts[3]


def urn_name(urn: str) -> str:
    parts = urn_parts(urn)
    return parts[3] if parts else urn


class _Checker:
    """Collects every shape problem of one document before failing, so one run shows them all."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.issues: list[str] = []

    def fail(self, path: str, expected: str) -> None:
        self.issues.append(issue(self.source, path, expected))

    def mapping(self, value: Any, path: str) -> Mapping[str, Any]:
        if isinstance(value, Mapping):
            return value
        self.fail(path, f"expected an object, got {_kind(value)}")
        return {}

    def string(self, value: Any, path: str, *, required: bool = False) -> str:
        if value is None and not required:
            return ""
        if isinstance(value, str) and (value or not required):
            return value
        self.fail(path, f"expected a{' non-empty' if required else ''} string, got {_kind(value)}")
        return ""

    def boolean(self, value: Any, path: str) -> bool:
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        self.fail(path, f"expected true or false, got {_kind(value)}")
        return False

    def strings(self, value: Any, path: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        self.fail(path, f"expected a list of strings, got {_kind(value)}")
        return ()


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (missing)"
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), f"a {type(value).__name__}"
    )


_URN_FORM = "expected a URN of the form urn:pulumi:STACK::PROJECT::TYPE::NAME"


def _resource(check: _Checker, raw: Any, path: str) -> PlanResource | None:
    if not isinstance(raw, Mapping):
        check.fail(path, f"expected a resource object, got {_kind(raw)}")
        return None
    before = len(check.issues)
    urn = check.string(raw.get("urn"), f"{path}.urn", required=True)
    if urn and urn_parts(urn) is None:
        check.fail(f"{path}.urn", _URN_FORM)
    if "custom" not in raw:
        check.fail(f"{path}.custom", "missing (expected true or false)")
    deps_raw = check.mapping(raw.get("propertyDependencies", {}), f"{path}.propertyDependencies")
    for key in ("inputs", "outputs"):
        for where, problem in _secret_problems(raw.get(key), f"{path}.{key}", 0):
            check.fail(where, problem)
    resource = PlanResource(
        urn=urn,
        type=check.string(raw.get("type"), f"{path}.type", required=True),
        custom=check.boolean(raw.get("custom"), f"{path}.custom"),
        id=check.string(raw.get("id"), f"{path}.id"),
        inputs=check.mapping(raw.get("inputs", {}), f"{path}.inputs"),
        outputs=check.mapping(raw.get("outputs", {}), f"{path}.outputs"),
        parent=check.string(raw.get("parent"), f"{path}.parent"),
        protect=check.boolean(raw.get("protect"), f"{path}.protect"),
        dependencies=check.strings(raw.get("dependencies"), f"{path}.dependencies"),
        property_dependencies={
            str(k): check.strings(v, f"{path}.propertyDependencies.{k}") for k, v in deps_raw.items()
        },
        provider=check.string(raw.get("provider"), f"{path}.provider"),
        source_position=check.string(raw.get("sourcePosition"), f"{path}.sourcePosition"),
        ignore_changes=check.strings(raw.get("ignoreChanges"), f"{path}.ignoreChanges"),
        additional_secret_outputs=check.strings(
            raw.get("additionalSecretOutputs"), f"{path}.additionalSecretOutputs"
        ),
        aliases=check.strings(raw.get("aliases"), f"{path}.aliases"),
    )
    for j, alias in enumerate(resource.aliases):
        if urn_parts(alias) is None:
            check.fail(f"{path}.aliases[{j}]", _URN_FORM)
    return resource if len(check.issues) == before else None


def _secret_problems(value: Any, path: str, depth: int) -> Iterator[tuple[str, str]]:
    """A secret holds its value as JSON text (``plaintext``) or as a ``ciphertext`` (``SecretV1``).

    The messages never quote the secret's text.
    """
    if depth > MAX_DEPTH:
        return  # a plan read from a file was refused for this already
    if is_secret(value):
        plaintext, ciphertext = value.get("plaintext"), value.get("ciphertext")
        if plaintext is None and isinstance(ciphertext, str):
            return
        if not isinstance(plaintext, str):
            yield path, "expected a secret with a plaintext (JSON text) or a ciphertext string"
            return
        try:
            parse_json(plaintext, path)
        except PreviewError:
            yield f"{path}.plaintext", "expected the secret's value as JSON text, got text that is not JSON"
    elif isinstance(value, Mapping):
        for key, child in value.items():
            yield from _secret_problems(child, f"{path}.{key}", depth + 1)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _secret_problems(child, f"{path}[{index}]", depth + 1)


def _unique(check: _Checker, resources: Sequence[PlanResource]) -> None:
    """One resource per URN, as the engine's integrity check requires (``duplicate resource URN``)."""
    first: dict[str, int] = {}
    for i, r in enumerate(resources):
        if r.urn in first:
            check.fail(
                f"deployment.resources[{i}].urn",
                f"duplicate resource URN, first at deployment.resources[{first[r.urn]}]",
            )
        first.setdefault(r.urn, i)


def _references(
    check: _Checker, resources: Sequence[PlanResource], by_urn: Mapping[str, PlanResource]
) -> None:
    """Parents, dependencies and providers must name resources that come earlier in the plan (the
    engine's integrity rule, ``VerifyIntegrity``): so no parent chain or dependency can loop. A
    provider reference is ``<provider URN>::<its id>`` of an earlier provider. Property dependencies
    must name another resource of the plan; their order is not judged (the engine's is, but the
    plans the mutation harness derives point at later resources, and every walk over them, the
    ``StackIndex``'s, guards against loops)."""
    before: set[str] = set()
    providers: set[str] = set()
    for i, r in enumerate(resources):
        path = f"deployment.resources[{i}]"
        if r.provider and r.provider not in providers:
            check.fail(
                f"{path}.provider",
                f"refers to {r.provider}, which is not an earlier provider of the plan (expected "
                "<provider URN>::<its id>)",
            )
        named = [("parent", r.parent)]
        named += [(f"dependencies[{j}]", d) for j, d in enumerate(r.dependencies)]
        for key, deps in r.property_dependencies.items():
            for j, urn in enumerate(deps):
                if urn not in by_urn:
                    check.fail(
                        f"{path}.propertyDependencies.{key}[{j}]",
                        f"refers to {urn}, which is not in the plan",
                    )
                elif urn == r.urn:
                    check.fail(f"{path}.propertyDependencies.{key}[{j}]", "refers to the resource itself")
        for key, urn in named:
            if not urn or urn in before:
                continue
            if urn not in by_urn:
                check.fail(f"{path}.{key}", f"refers to {urn}, which is not in the plan")
            elif urn == r.urn:
                check.fail(f"{path}.{key}", "refers to the resource itself")
            else:
                check.fail(
                    f"{path}.{key}", f"refers to {urn}, which comes after it (the engine needs it before)"
                )
        before.add(r.urn)
        if r.is_provider:
            providers.add(f"{r.urn}::{r.id}")


def parse_plan(document: Any, source: str) -> Plan:
    """Check the document's shape and return the typed plan; a :class:`PreviewError` lists every issue."""
    check = _Checker(source)
    top = check.mapping(document, "")
    if check.issues:
        raise PreviewError(*check.issues)
    if top.get("version") != DEPLOYMENT_VERSION:
        check.fail(
            "version", f"expected {DEPLOYMENT_VERSION} (a stack export v3), got {top.get('version')!r}"
        )
    deployment = check.mapping(top.get("deployment"), "deployment")
    manifest = check.mapping(deployment.get("manifest"), "deployment.manifest") if deployment else {}
    raw_resources = deployment.get("resources")
    if deployment and not isinstance(raw_resources, list):
        check.fail("deployment.resources", f"expected a list of resources, got {_kind(raw_resources)}")
    if check.issues:
        raise PreviewError(*check.issues)
    assert isinstance(raw_resources, list)
    parsed = [_resource(check, raw, f"deployment.resources[{i}]") for i, raw in enumerate(raw_resources)]
    resources = tuple(r for r in parsed if r is not None)
    if not resources and not check.issues:
        check.fail("deployment.resources", "expected at least the pulumi:pulumi:Stack resource, got none")
    if check.issues:
        raise PreviewError(*check.issues)
    _unique(check, resources)
    by_urn = {r.urn: r for r in resources}
    _references(check, resources, by_urn)
    stacks = sorted({(p[0], p[1]) for r in resources if (p := urn_parts(r.urn))})
    if len(stacks) != 1:
        check.fail("deployment.resources", f"expected the URNs of one stack and project, found {len(stacks)}")
    if check.issues:
        raise PreviewError(*check.issues)
    stack, project = stacks[0]
    version = manifest.get("version")
    return Plan(source, stack, project, version if isinstance(version, str) else "", resources, by_urn)


def read_plan_document(path: Path) -> Any:
    """The JSON document in ``path``, read strictly; unreadable or ambiguous is a :class:`PreviewError`."""
    return read_json(path, "plan", MAX_PLAN_BYTES)


def read_plan_file(path: Path) -> tuple[bytes, Plan]:
    """The plan file's bytes and the plan they hold, from one read (the bytes are copied as they are)."""
    data = read_input(path, "plan", MAX_PLAN_BYTES)
    return data, parse_plan(parse_json(data, str(path)), str(path))


def load_plan(path: Path) -> Plan:
    """Read and check ``path``; any problem is a :class:`PreviewError` naming the file and the key."""
    return parse_plan(read_plan_document(path), str(path))
