"""What rules see and what they answer: a resource, a violation, "not applicable".

Rules never touch pulumi_policy's argument objects: the framework turns them into :class:`Resource`
so a check is a pure function that can be unit-tested with plain dicts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs

from policies.props import mapping

UNVERIFIABLE_PREFIX = "cannot verify during preview: "
"""How a finding starts when a value only known after deployment was needed and nothing else answered."""


@dataclass(frozen=True)
class Resource:
    """One resource as the engine describes it: inputs (Analyze) or outputs (AnalyzeStack), plus options.

    ``property_dependencies`` maps a top-level property name to the URNs of the resources its value
    was computed from; it is how rules follow references (``resourceUri``, ``scope``, ...) without
    trusting names or parsing ARM ids. Empty in ``Analyze``, where the engine does not send it.
    """

    urn: str
    type: str
    name: str
    props: Mapping[str, Any]
    protect: bool = False
    parent: str | None = None
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """The type's last segment, as findings name it: ``Vault`` for ``azure-native:keyvault:Vault``."""
        return self.type.rpartition(":")[2]

    @property
    def tags(self) -> Mapping[str, Any]:
        return mapping(self.props.get("tags"))

    def tag(self, key: str) -> str | None:
        value = self.tags.get(key)
        return value if isinstance(value, str) and value else None

    @classmethod
    def from_args(cls, args: ResourceValidationArgs) -> Resource:
        return cls(
            urn=args.urn,
            type=args.resource_type,
            name=args.name,
            props=args.props,
            protect=bool(args.opts.protect),
            parent=args.opts.parent,
        )

    @classmethod
    def from_policy_resource(cls, resource: PolicyResource) -> Resource:
        parent = resource.parent.urn if resource.parent is not None else resource.opts.parent
        return cls(
            urn=resource.urn,
            type=resource.resource_type,
            name=resource.name,
            props=resource.props,
            protect=bool(resource.opts.protect),
            parent=parent,
            dependencies=tuple(d.urn for d in resource.dependencies),
            property_dependencies={
                k: tuple(d.urn for d in v) for k, v in resource.property_dependencies.items()
            },
        )


@dataclass(frozen=True)
class Violation:
    """One finding. ``urn`` names the offending resource in stack rules (None: the stack as a whole)."""

    message: str
    urn: str | None = None


@dataclass(frozen=True)
class NotApplicable:
    """The rule has nothing to say about this input (reported to the engine as "not applicable")."""

    reason: str
