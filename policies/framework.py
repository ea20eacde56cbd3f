"""The rule abstraction: metadata plus a pure check, and the thin wrapper that makes it a CrossGuard policy.

A rule is :class:`RuleMeta` (id, title, severity, enforcement level, controls, remediation, docs,
config parameters, in that order) and a check that is a pure function of a :class:`Resource` or a
:class:`StackContext`. The check answers with violation messages (none: compliant) or
:class:`NotApplicable`. :func:`to_policy` turns a rule into a pulumi_policy
``ResourceValidationPolicy``/``StackValidationPolicy`` using pulumi-policy's own metadata fields,
so the real CLI and our offline preview show the same thing.

Fail closed: a check that raises is reported as a violation of that rule, at the rule's level,
never as a pass: "rule crashed: <ExcType>: <msg>" for a bug, and "cannot verify during preview:
<what>" when it read a value only known after deployment (pulumi_policy's ``UnknownValueError``).
The SDK would report the latter as an *advisory* "can't run policy" diagnostic, which silently
turns a mandatory rule advisory on every first preview; so rules answer from property
dependencies instead of computed values (see ``policies/props.py``), and whatever they still
cannot answer blocks at their level.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from policies.clock import today
from policies.exemptions import EXEMPTIONS_SCHEMA, Exemption
from policies.model import UNVERIFIABLE_PREFIX, NotApplicable, Resource, Violation
from policies.partners import NO_PARTNERS, PartnerRegister
from policies.stack_index import StackIndex
from policies.use_cases import MISSING, UseCaseRegister

Params = Mapping[str, Any]
ResourceCheck = Callable[[Resource, Params], "Iterable[str] | NotApplicable"]
StackCheck = Callable[["StackContext", Params], "Iterable[Violation] | NotApplicable"]

CRASH_PREFIX = "rule crashed: "


def crashed(message: str) -> bool:
    """Whether a diagnostic reports a crashed check (the SDK puts the description on the line before)."""
    return f"\n{CRASH_PREFIX}" in message or message.startswith(CRASH_PREFIX)


_RULE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")

NCSC_FRAMEWORK = "NCSC Cloud Security Principles"
NCSC_REFERENCE = "https://www.ncsc.gov.uk/collection/cloud/the-cloud-security-principles"
# The principles (and sub-principles) this pack maps to; a typo in a rule's controls fails at import.
NCSC_PRINCIPLES: dict[str, str] = {
    "1": "Data in transit protection",
    "2.1": "Physical location and legal jurisdiction",
    "2.3": "Data at rest protection",
    "2.4": "Data sanitisation",
    "2.6": "Physical resilience and availability",
    "3": "Separation between customers",
    "4": "Governance framework",
    "5.1": "Configuration and change management",
    "5.3": "Protective monitoring",
    "9": "Secure user management",
    "10": "Identity and authentication",
    "11": "External interface protection",
    "13": "Audit information and alerting for customers",
}


@dataclass(frozen=True)
class Controls:
    """The controls a rule implements: NCSC Cloud Security Principles, Microsoft cloud security
    benchmark (MCSB) and CIS Microsoft Azure Foundations Benchmark, where one fits."""

    ncsc: tuple[str, ...]
    mcsb: tuple[str, ...] = ()
    cis: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = [p for p in self.ncsc if p not in NCSC_PRINCIPLES]
        if not self.ncsc or unknown:
            raise ValueError(
                f"controls: expected NCSC principles from {sorted(NCSC_PRINCIPLES)}, got {self.ncsc}"
            )

    def tags(self) -> list[str]:
        return (
            [f"ncsc-csp:{p}" for p in self.ncsc]
            + [f"mcsb:{c}" for c in self.mcsb]
            + [f"cis-azure:{c}" for c in self.cis]
        )

    def framework(self) -> PolicyComplianceFramework:
        return PolicyComplianceFramework(
            name=NCSC_FRAMEWORK,
            reference=", ".join(self.ncsc),
            specification="; ".join(f"{p} {NCSC_PRINCIPLES[p]}" for p in self.ncsc),
        )


class Stricter(StrEnum):
    """Which way a parameter makes its rule stricter than the default (the other way weakens it)."""

    HIGHER = "higher"  # a number: more days, more bits
    MORE = "more"  # a list of what is required: every default item must stay
    FEWER = "fewer"  # a list of what is allowed: nothing may be added to the default


STRICTER_KEY = "x-tvt-stricter"
"""The annotation in a parameter's config schema that says which way is stricter; the ``tvt`` tool
reports a value on the other side of the default as an enforcement downgrade."""


@dataclass(frozen=True)
class Param:
    """A rule parameter: its JSON Schema (with a ``default``), set in ``policies/config/<stack>.json``,
    and which way a value is stricter than the default."""

    name: str
    schema: Mapping[str, Any]
    stricter: Stricter

    def __post_init__(self) -> None:
        if "default" not in self.schema or "description" not in self.schema:
            raise ValueError(f"param {self.name}: schema needs a default and a description")

    @property
    def default(self) -> Any:
        return self.schema["default"]

    def config_schema(self) -> dict[str, Any]:
        return {**self.schema, STRICTER_KEY: self.stricter.value}


@dataclass(frozen=True)
class RuleMeta:
    """A rule's metadata, in the fixed order every rule file declares it."""

    id: str
    title: str
    severity: Severity
    enforcement: EnforcementLevel
    controls: Controls
    remediation: str
    docs: str
    params: tuple[Param, ...] = ()

    def __post_init__(self) -> None:
        if not _RULE_ID.match(self.id):
            raise ValueError(f"rule id {self.id!r}: expected kebab-case like 'encryption-tls'")
        if not self.title or not self.remediation:
            raise ValueError(f"rule {self.id}: title and remediation are required")
        if not self.docs.startswith("https://"):
            raise ValueError(f"rule {self.id}: docs must be an https URL")
        if any(p.name in ("exemptions", "enforcementLevel") for p in self.params):
            raise ValueError(f"rule {self.id}: 'exemptions' and 'enforcementLevel' are reserved config keys")

    def config_schema(self) -> dict[str, dict[str, Any]]:
        """JSON Schema properties of this rule's config (``enforcementLevel`` is the engine's own)."""
        return {"exemptions": dict(EXEMPTIONS_SCHEMA), **{p.name: p.config_schema() for p in self.params}}

    def params_from(self, config: Mapping[str, Any] | None) -> dict[str, Any]:
        """Configured values over schema defaults (the engine fills them in; in-process callers may not)."""
        given = config or {}
        return {p.name: given.get(p.name, p.default) for p in self.params}


@dataclass(frozen=True)
class StackContext:
    """What a stack rule sees: the indexed stack, every rule's exemptions, today's date, and the
    stack config's registers of use cases and partners (absent unless the engine sent them in
    ``ConfigureStack``, and rules then fail closed)."""

    index: StackIndex
    exemptions: tuple[Exemption, ...] = ()
    today: dt.date = field(default_factory=today)
    use_cases: UseCaseRegister = MISSING
    partners: PartnerRegister = NO_PARTNERS


def _summary(check: Callable[..., Any], rule_id: str) -> str:
    doc = (check.__doc__ or "").strip()
    if not doc:
        raise ValueError(
            f"rule {rule_id}: the check needs a docstring (its first line is the policy description)"
        )
    return " ".join(doc.split("\n\n", 1)[0].split())


@dataclass(frozen=True)
class ResourceRule:
    """A rule about one resource at a time (``Analyze``). ``types`` limits it; None means every type."""

    meta: RuleMeta
    check: ResourceCheck
    types: frozenset[str] | None = None

    @property
    def description(self) -> str:
        return _summary(self.check, self.meta.id)


@dataclass(frozen=True)
class StackRule:
    """A rule about the whole stack (``AnalyzeStack``): references between resources, presence of some."""

    meta: RuleMeta
    check: StackCheck

    @property
    def description(self) -> str:
        return _summary(self.check, self.meta.id)


Rule = ResourceRule | StackRule


class TvtStackValidationArgs(StackValidationArgs):
    """``StackValidationArgs`` carrying the context the analyzer built once for all stack rules."""

    def __init__(
        self,
        resources: list[PolicyResource],
        config: Mapping[str, Any] | None,
        stack_tags: Mapping[str, str] | None,
        context: StackContext,
    ) -> None:
        super().__init__(resources, config, stack_tags)
        self.context = context


class TvtResourceValidationArgs(ResourceValidationArgs):
    """``ResourceValidationArgs`` carrying the :class:`Resource` the analyzer built once for all
    resource rules of one ``Analyze`` (its props a read-only view, so sharing it is safe)."""

    def __init__(
        self,
        resource: Resource,
        opts: PolicyResourceOptions,
        provider: PolicyProviderResource | None,
        config: Mapping[str, Any] | None,
        stack_tags: Mapping[str, str],
    ) -> None:
        super().__init__(
            resource.type, resource.props, resource.urn, resource.name, opts, provider, config, stack_tags
        )
        self.resource = resource


def resource_of(args: ResourceValidationArgs) -> Resource:
    """The resource a rule judges: the analyzer's shared one, else built from the SDK's arguments."""
    if isinstance(args, TvtResourceValidationArgs):
        return args.resource
    return Resource.from_args(args)


def run_check(
    thunk: Callable[[], Iterable[Violation | str] | NotApplicable],
) -> list[Violation] | NotApplicable:
    """Run a check, turning any crash into a violation so a broken rule blocks instead of passing.

    A value unknown during preview that the check could not do without is a violation too
    ("cannot verify during preview: ..."), not the SDK's advisory "can't run policy".
    """
    try:
        verdict = thunk()
        if isinstance(verdict, NotApplicable):
            return verdict
        return [v if isinstance(v, Violation) else Violation(v) for v in verdict]
    except UnknownValueError as error:
        return [Violation(f"{UNVERIFIABLE_PREFIX}{error.message}, and the rule has no other way to check it")]
    except Exception as error:  # noqa: BLE001  (any other crash is a finding, never a silent pass)
        return [Violation(f"{CRASH_PREFIX}{type(error).__name__}: {error}")]


def _report(
    verdict: list[Violation] | NotApplicable, report: ReportViolation, not_applicable: Callable[[str], None]
) -> None:
    if isinstance(verdict, NotApplicable):
        not_applicable(verdict.reason)
        return
    for violation in verdict:
        report(violation.message, violation.urn)


def _only_for(types: frozenset[str] | None) -> str | None:
    """Why a rule limited to ``types`` does not apply to any other (None: it applies to every type)."""
    return None if types is None else f"applies only to {', '.join(sorted(types))}"


def _resource_validate(rule: ResourceRule) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    types, only_for = rule.types, _only_for(rule.types)

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if types is not None and args.resource_type not in types:
            args.not_applicable(only_for)
        verdict = run_check(lambda: rule.check(resource_of(args), rule.meta.params_from(args.get_config())))
        # Resource findings belong to the resource under analysis: the SDK attaches them (urn=None).
        _report(
            [Violation(v.message) for v in verdict] if isinstance(verdict, list) else verdict,
            report,
            args.not_applicable,
        )

    return validate


def _stack_validate(rule: StackRule) -> Callable[[StackValidationArgs, ReportViolation], None]:
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        def thunk() -> Iterable[Violation] | NotApplicable:
            context = (
                args.context
                if isinstance(args, TvtStackValidationArgs)
                else StackContext(StackIndex.from_policy_resources(args.resources))
            )
            return rule.check(context, rule.meta.params_from(args.get_config()))

        _report(run_check(thunk), report, args.not_applicable)

    return validate


class TvtResourcePolicy(ResourceValidationPolicy):
    """A resource rule's CrossGuard policy, which also says, without running, which types it skips."""

    def __init__(self, rule: ResourceRule, **common: Any) -> None:
        super().__init__(validate=_resource_validate(rule), **common)
        self.types = rule.types
        self._only_for = _only_for(rule.types)

    def not_applicable_to(self, resource_type: str) -> str | None:
        """The reason ``validate`` would give for ``resource_type`` before reading anything, or None.

        The analyzer answers these pairs itself: most of a stack's resources are outside most
        rules' types, and answering through ``validate`` costs an argument object and an exception.
        """
        if self.types is not None and resource_type not in self.types:
            return self._only_for
        return None


def to_policy(rule: Rule) -> Policy:
    """The CrossGuard policy for ``rule``, its metadata in pulumi-policy's own fields."""
    meta = rule.meta
    common: dict[str, Any] = {
        "name": meta.id,
        "description": rule.description,
        "enforcement_level": meta.enforcement,
        "config_schema": PolicyConfigSchema(properties=meta.config_schema()),
        "display_name": meta.title,
        "severity": meta.severity,
        "framework": meta.controls.framework(),
        "tags": meta.controls.tags(),
        "remediation_steps": meta.remediation,
        "url": meta.docs,
    }
    if isinstance(rule, ResourceRule):
        return TvtResourcePolicy(rule, **common)
    return StackValidationPolicy(validate=_stack_validate(rule), **common)


def rule_ids(rules: Sequence[Rule]) -> list[str]:
    return [r.meta.id for r in rules]


def reference_violations(context: StackContext, rule: str) -> Iterator[Violation]:
    """The findings of ``rule`` about references whose value and dependency disagree (see
    ``policies/references.py``), each on the resource that holds the reference."""
    for problem in context.index.problems_reported_by(rule):
        yield Violation(problem.message, problem.resource.urn)
