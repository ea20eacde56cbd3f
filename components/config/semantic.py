"""Rules that relate one config value to another, run on the typed model once the schema passed.

Each check is a small generator of ``(path, message)`` findings so a config with many mistakes is
reported in one run. Paths use the stack file's spelling (``tvt:grants[2].useCase``), which the
model preserves because its tuples keep the file's order.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from typing import Any

from components.config.issues import ConfigIssue
from components.config.model import DEFAULT_ZONES, LANDING_ZONE, Environment, Role, StackConfig
from components.naming import Kind, Namer, check, scope_name

Finding = tuple[str, str]
Check = Callable[[StackConfig, dt.date], Iterable[Finding]]

# The stack name is part of every Azure name; eight characters keep key vault names within 24.
STACK_NAME = re.compile(r"[a-z0-9]{2,8}")
STACK_NAME_PATH = "(stack name)"
# Azure's Log Analytics and archive records must outlive an investigation: one year in prod.
PROD_MIN_RETENTION_DAYS = 365
RFC1918 = tuple(ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))


def _duplicates(items: Iterable[tuple[str, Hashable]]) -> Iterator[tuple[str, str]]:
    """(path, first path) for every item whose key was already seen."""
    first: dict[Hashable, str] = {}
    for path, key in items:
        if key in first:
            yield path, first[key]
        else:
            first[key] = path


def check_stack_name(cfg: StackConfig, today: dt.date) -> Iterator[Finding]:
    if not STACK_NAME.fullmatch(cfg.stack):
        yield (
            STACK_NAME_PATH,
            f"expected 2-8 lowercase letters and digits (the stack name is part of every Azure name), "
            f"got {cfg.stack!r}",
        )


def check_environment_matches_stack(cfg: StackConfig, today: dt.date) -> Iterator[Finding]:
    """A stack named after an environment is that environment.

    The environment decides the data-loss guards (locks, ``protect``, soft-delete windows), so
    ``tvt:environment: dev`` in the prod stack file would quietly remove them all.
    """
    names = {e.value for e in Environment}
    if cfg.stack in names and cfg.environment.value != cfg.stack:
        yield (
            "tvt:environment",
            f"expected {cfg.stack!r} for stack {cfg.stack!r} (the environment sets the stack's locks, "
            f"protect and soft-delete guards), got {cfg.environment.value!r}",
        )


def check_duplicate_ids(cfg: StackConfig, today: dt.date) -> Iterator[Finding]:
    partners = [(f"tvt:partners[{i}].id", p.id) for i, p in enumerate(cfg.partners)]
    groups = [
        (f"tvt:partners[{i}].groups[{j}]", g)
        for i, p in enumerate(cfg.partners)
        for j, g in enumerate(p.groups)
    ]
    use_cases = [(f"tvt:useCases[{i}].id", u.id) for i, u in enumerate(cfg.use_cases)]
    for path, first in _duplicates(partners):
        yield path, f"duplicate partner id, first used at {first}"
    for path, first in _duplicates((f"{at}.key", g.key) for at, g in groups):
        yield path, f"duplicate group key (keys are unique across all partners), first used at {first}"
    for path, first in _duplicates((f"{at}.objectId", g.object_id.lower()) for at, g in groups):
        yield path, f"duplicate Entra group objectId, first used at {first}"
    for path, first in _duplicates(use_cases):
        yield path, f"duplicate use case id, first used at {first}"


def check_additional_zones(cfg: StackConfig, today: dt.date) -> Iterator[Finding]:
    for lc in cfg.levels:
        defaults = DEFAULT_ZONES[lc.level]
        for k, zone in enumerate(lc.zones[len(defaults) :]):
            if zone in defaults:
                yield (
                    f"tvt:levels.{lc.level}.additionalZones[{k}]",
                    f"{zone!r} is already a default zone of level {lc.level} ({', '.join(defaults)}); "
                    "list only extra zones",
                )


def check_grant_references(cfg: StackConfig, today: dt.date) -> Iterator[Finding]:
    """Every grant names a known group, a zone its level has, and a matching, unexpired use case."""
    groups = [g.key for p in cfg.partners for g in p.groups]
    known = set(groups)  # the list is for the message; a lookup in it per grant would be quadratic
    use_cases = {u.id: u for u in cfg.use_cases}
    for i, grant in enumerate(cfg.grants):
        at = f"tvt:grants[{i}]"
        if grant.group not in known:
            yield (
                f"{at}.group",
                f"unknown group {grant.group!r}; expected a partner group key: {_listing(groups)}",
            )
        zones = cfg.level(grant.level).zones
        if grant.zone is not None and grant.zone not in zones:
            yield (
                f"{at}.zone",
                f"level {grant.level} has no zone {grant.zone!r}; expected one of {', '.join(zones)}",
            )
        if grant.use_case is None:
            continue
        use_case = use_cases.get(grant.use_case)
        if use_case is None:
            yield (
                f"{at}.useCase",
                f"unknown use case {grant.use_case!r}; expected one of {_listing(use_cases)}",
            )
            continue
        if use_case.level != grant.level:
            yield (
                f"{at}.useCase",
                f"use case {use_case.id} is approved for level {use_case.level}, not level {grant.level}",
            )
        if use_case.expires < today:
            yield (
                f"{at}.useCase",
                f"use case {use_case.id} ({use_case.approval_ref}) expired on {use_case.expires} "
                f"(today is {today}); renew the approval or remove the grant",
            )


def check_stale_use_cases(cfg: StackConfig, today: dt.date) -> Iterator[Finding]:
    """An expired approval nobody uses is still a stale record of who may see what: remove it."""
    used = {g.use_case for g in cfg.grants}
    for k, use_case in enumerate(cfg.use_cases):
        if use_case.expires < today and use_case.id not in used:
            yield (
                f"tvt:useCases[{k}].expires",
                f"use case {use_case.id} ({use_case.approval_ref}) expired on {use_case.expires} "
                f"(today is {today}); remove stale approvals from the stack",
            )


def check_ingest_writers(cfg: StackConfig, today: dt.date) -> Iterator[Finding]:
    """Partners drop extracts into level 3's landing zone and must never read anything back."""
    for i, grant in enumerate(cfg.grants):
        if grant.role is Role.INGEST_WRITER and (grant.level, grant.zone) != (3, LANDING_ZONE):
            where = f"zone {grant.zone!r} of" if grant.zone else "all of"
            yield (
                f"tvt:grants[{i}].role",
                f"ingest-writer is only allowed on zone {LANDING_ZONE!r} of level 3, "
                f"got {where} level {grant.level}",
            )


def check_duplicate_grants(cfg: StackConfig, today: dt.date) -> Iterator[Finding]:
    # Azure names a role assignment by (scope, principal, role): two such grants are one assignment.
    keys = ((f"tvt:grants[{i}]", (g.group, g.level, g.zone, g.role)) for i, g in enumerate(cfg.grants))
    for path, first in _duplicates(keys):
        yield path, f"duplicate grant: same group, level, zone and role as {first}"


def _networks(cfg: StackConfig) -> list[tuple[str, str, str]]:
    """(key prefix, address space, private-endpoint subnet) of the audit network and every level."""
    audit = ("tvt:audit", cfg.audit.address_space, cfg.audit.private_endpoint_subnet)
    return [
        audit,
        *((f"tvt:levels.{lc.level}", lc.address_space, lc.private_endpoint_subnet) for lc in cfg.levels),
    ]


def _parse_network(value: str) -> ipaddress.IPv4Network | str:
    """The network, or what is wrong with it (the schema already checked the CIDR's syntax)."""
    try:
        net = ipaddress.IPv4Network(value)
    except ValueError:
        network = ipaddress.IPv4Network(value, strict=False)
        return f"expected a network address with the host bits zero such as {network}, got {value!r}"
    if not any(net.subnet_of(private) for private in RFC1918):
        return f"expected a private (RFC 1918) address range, got {value!r}"
    return net


def check_networks(cfg: StackConfig, today: dt.date) -> Iterator[Finding]:
    """Subnets lie inside their network; the audit and level networks never overlap (separate boundaries)."""
    spaces: list[tuple[str, ipaddress.IPv4Network]] = []
    for prefix, space_text, subnet_text in _networks(cfg):
        space, subnet = _parse_network(space_text), _parse_network(subnet_text)
        if isinstance(space, str):
            yield f"{prefix}.addressSpace", space
        if isinstance(subnet, str):
            yield f"{prefix}.privateEndpointSubnet", subnet
        if isinstance(space, str) or isinstance(subnet, str):
            continue
        if not subnet.subnet_of(space):
            yield (
                f"{prefix}.privateEndpointSubnet",
                f"expected a subnet of {prefix}.addressSpace ({space}), got {subnet}",
            )
        for other_path, other in spaces:
            if space.overlaps(other):
                yield (
                    f"{prefix}.addressSpace",
                    f"{space} overlaps {other_path} ({other}); each level is its own network boundary",
                )
        spaces.append((f"{prefix}.addressSpace", space))


def check_prod_retention(cfg: StackConfig, today: dt.date) -> Iterator[Finding]:
    if not cfg.is_prod:
        return
    for key, days in (
        ("logRetentionDays", cfg.audit.log_retention_days),
        ("archiveRetentionDays", cfg.audit.archive_retention_days),
    ):
        if days < PROD_MIN_RETENTION_DAYS:
            yield (
                f"tvt:audit.{key}",
                f"expected at least {PROD_MIN_RETENTION_DAYS} days in prod (audit records must outlive "
                f"investigations), got {days}",
            )


# A key rotates this long before it expires (components/keyvault.py): a first version must expire
# later than that from today, or a new stack's key would be rotated (or expired) at birth.
KEY_ROTATION_LEAD_DAYS = 60
# An approved key lifetime: two years at the most for the first version.
KEY_MAX_FIRST_VERSION_DAYS = 731


def check_key_expiry(cfg: StackConfig, today: dt.date) -> Iterator[Finding]:
    expires = cfg.keys.first_version_expires
    path = "tvt:keys.firstVersionExpires"
    earliest = today + dt.timedelta(days=KEY_ROTATION_LEAD_DAYS + 1)
    latest = today + dt.timedelta(days=KEY_MAX_FIRST_VERSION_DAYS)
    if expires < earliest:
        yield (
            path,
            f"{expires} is too soon (today is {today}): a new key's first version must expire after "
            f"{earliest - dt.timedelta(days=1)}, more than {KEY_ROTATION_LEAD_DAYS} days ahead, so that "
            "rotation comes first. Existing keys are not changed by a new date (Key Vault sets it only "
            "when a key is created): move it forward, at most two years ahead",
        )
    elif expires > latest:
        yield path, f"{expires} is more than two years ahead (today is {today}); expected {latest} or sooner"


def check_archive_bootstrap(cfg: StackConfig, today: dt.date) -> Iterator[Finding]:
    """Azure creates an immutability policy only Unlocked: ``locked`` is for an archive that exists."""
    created = cfg.audit.archive_created
    if cfg.audit.archive_immutability_locked and created is None:
        yield (
            "tvt:audit.archiveImmutability",
            "locked needs tvt:audit.archiveCreated: Azure creates the archive's immutability policy only "
            "Unlocked, so a new stack deploys first with archiveImmutability: unlocked; after that "
            "deployment set archiveCreated to its date and archiveImmutability to locked, and deploy again "
            "(README: A new stack)",
        )
    if created is not None and created > today:
        yield "tvt:audit.archiveCreated", f"{created} is in the future (today is {today})"


def _names(cfg: StackConfig) -> Iterator[tuple[str, Kind, str]]:
    """(config path, kind, Azure name) of every name the program derives from this config."""
    for level in (None, 1, 2, 3):
        namer = Namer(cfg.stack, scope_name(level), cfg.subscription_id)
        for kind, name in namer.all_names().items():
            yield STACK_NAME_PATH, kind, name
        if level is None:
            yield STACK_NAME_PATH, Kind.STORAGE_ACCOUNT, namer.storage_account("arch")
            continue
        defaults = len(DEFAULT_ZONES[level])
        for k, zone in enumerate(cfg.level(level).zones):
            path = f"tvt:levels.{level}" + (f".additionalZones[{k - defaults}]" if k >= defaults else "")
            yield path, Kind.CONTAINER, zone


def check_names(cfg: StackConfig, today: dt.date) -> Iterator[Finding]:
    """Names as Azure will see them, after the convention's truncation, pass Azure's naming rules."""
    for path, kind, name in _names(cfg):
        problem = check(kind, name)
        if problem is not None:
            yield path, problem


def _listing(names: Iterable[str]) -> str:
    listed = ", ".join(names)
    return listed or "(none defined)"


CHECKS: tuple[Check, ...] = (
    check_stack_name,
    check_environment_matches_stack,
    check_duplicate_ids,
    check_additional_zones,
    check_grant_references,
    check_stale_use_cases,
    check_ingest_writers,
    check_duplicate_grants,
    check_networks,
    check_prod_retention,
    check_key_expiry,
    check_archive_bootstrap,
)


def semantic_issues(cfg: StackConfig, today: dt.date) -> list[ConfigIssue]:
    """Every cross-field problem of ``cfg``; derived Azure names only once the stack name is valid."""
    checks = CHECKS if not STACK_NAME.fullmatch(cfg.stack) else (*CHECKS, check_names)
    return [
        ConfigIssue(cfg.source, path, message) for check_ in checks for path, message in check_(cfg, today)
    ]


# Provider config that must equal the platform's: the region (UK data residency), and where the
# resources go (every ARM id, scope and grant the program computes names tvt:subscriptionId; a
# provider pointed elsewhere would deploy there while the grants and diagnostics name the other).
PROVIDER_MATCHES: tuple[tuple[str, str], ...] = (
    ("azure-native:location", "tvt:location"),
    ("azure-native:subscriptionId", "tvt:subscriptionId"),
    ("azure-native:tenantId", "tvt:tenantId"),
)


# Provider config every stack must set. Without azure-native:subscriptionId the provider deploys
# into whatever subscription the credentials default to (`az account show`, ARM_SUBSCRIPTION_ID,
# a CI environment's variable), while every id the program computes names tvt:subscriptionId.
PROVIDER_REQUIRED: tuple[str, ...] = ("azure-native:subscriptionId",)


def provider_issues(config: Mapping[str, Any], source: str) -> list[ConfigIssue]:
    """Provider settings must be the platform's own (region, subscription, tenant); the
    subscription must be given."""
    issues = []
    for key, platform_key in PROVIDER_MATCHES:
        provider, platform = config.get(key), config.get(platform_key)
        if provider is None and key in PROVIDER_REQUIRED:
            issues.append(
                ConfigIssue(
                    source,
                    key,
                    f"expected {platform!r} ({platform_key}'s value), so that Pulumi deploys into "
                    "the subscription the plan's ids name, not the one the credentials default to",
                )
            )
        elif provider is not None and provider != platform:
            issues.append(
                ConfigIssue(source, key, f"expected {platform!r} ({platform_key}), got {provider!r}")
            )
    return issues
