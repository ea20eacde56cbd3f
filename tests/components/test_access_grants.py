"""Grants become group role assignments at the narrowest scope, with deterministic GUID names."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace

import pytest
from component_runs import (
    ACCOUNT,
    CONTAINER,
    GRANTS,
    IDENTITY,
    KEY,
    LEVEL_SCOPES,
    ROLE_ASSIGNMENT,
    SUBSCRIPTION,
    Run,
    make_config,
)

from components import naming
from components.access import grant_assignments, grant_description
from components.config.model import Grant, Role
from components.roles import (
    ABAC_CONDITION_VERSION,
    CRYPTO_SERVICE_ENCRYPTION_USER,
    INGEST_WRITER_CONDITION,
    ROLES,
    RoleDefinition,
    role_definition_id,
)
from scripts.preview.capture import CapturedResource

READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
USE_CASE = re.compile(r"Use case (\S+) \((\S+)\) expires (\d{4}-\d{2}-\d{2})")
BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs"


def group_assignments(run: Run) -> list[CapturedResource]:
    return [r for r in run.capture.by_type(ROLE_ASSIGNMENT) if r.inputs["principalType"] == "Group"]


def test_roles_table() -> None:
    assert {role: (d.guid, d.condition, d.condition_version) for role, d in ROLES.items()} == {
        Role.READER: (READER, None, None),
        Role.CONTRIBUTOR: (CONTRIBUTOR, None, None),
        Role.INGEST_WRITER: (CONTRIBUTOR, INGEST_WRITER_CONDITION, "2.0"),
    }
    assert CRYPTO_SERVICE_ENCRYPTION_USER.guid == "e147488a-f6f5-4113-8e2d-b22465e65bf6"
    assert (
        role_definition_id("sub", READER)
        == f"/subscriptions/sub/providers/Microsoft.Authorization/roleDefinitions/{READER}"
    )


def test_ingest_writer_condition_denies_read_and_delete() -> None:
    assert (
        f"((!(ActionMatches{{'{BLOBS}/read'}}) AND !(ActionMatches{{'{BLOBS}/delete'}})))"
    ) == INGEST_WRITER_CONDITION
    assert ABAC_CONDITION_VERSION == "2.0"


def test_role_definition_rejects_half_a_condition() -> None:
    with pytest.raises(ValueError, match="condition"):
        RoleDefinition("x", READER, condition="(true)")
    with pytest.raises(ValueError, match="not a role definition GUID"):
        RoleDefinition("x", "reader")


def test_one_assignment_per_grant_at_the_narrowest_scope(model: Run) -> None:
    config = model.config
    assignments = group_assignments(model)
    assert len(assignments) == len(config.grants)
    for grant in config.grants:
        scope = f"l{grant.level}"
        group = config.group(grant.group)
        containers = {c.inputs["containerName"]: c for c in model.in_scope(scope, CONTAINER)}
        target = containers[grant.zone] if grant.zone else model.one(scope, ACCOUNT)
        matches = [
            r
            for r in assignments
            if r.inputs["principalId"] == group.object_id
            and r.property_dependencies["scope"] == (target.urn,)
        ]
        assert len(matches) == 1, f"{model.label}: grant {grant} has assignments {[r.name for r in matches]}"
        (ra,) = matches
        assert model.scope_of(ra) == scope
        assert ra.inputs["scope"] == target.outputs["id"]
        guid = READER if grant.role is Role.READER else CONTRIBUTOR
        assert ra.inputs["roleDefinitionId"] == role_definition_id(SUBSCRIPTION, guid)
        if grant.role is Role.INGEST_WRITER:
            assert ra.inputs["condition"] == INGEST_WRITER_CONDITION
            assert ra.inputs["conditionVersion"] == "2.0"
        else:
            assert "condition" not in ra.inputs and "conditionVersion" not in ra.inputs, ra.name
        assert ra.inputs["description"] == grant_description(
            grant, config.use_case(grant.use_case) if grant.use_case else None
        )


def test_descriptions_carry_the_use_case(model: Run) -> None:
    for ra in group_assignments(model):
        description = ra.inputs["description"]
        assert description.startswith("TVT grant: "), ra.name
        found = USE_CASE.search(description)
        if model.scope_of(ra) == "l3":
            assert found, f"{model.label}: level-3 assignment {ra.name} names no use case: {description}"
        if found:
            use_case = model.config.use_case(found.group(1))
            assert (found.group(2), found.group(3)) == (use_case.approval_ref, use_case.expires.isoformat())


def test_description_format() -> None:
    config = make_config("prod")
    grant = GRANTS[0]
    assert grant_description(grant, config.use_case("UC-2026-001")) == (
        "TVT grant: ingest-writer for tvp-data-ingest on level 3 zone landing."
        " Use case UC-2026-001 (DEC-2026-03) expires 2027-09-30."
    )
    assert grant_description(Grant("tvp-analysts", 1, Role.READER, None), None) == (
        "TVT grant: reader for tvp-analysts on level 1."
    )


def test_names_are_guids_derived_from_deterministic_scope_paths(any_run: Run) -> None:
    """The name is recomputable from the ARM paths, so it never depends on an unknown output."""
    subscription = any_run.config.subscription_id
    names = []
    for ra in any_run.capture.by_type(ROLE_ASSIGNMENT):
        name = ra.inputs["roleAssignmentName"]
        assert str(uuid.UUID(name)) == name, f"{any_run.label}: {ra.name}: {name} is not a GUID"
        principal = ra.inputs["principalId"]
        if ra.inputs["principalType"] == "ServicePrincipal":
            scope = any_run.scope_of(ra)
            assert ra.property_dependencies["principalId"] == (any_run.one(scope, IDENTITY).urn,)  # type: ignore[arg-type]
            principal = any_run.one(scope, IDENTITY).outputs["id"]  # type: ignore[arg-type]
        # The mock's ids are the ARM paths the components build from names, so they can be the key.
        expected = naming.role_assignment_name(
            subscription, ra.inputs["scope"], principal, ra.inputs["roleDefinitionId"]
        )
        assert name == expected, f"{any_run.label}: {ra.name}"
        names.append(name)
    assert len(names) == len(set(names)), f"{any_run.label}: role assignment names collide"


def test_reordering_grants_changes_no_name(prod: Run, prod_reordered: Run) -> None:
    def names(run: Run) -> dict[str, str]:
        return {r.name: r.inputs["roleAssignmentName"] for r in run.capture.by_type(ROLE_ASSIGNMENT)}

    assert prod.config.grants != prod_reordered.config.grants
    assert names(prod) == names(prod_reordered)
    assert len(names(prod)) == len(GRANTS) + 4


def test_cmk_grant_names_are_stable_across_runs(prod: Run, prod_reordered: Run) -> None:
    for scope in ("audit", *LEVEL_SCOPES):
        first = prod.one(scope, ROLE_ASSIGNMENT, lambda r: r.inputs["principalType"] == "ServicePrincipal")
        second = prod_reordered.one(
            scope, ROLE_ASSIGNMENT, lambda r: r.inputs["principalType"] == "ServicePrincipal"
        )
        assert first.inputs["roleAssignmentName"] == second.inputs["roleAssignmentName"]
        assert first.property_dependencies["scope"] == (prod.one(scope, KEY).urn,)


def test_two_grants_of_one_azure_role_on_one_scope_are_rejected() -> None:
    grants = (
        Grant("tvp-data-ingest", 3, Role.INGEST_WRITER, "UC-2026-001", "landing"),
        Grant("tvp-data-ingest", 3, Role.CONTRIBUTOR, "UC-2026-001", "landing"),
    )
    with pytest.raises(
        ValueError,
        match="more than one grant of the same Azure role to 00000000-0000-4000-8000-000000000a02 on landing",
    ):
        grant_assignments(make_config("prod", grants), 3)


def test_level_three_grant_without_use_case_is_rejected() -> None:
    config = replace(make_config("prod"), grants=(Grant("vru-matching-team", 3, Role.READER, None, "raw"),))
    with pytest.raises(ValueError, match="names no use case"):
        grant_assignments(config, 3)


def test_grants_of_other_levels_are_ignored() -> None:
    specs = grant_assignments(make_config("prod"), 2)
    assert sorted(s.name for s in specs) == [
        "tvp-analysts-pseudonymised-reader",
        "vru-analysts-curated-contributor",
    ]
    assert all(s.principal_type == "Group" for s in specs)
