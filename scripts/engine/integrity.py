"""The engine's snapshot integrity rules (``Snapshot.VerifyIntegrity``, pulumi/pulumi
``pkg/resource/deploy/snapshot.go``), applied to a stack-export document.

A plan that breaks them could not be imported (``pulumi stack import``) or would make the engine
warn on every resource. Errors are what the engine refuses; warnings what it logs (a child whose
URN does not carry its parent's qualified type).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from policies.catalog import PROVIDER_PREFIX
from scripts.engine.urns import ROOT_STACK_TYPE, parse


@dataclass(frozen=True)
class Integrity:
    errors: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.warnings


def magic(version: str) -> str:
    """The manifest's magic cookie: SHA-256 of the CLI version (``Manifest.NewMagic``)."""
    return hashlib.sha256(version.encode()).hexdigest() if version else ""


def _references(state: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """(kind, URN) of everything a state refers to that must come before it."""
    if state.get("parent"):
        yield "parent", str(state["parent"])
    for dep in state.get("dependencies") or ():
        yield "dependency", str(dep)
    for key, urns in (state.get("propertyDependencies") or {}).items():
        for dep in urns:
            yield f"property dependency ({key})", str(dep)
    for key in ("deletedWith",):
        if state.get(key):
            yield key, str(state[key])
    for dep in state.get("replaceWith") or ():
        yield "replaceWith", str(dep)


def verify(deployment: Mapping[str, Any]) -> Integrity:
    """Every integrity problem of ``deployment`` (the ``deployment`` object of a stack export)."""
    errors: list[str] = []
    warnings: list[str] = []
    manifest = deployment.get("manifest") or {}
    if manifest.get("magic") != magic(str(manifest.get("version") or "")):
        errors.append("magic cookie mismatch; possible tampering/corruption detected")
    resources = list(deployment.get("resources") or [])
    later = {str(r.get("urn")): i for i, r in enumerate(resources)}
    seen: dict[str, int] = {}
    providers: set[str] = set()
    for i, state in enumerate(resources):
        urn, type_ = str(state.get("urn") or ""), str(state.get("type") or "")
        if not urn:
            errors.append(f"resource at index {i} missing required 'urn' field")
            continue
        if not type_:
            errors.append(f"resource '{urn}' missing required 'type' field")
        if not state.get("custom") and state.get("id"):
            errors.append(f"resource '{urn}' has 'custom false but non-empty ID")
        if type_.startswith(PROVIDER_PREFIX):
            if not state.get("id"):
                errors.append(f"provider {urn} is not referenceable: it has no id")
            providers.add(f"{urn}::{state.get('id')}")
        provider = str(state.get("provider") or "")
        if provider and provider not in providers:
            errors.append(f"resource {urn} refers to unknown provider {provider}")
        for kind, dep in _references(state):
            if dep in seen:
                continue
            where = "comes after it" if later.get(dep, -1) > i else "is missing"
            errors.append(f"resource {urn}'s {kind} {dep} {where}")
        if state.get("parent"):
            warnings += _child_type_warning(urn, str(state["parent"]))
        if urn in seen and not (state.get("delete") or resources[seen[urn]].get("delete")):
            errors.append(f"duplicate resource {urn} (not marked for deletion)")
        seen[urn] = i
    return Integrity(tuple(errors), tuple(warnings))


def _child_type_warning(urn: str, parent: str) -> list[str]:
    child, mother = parse(urn), parse(parent)
    if child is None or mother is None:
        return [f"child resource {urn} has parent {parent} but one of them is not a URN"]
    expected = child.type
    if mother.qualified_type != ROOT_STACK_TYPE:
        expected = f"{mother.qualified_type}${expected}"
    if child.qualified_type != expected:
        return [f"child resource {urn} has parent {parent} but its URN doesn't match"]
    return []
