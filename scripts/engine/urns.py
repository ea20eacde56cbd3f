"""URNs as the Pulumi engine makes them (pulumi/pulumi ``sdk/go/common/resource/urn``, ``deploy``).

``urn:pulumi:<stack>::<project>::<qualified type>::<name>``. A child's qualified type is its
parent's qualified type, ``$``, then its own type; the root stack's type is left out, so a
top-level component is ``tvt:platform:Platform``, not ``pulumi:pulumi:Stack$tvt:platform:Platform``
(the SDK's mock monitor gets both wrong: it keeps only the parent's last type and the stack's).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

PREFIX = "urn:pulumi:"
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
TYPE_DELIMITER = "$"


@dataclass(frozen=True)
class Urn:
    stack: str
    project: str
    qualified_type: str
    name: str  # may itself contain "::"

    @property
    def type(self) -> str:
        """The resource's own type: the last segment of the qualified type."""
        return self.qualified_type.rsplit(TYPE_DELIMITER, 1)[-1]

    def __str__(self) -> str:
        return f"{PREFIX}{self.stack}::{self.project}::{self.qualified_type}::{self.name}"


@functools.lru_cache(maxsize=16384)
def parse(urn: str) -> Urn | None:
    """The parts of ``urn``, or None when it is not a Pulumi URN (remembered: every child of a
    parent, and each of a resource's aliases, parses the parent's URN)."""
    if not urn.startswith(PREFIX):
        return None
    parts = urn.removeprefix(PREFIX).split("::", 3)
    if len(parts) != 4 or not all(parts[:3]):
        return None
    return Urn(*parts)


def child_type(parent: str, type_: str) -> str:
    """The qualified type of a ``type_`` resource under ``parent`` (a URN, or "" for none)."""
    parsed = parse(parent) if parent else None
    if parsed is None or parsed.qualified_type == ROOT_STACK_TYPE:
        return type_
    return f"{parsed.qualified_type}{TYPE_DELIMITER}{type_}"


def new_urn(stack: str, project: str, parent: str, type_: str, name: str) -> str:
    """The engine's ``generateURN``: what a registration of (parent, type, name) is keyed by."""
    return str(Urn(stack, project, child_type(parent, type_), name))


@dataclass(frozen=True)
class AliasSpec:
    """One alias of a registration (``pulumirpc.Alias``): a URN, or parts defaulting to the resource's."""

    urn: str = ""
    name: str = ""
    type: str = ""
    stack: str = ""
    project: str = ""
    parent: str = ""
    no_parent: bool = False


def alias_urn(spec: AliasSpec, *, stack: str, project: str, parent: str, type_: str, name: str) -> str:
    """The engine's ``collapseAliasToUrn`` (then ``CreateURN``), for a resource with no prior state.

    Without prior state no parent was found through an alias, so no inherited alias multiplies in.
    """
    if spec.urn:
        return spec.urn
    old_parent = spec.parent or parent
    parsed = parse(old_parent) if old_parent else None
    if spec.no_parent or (parsed is not None and parsed.qualified_type == ROOT_STACK_TYPE):
        old_parent = ""
    type_, name = spec.type or type_, spec.name or name
    if old_parent:  # CreateURN: the parent's URN up to its name, then "$type::name"
        return f"{old_parent[: old_parent.rindex('::')]}{TYPE_DELIMITER}{type_}::{name}"
    return str(Urn(spec.stack or stack, spec.project or project, type_, name))
