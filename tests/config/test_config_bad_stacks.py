"""Bad stack configs, one mistake each: `tvt validate` exits 2 and names the file, key path and expectation.

Each case mutates the valid base config of conftest.py and asserts the exact key path, a key phrase
of the message and how many issues it reports (so one mistake never drowns in follow-on noise).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from components.config.load import ConfigError, parse_stack_config
from tests.conftest import TODAY

Mutation = Callable[[dict[str, Any]], None]
FILE = "stacks/Pulumi.prod.yaml"


def _parent(config: dict[str, Any], path: tuple[Any, ...]) -> Any:
    node: Any = config
    for part in path[:-1]:
        node = node[part]
    return node


def set_(*path: Any, value: Any) -> Mutation:
    def mutate(config: dict[str, Any]) -> None:
        _parent(config, path)[path[-1]] = value

    return mutate


def drop(*path: Any) -> Mutation:
    def mutate(config: dict[str, Any]) -> None:
        del _parent(config, path)[path[-1]]

    return mutate


def append(key: str, item: Any) -> Mutation:
    def mutate(config: dict[str, Any]) -> None:
        config[key].append(copy.deepcopy(item))

    return mutate


def copy_item(key: str, index: int, **changes: Any) -> Mutation:
    """Append a copy of ``config[key][index]`` with ``changes`` (for duplicate checks)."""

    def mutate(config: dict[str, Any]) -> None:
        config[key].append({**copy.deepcopy(config[key][index]), **changes})

    return mutate


def both(*mutations: Mutation) -> Mutation:
    def mutate(config: dict[str, Any]) -> None:
        for mutation in mutations:
            mutation(config)

    return mutate


def add_partner(**partner: Any) -> Mutation:
    return append("tvt:partners", {"name": "Reading Borough Council", "kind": "local-authority", **partner})


def group(key: str, object_id: str) -> dict[str, str]:
    return {"key": key, "objectId": object_id, "displayName": "Analysts"}


@dataclass(frozen=True)
class Case:
    id: str
    mutate: Mutation
    path: str
    phrase: str
    count: int = 1


OTHER_GUID = "00000000-0000-4000-8000-000000000999"

CASES = [
    # Schema: types, enums, id formats.
    Case(
        "unknown-role",
        set_("tvt:grants", 3, "role", value="admin"),
        "tvt:grants[3].role",
        "expected one of reader, contributor, ingest-writer, got 'admin'",
    ),
    Case(
        "prod-stack-declared-dev",
        set_("tvt:environment", value="dev"),
        "tvt:environment",
        "expected 'prod' for stack 'prod'",
    ),
    Case(
        "archive-immutability-unknown",
        set_("tvt:audit", "archiveImmutability", value="sealed"),
        "tvt:audit.archiveImmutability",
        "expected one of locked, unlocked, got 'sealed'",
    ),
    Case(
        "unknown-environment",
        set_("tvt:environment", value="staging"),
        "tvt:environment",
        "expected one of dev, test, prod, got 'staging'",
    ),
    Case(
        "non-uk-region",
        set_("tvt:location", value="westeurope"),
        "tvt:location",
        "expected one of uksouth, ukwest, got 'westeurope'",
    ),
    Case(
        "subscription-not-guid",
        set_("tvt:subscriptionId", value="my-subscription"),
        "tvt:subscriptionId",
        "expected a GUID",
    ),
    Case(
        "group-object-id-not-guid",
        set_("tvt:partners", 0, "groups", 0, "objectId", value="tvp-analysts"),
        "tvt:partners[0].groups[0].objectId",
        "expected a GUID",
    ),
    Case(
        "bad-cidr",
        set_("tvt:levels", "3", "addressSpace", value="10.73.0.0/33"),
        "tvt:levels.3.addressSpace",
        "expected an IPv4 CIDR block",
    ),
    Case(
        "impossible-date",
        set_("tvt:useCases", 0, "expires", value="2027-02-30"),
        "tvt:useCases[0].expires",
        "expected a date YYYY-MM-DD",
    ),
    Case(  # it passed validation, then the program's access end (the day after) overflowed
        "date-past-the-horizon",
        set_("tvt:useCases", 0, "expires", value="9999-12-31"),
        "tvt:useCases[0].expires",
        "expected a date YYYY-MM-DD from 2000 to 2999",
    ),
    Case(
        "partner-id-not-kebab",
        set_("tvt:partners", 0, "id", value="Thames Valley Police"),
        "tvt:partners[0].id",
        "kebab-case",
    ),
    Case(
        "unknown-partner-kind",
        set_("tvt:partners", 1, "kind", value="charity"),
        "tvt:partners[1].kind",
        "expected one of police, local-authority, health, fire-and-rescue, probation, youth-justice, vru",
    ),
    Case(
        "use-case-id-format",
        set_("tvt:useCases", 1, "id", value="UC-1"),
        "tvt:useCases[1].id",
        "a use case id UC-YYYY-NNN",
    ),
    Case(
        "dec-ref-format",
        set_("tvt:useCases", 0, "approval", value="DEC26"),
        "tvt:useCases[0].approval",
        "Data Ethics Committee approval reference",
    ),
    Case(
        "zone-not-container-name",
        set_("tvt:levels", "1", "additionalZones", value=["Dash_Boards"]),
        "tvt:levels.1.additionalZones[0]",
        "valid as an Azure container name",
    ),
    Case("level-missing", drop("tvt:levels", "2"), "tvt:levels.2", "missing required key"),
    Case(
        "level-4", set_("tvt:levels", "4", value={}), "tvt:levels.4", "unknown key; expected one of 1, 2, 3"
    ),
    Case(
        "level-3-grant-without-use-case",
        drop("tvt:grants", 1, "useCase"),
        "tvt:grants[1].useCase",
        "level-3 grants must name a Data Ethics Committee approved use case",
    ),
    Case("unknown-tvt-key", set_("tvt:region", value="uksouth"), "tvt:region", "unknown key"),
    Case(
        "foreign-namespace",
        set_("aws:region", value="eu-west-2"),
        "aws:region",
        "azure-native:* or pulumi:* provider settings",
    ),
    Case(
        "unknown-grant-key",
        set_("tvt:grants", 3, "expires", value="2027-01-01"),
        "tvt:grants[3].expires",
        "unknown key; expected one of group, level, zone, role, useCase",
    ),
    Case(
        "secure-owner",
        set_("tvt:owner", value={"secure": "v1:abc"}),
        "tvt:owner",
        "no tvt key takes a secret",
    ),
    Case(
        "secure-nested",
        set_("tvt:audit", "logRetentionDays", value={"secure": "v1:abc"}),
        "tvt:audit.logRetentionDays",
        "pulumi config set --secret",
    ),
    Case(
        "retention-out-of-range",
        set_("tvt:audit", "logRetentionDays", value=10),
        "tvt:audit.logRetentionDays",
        "expected an integer from 30 to 730, got 10",
    ),
    Case(
        "retention-above-workspace-maximum",
        set_("tvt:audit", "logRetentionDays", value=731),
        "tvt:audit.logRetentionDays",
        "expected an integer from 30 to 730, got 731",
    ),
    Case(
        "retention-as-string",
        set_("tvt:audit", "archiveRetentionDays", value="2557"),
        "tvt:audit.archiveRetentionDays",
        "expected an integer, got '2557'",
    ),
    Case(
        "grant-level-as-string",
        set_("tvt:grants", 3, "level", value="1"),
        "tvt:grants[3].level",
        "expected an integer, got '1'",
    ),
    Case(
        "partner-without-groups",
        set_("tvt:partners", 1, "groups", value=[]),
        "tvt:partners[1].groups",
        "expected at least 1 item(s)",
    ),
    Case(
        "multi-line-name",
        set_("tvt:partners", 0, "name", value="Thames Valley\nPolice"),
        "tvt:partners[0].name",
        "single-line text",
    ),
    Case(
        "repeated-additional-zone",
        set_("tvt:levels", "1", "additionalZones", value=["dashboards", "dashboards"]),
        "tvt:levels.1.additionalZones",
        "expected unique items",
    ),
    # Semantic: references, duplicates, expiries, roles.
    Case(
        "duplicate-partner-id",
        add_partner(id="thames-valley-police", groups=[group("rbc-analysts", OTHER_GUID)]),
        "tvt:partners[2].id",
        "duplicate partner id, first used at tvt:partners[0].id",
    ),
    Case(
        "duplicate-group-key-across-partners",
        add_partner(id="reading-borough-council", groups=[group("vru-analysts", OTHER_GUID)]),
        "tvt:partners[2].groups[0].key",
        "duplicate group key (keys are unique across all partners)",
    ),
    Case(
        "duplicate-group-object-id",
        add_partner(
            id="reading-borough-council",
            groups=[group("rbc-analysts", "00000000-0000-4000-8000-000000000911")],
        ),
        "tvt:partners[2].groups[0].objectId",
        "duplicate Entra group objectId, first used at tvt:partners[1]",
    ),
    Case(
        "duplicate-use-case-id",
        copy_item("tvt:useCases", 0, title="Again"),
        "tvt:useCases[2].id",
        "duplicate use case id, first used at tvt:useCases[0].id",
    ),
    Case(
        "grant-unknown-group",
        set_("tvt:grants", 3, "group", value="nobody"),
        "tvt:grants[3].group",
        "unknown group 'nobody'; expected a partner group key: tvp-analysts, tvp-data-ingest, vru-analysts",
    ),
    Case(
        "grant-unknown-use-case",
        set_("tvt:grants", 1, "useCase", value="UC-2026-999"),
        "tvt:grants[1].useCase",
        "unknown use case 'UC-2026-999'; expected one of UC-2026-001, UC-2026-002",
    ),
    Case(
        "grant-zone-of-other-level",
        set_("tvt:grants", 2, "zone", value="landing"),
        "tvt:grants[2].zone",
        "level 2 has no zone 'landing'; expected one of pseudonymised, curated",
    ),
    Case(
        "additional-zone-repeats-default",
        set_("tvt:levels", "3", "additionalZones", value=["raw"]),
        "tvt:levels.3.additionalZones[0]",
        "'raw' is already a default zone of level 3",
    ),
    Case(
        "use-case-level-mismatch",
        set_("tvt:grants", 1, "useCase", value="UC-2026-002"),
        "tvt:grants[1].useCase",
        "use case UC-2026-002 is approved for level 2, not level 3",
    ),
    Case(
        "expired-level-3-use-case",
        set_("tvt:useCases", 0, "expires", value="2026-05-31"),
        "tvt:grants[0].useCase",
        f"use case UC-2026-001 (DEC-2026-03) expired on 2026-05-31 (today is {TODAY})",
        count=2,
    ),
    Case(
        "expired-level-2-use-case",
        set_("tvt:useCases", 1, "expires", value="2026-01-31"),
        "tvt:grants[2].useCase",
        "expired on 2026-01-31",
    ),
    Case(
        "expired-unreferenced-use-case",
        both(drop("tvt:grants", 2), set_("tvt:useCases", 1, "expires", value="2026-01-31")),
        "tvt:useCases[1].expires",
        f"expired on 2026-01-31 (today is {TODAY}); remove stale approvals",
    ),
    Case(
        "ingest-writer-on-raw",
        set_("tvt:grants", 0, "zone", value="raw"),
        "tvt:grants[0].role",
        "ingest-writer is only allowed on zone 'landing' of level 3, got zone 'raw' of level 3",
    ),
    Case(
        "ingest-writer-on-whole-level-2",
        append("tvt:grants", {"group": "tvp-data-ingest", "level": 2, "role": "ingest-writer"}),
        "tvt:grants[4].role",
        "got all of level 2",
    ),
    Case(
        "duplicate-grant",
        copy_item("tvt:grants", 0),
        "tvt:grants[4]",
        "duplicate grant: same group, level, zone and role as tvt:grants[0]",
    ),
    Case(
        "subnet-outside-address-space",
        set_("tvt:levels", "2", "privateEndpointSubnet", value="10.99.0.0/26"),
        "tvt:levels.2.privateEndpointSubnet",
        "expected a subnet of tvt:levels.2.addressSpace (10.72.0.0/24)",
    ),
    Case(
        "overlapping-address-spaces",
        both(
            set_("tvt:levels", "1", "addressSpace", value="10.70.0.0/23"),
            set_("tvt:levels", "1", "privateEndpointSubnet", value="10.70.1.0/26"),
        ),
        "tvt:levels.1.addressSpace",
        "10.70.0.0/23 overlaps tvt:audit.addressSpace (10.70.0.0/24)",
    ),
    Case(
        "host-bits-set",
        set_("tvt:levels", "3", "addressSpace", value="10.73.0.1/24"),
        "tvt:levels.3.addressSpace",
        "host bits zero such as 10.73.0.0/24",
    ),
    Case(
        "public-address-space",
        set_("tvt:audit", "addressSpace", value="20.70.0.0/24"),
        "tvt:audit.addressSpace",
        "expected a private (RFC 1918) address range",
    ),
    Case(
        "prod-log-retention",
        set_("tvt:audit", "logRetentionDays", value=90),
        "tvt:audit.logRetentionDays",
        "expected at least 365 days in prod",
    ),
    Case(
        "prod-archive-retention",
        set_("tvt:audit", "archiveRetentionDays", value=364),
        "tvt:audit.archiveRetentionDays",
        "expected at least 365 days in prod",
    ),
    # Keys: the first version's expiry leaves room for rotation, and is not open-ended.
    Case(
        "key-expires-before-rotation",
        set_("tvt:keys", "firstVersionExpires", value="2026-07-15"),
        "tvt:keys.firstVersionExpires",
        "is too soon (today is 2026-06-01): a new key's first version must expire after 2026-07-31",
    ),
    Case(
        "key-expires-too-late",
        set_("tvt:keys", "firstVersionExpires", value="2030-01-01"),
        "tvt:keys.firstVersionExpires",
        "is more than two years ahead",
    ),
    Case("keys-missing", drop("tvt:keys"), "tvt:keys", "required"),
    # The archive: only an archive that exists can be locked (Azure creates the policy Unlocked).
    Case(
        "locked-new-archive",
        drop("tvt:audit", "archiveCreated"),
        "tvt:audit.archiveImmutability",
        "locked needs tvt:audit.archiveCreated: Azure creates the archive's immutability policy only",
    ),
    Case(
        "archive-created-in-the-future",
        set_("tvt:audit", "archiveCreated", value="2026-06-02"),
        "tvt:audit.archiveCreated",
        "2026-06-02 is in the future (today is 2026-06-01)",
    ),
    Case(
        "provider-subscription-differs",
        set_("azure-native:subscriptionId", value=OTHER_GUID),
        "azure-native:subscriptionId",
        "(tvt:subscriptionId), got '00000000-0000-4000-8000-000000000999'",
    ),
    Case(  # the provider would deploy into whatever subscription the credentials default to
        "provider-subscription-missing",
        drop("azure-native:subscriptionId"),
        "azure-native:subscriptionId",
        "(tvt:subscriptionId's value), so that Pulumi deploys into the subscription the plan's ids name",
    ),
    Case(
        "provider-tenant-differs",
        set_("azure-native:tenantId", value=OTHER_GUID),
        "azure-native:tenantId",
        "(tvt:tenantId), got '00000000-0000-4000-8000-000000000999'",
    ),
    Case(
        "provider-region-differs",
        set_("azure-native:location", value="ukwest"),
        "azure-native:location",
        "expected 'uksouth' (tvt:location), got 'ukwest'",
    ),
]


def test_enough_cases() -> None:
    assert len(CASES) >= 20
    assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_config_is_reported_precisely(case: Case, base: dict[str, Any], validate: Any) -> None:
    case.mutate(base)
    code, out, issues = validate(base)
    assert code == 2, f"{case.id}: expected exit 2, got {code} with {out!r}"
    assert out == ""
    matching = [m for f, p, m in issues if f == FILE and p == case.path and case.phrase in m]
    assert matching, f"{case.id}: no issue at {case.path} containing {case.phrase!r}; got {issues}"
    assert len(issues) == case.count, f"{case.id}: expected {case.count} issue(s), got {issues}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_config_raises_config_error(case: Case, base: dict[str, Any]) -> None:
    case.mutate(base)
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(base, stack="prod", source=FILE)
    paths = [i.path for i in caught.value.issues]
    assert case.path in paths, f"{case.id}: {paths}"
    assert all(i.file == FILE for i in caught.value.issues)
