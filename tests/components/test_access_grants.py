"""Grants become group role assignments of each level's TVT custom roles at the narrowest scope, with
deterministic GUID names and conditions built from the typed model."""

from __future__ import annotations

import datetime as dt
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
    RG,
    ROLE_ASSIGNMENT,
    SUBSCRIPTION,
    Run,
    make_config,
)

from components import naming
from components.access import (
    RoleAssignmentSpec,
    grant_assignments,
    grant_description,
    ingest_folder,
    level_roles,
)
from components.config.load import load_stack
from components.config.model import Grant, Role, StackConfig
from components.roles import (
    ABAC_CONDITION_VERSION,
    CRYPTO_SERVICE_ENCRYPTION_USER,
    TVT_ROLE_ACTIONS,
    RoleDefinition,
    access_end,
    custom_role,
    grant_condition,
    render,
    role_definition_id,
)
from policies import roles as pack_roles
from scripts.engine.capture import CapturedResource
from scripts.review.access import azure_end, path_prefixes, reads_data

ROLE_DEFINITION = "azure-native:authorization:RoleDefinition"
USE_CASE = re.compile(r"Use case (\S+) \((\S+)\) expires (\d{4}-\d{2}-\d{2})")
BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs"
READ, WRITE, ADD, DELETE, MOVE = (
    f"{BLOBS}/{a}" for a in ("read", "write", "add/action", "delete", "move/action")
)
PRIVATE_LINK = "@Environment[isPrivateLink] BoolEquals true"
TVP_FOLDER = f"@Resource[{BLOBS}:path] StringStartsWith 'thames-valley-police/'"


def group_assignments(run: Run) -> list[CapturedResource]:
    return [r for r in run.capture.by_type(ROLE_ASSIGNMENT) if r.inputs["principalType"] == "Group"]


def none_of(*actions: str) -> str:
    return " AND ".join(f"!(ActionMatches{{'{a}'}})" for a in actions)


def until(moment: str) -> str:
    return f"@Environment[UtcNow] DateTimeLessThan '{moment}'"


# The exact conditions, written out by hand from the documented format, so a change to the builder
# that changes a deployed condition fails here first.
LEVEL3_READER_UC_001 = f"( ( {none_of(READ)} ) OR ( {until('2027-10-01T00:00:00.0Z')} AND {PRIVATE_LINK} ) )"
LEVEL3_INGEST_WRITER_UC_001 = (
    f"( ( {none_of(WRITE, ADD)} ) "
    f"OR ( {until('2027-10-01T00:00:00.0Z')} AND {PRIVATE_LINK} AND {TVP_FOLDER} ) )"
)
LEVEL3_CONTRIBUTOR_UC_001 = (
    f"( ( {none_of(READ, WRITE, ADD, DELETE, MOVE)} ) "
    f"OR ( {until('2027-10-01T00:00:00.0Z')} AND {PRIVATE_LINK} ) )"
)
LEVEL2_CONTRIBUTOR_UC_003 = (
    f"( ( {none_of(READ, WRITE, ADD, DELETE, MOVE)} ) OR ( {until('2028-01-01T00:00:00.0Z')} ) )"
)


def tvt(role: Role, level: int = 3) -> RoleDefinition:
    return custom_role(role, stack="prod", subscription_id=SUBSCRIPTION, level=level)


def specs(config: StackConfig, level: int) -> tuple[RoleAssignmentSpec, ...]:
    """The level's grants, with each custom role's definition id as the program computes it."""
    ids = {r: d.definition_id(config.subscription_id) for r, d in level_roles(config, level).items()}
    return grant_assignments(config, level, ids)


def test_roles_table() -> None:
    assert dict(TVT_ROLE_ACTIONS) == {
        Role.READER: (READ,),
        Role.CONTRIBUTOR: (READ, WRITE, ADD, DELETE, MOVE),
        # Write-only, no rename: a rename could carry a file out of the partner's own folder.
        Role.INGEST_WRITER: (WRITE, ADD),
    }
    assert CRYPTO_SERVICE_ENCRYPTION_USER.guid == "e147488a-f6f5-4113-8e2d-b22465e65bf6"
    assert not CRYPTO_SERVICE_ENCRYPTION_USER.custom and CRYPTO_SERVICE_ENCRYPTION_USER.data_actions == ()
    guid = CRYPTO_SERVICE_ENCRYPTION_USER.guid
    assert (
        role_definition_id("sub", guid)
        == f"/subscriptions/sub/providers/Microsoft.Authorization/roleDefinitions/{guid}"
    )


def test_custom_roles_are_named_and_identified_per_stack_level_and_role() -> None:
    reader = tvt(Role.READER)
    assert reader.custom and reader.display_name == "TVT prod level 3 reader"
    assert reader.data_actions == (READ,)
    assert str(uuid.UUID(reader.guid)) == reader.guid
    assert tvt(Role.READER) == reader, "the same inputs give the same definition"
    others = {
        tvt(Role.READER, 2).guid,
        tvt(Role.CONTRIBUTOR).guid,
        custom_role(Role.READER, stack="dev", subscription_id=SUBSCRIPTION, level=3).guid,
    }
    assert reader.guid not in others and len(others) == 3


def test_role_definition_rejects_what_is_not_a_role() -> None:
    with pytest.raises(ValueError, match="not a role definition GUID"):
        RoleDefinition("x", "reader")
    with pytest.raises(ValueError, match="custom role 'x' grants no data action"):
        RoleDefinition("x", str(uuid.uuid4()), custom=True)


@pytest.mark.parametrize(
    ("last_day", "end"),
    [
        (dt.date(2027, 9, 30), "2027-10-01T00:00:00.0Z"),
        (dt.date(2027, 12, 31), "2028-01-01T00:00:00.0Z"),
        (dt.date(2028, 2, 28), "2028-02-29T00:00:00.0Z"),
        (dt.date(2028, 2, 29), "2028-03-01T00:00:00.0Z"),
    ],
)
def test_access_ends_at_midnight_utc_after_the_expiry_date(last_day: dt.date, end: str) -> None:
    """The expiry date is inclusive: the whole day (UTC) is still covered, the next is not."""
    assert access_end(last_day) == dt.datetime.fromisoformat(end)


def condition(
    role: Role, last_day: dt.date | None, private_link: bool, prefix: str | None = None
) -> str | None:
    tree = grant_condition(tvt(role), last_day=last_day, private_link=private_link, path_prefix=prefix)
    return None if tree is None else render(tree)


def test_condition_strings() -> None:
    uc_001, uc_003 = dt.date(2027, 9, 30), dt.date(2027, 12, 31)
    assert condition(Role.READER, uc_001, True) == LEVEL3_READER_UC_001
    assert condition(Role.INGEST_WRITER, uc_001, True, "thames-valley-police/") == LEVEL3_INGEST_WRITER_UC_001
    assert condition(Role.CONTRIBUTOR, uc_001, True) == LEVEL3_CONTRIBUTOR_UC_001
    assert condition(Role.CONTRIBUTOR, uc_003, False) == LEVEL2_CONTRIBUTOR_UC_003
    # No use case, no private link, no folder: nothing to bound, so no condition at all.
    for role in Role:
        assert condition(role, None, False) is None
    assert ABAC_CONDITION_VERSION == "2.0"


def test_condition_is_a_pure_function_of_its_inputs() -> None:
    first = condition(Role.INGEST_WRITER, dt.date(2027, 9, 30), True, "thames-valley-police/")
    again = grant_condition(
        replace(tvt(Role.INGEST_WRITER)),
        last_day=dt.date.fromisoformat("2027-09-30"),
        private_link=True,
        path_prefix="".join(["thames-valley-police", "/"]),
    )
    assert again is not None and first == render(again) == LEVEL3_INGEST_WRITER_UC_001


@pytest.mark.parametrize("prefix", ["", "/tvp/", "tvp", "tvp/x/", "TVP/", "tvp'/", "landing/tvp/"])
def test_path_prefix_is_one_partner_folder(prefix: str) -> None:
    with pytest.raises(ValueError, match="is not one kebab-case folder ending in '/'"):
        grant_condition(tvt(Role.INGEST_WRITER), last_day=None, private_link=False, path_prefix=prefix)


def test_each_ingest_writer_writes_only_under_its_own_partner_folder() -> None:
    """Two partners' upload groups share the landing zone: each is confined to its own partner's folder."""
    config = load_stack("prod")
    ingest = [g for g in config.grants if g.role is Role.INGEST_WRITER]
    assert len({config.partner_of(g.group).id for g in ingest}) == len(ingest) >= 2
    by_name = {s.name: s for s in specs(config, 3)}
    for grant in ingest:
        partner = config.partner_of(grant.group)
        assert ingest_folder(config, grant) == f"{partner.id}/"
        spec = by_name[f"{grant.group}-landing-ingest-writer"]
        assert spec.path_prefix == f"{partner.id}/"
        assert spec.condition is not None
        assert spec.condition.count("StringStartsWith") == 1
        assert spec.condition.endswith(f"AND @Resource[{BLOBS}:path] StringStartsWith '{partner.id}/' ) )"), (
            spec.condition
        )
        assert f"writes under landing/{partner.id}/ only." in spec.description
    for grant in config.grants:
        if grant.role is not Role.INGEST_WRITER:
            assert ingest_folder(config, grant) is None
    assert specs(config, 3) == specs(load_stack("prod"), 3)


def test_a_bound_needs_a_role_with_blob_data_actions() -> None:
    assert grant_condition(CRYPTO_SERVICE_ENCRYPTION_USER, last_day=None, private_link=False) is None
    with pytest.raises(ValueError, match=r"'key-grant': role 'Key Vault Crypto .*' has no blob data actions"):
        RoleAssignmentSpec(
            "key-grant", CRYPTO_SERVICE_ENCRYPTION_USER, "p", "p", "d", last_day=dt.date(2027, 9, 30)
        )


def test_a_custom_role_needs_its_declared_definition() -> None:
    with pytest.raises(ValueError, match="needs its declared definition"):
        RoleAssignmentSpec("g", tvt(Role.READER), "p", "p", "d")


def test_each_level_declares_exactly_the_custom_roles_its_grants_use(model: Run) -> None:
    """Only data actions, no control-plane action, created in and assignable only in the level's group."""
    for scope in LEVEL_SCOPES:
        level = int(scope[1:])
        definitions = model.in_scope(scope, ROLE_DEFINITION)
        used = {g.role for g in model.config.grants if g.level == level}
        assert {d.inputs["roleName"] for d in definitions} == {
            f"TVT {model.config.stack} level {level} {r.value}" for r in used
        }, f"{model.label}: {scope}"
        group = model.one(scope, RG)
        for definition in definitions:
            granted = pack_roles.custom_role(definition.inputs)
            assert pack_roles.tvt_role(granted) is not None, definition.name
            assert definition.inputs["roleType"] == "CustomRole"
            assert definition.inputs["scope"] == group.outputs["id"]
            assert definition.inputs["assignableScopes"] == [group.outputs["id"]]
            assert definition.property_dependencies["scope"] == (group.urn,)


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
        (definition,) = [
            d
            for d in model.in_scope(scope, ROLE_DEFINITION)
            if d.inputs["roleName"] == f"TVT {config.stack} level {grant.level} {grant.role.value}"
        ]
        assert ra.inputs["roleDefinitionId"] == definition.outputs["id"]
        assert ra.property_dependencies["roleDefinitionId"] == (definition.urn,)
        use_case = config.use_case(grant.use_case) if grant.use_case else None
        folder = ingest_folder(config, grant)
        tree = grant_condition(
            level_roles(config, grant.level)[grant.role],
            last_day=use_case.expires if use_case else None,
            private_link=grant.level == 3,
            path_prefix=folder,
        )
        condition = None if tree is None else render(tree)
        if condition is None:
            assert "condition" not in ra.inputs and "conditionVersion" not in ra.inputs, ra.name
        else:
            assert ra.inputs["condition"] == condition, ra.name
            assert ra.inputs["conditionVersion"] == "2.0", ra.name
        assert ra.inputs["description"] == grant_description(
            grant, config.use_case(grant.use_case) if grant.use_case else None, folder
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
    assert grant_description(grant, config.use_case("UC-2026-001"), ingest_folder(config, grant)) == (
        "TVT grant: ingest-writer for tvp-data-ingest on level 3 zone landing,"
        " writes under landing/thames-valley-police/ only."
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


def test_two_grants_of_one_role_on_one_scope_are_rejected() -> None:
    grants = (
        Grant("tvp-data-ingest", 3, Role.INGEST_WRITER, "UC-2026-001", "landing"),
        Grant("tvp-data-ingest", 3, Role.INGEST_WRITER, "UC-2026-001", "landing"),
    )
    with pytest.raises(
        ValueError,
        match="more than one grant of the same Azure role to 00000000-0000-4000-8000-000000000a02 on landing",
    ):
        specs(make_config("prod", grants), 3)


def test_grants_need_their_levels_declared_roles() -> None:
    with pytest.raises(ValueError, match="level 3: no declared role definition for ingest-writer, reader"):
        grant_assignments(make_config("prod"), 3, {Role.CONTRIBUTOR: "id"})


def test_level_three_grant_without_use_case_is_rejected() -> None:
    config = replace(make_config("prod"), grants=(Grant("vru-matching-team", 3, Role.READER, None, "raw"),))
    with pytest.raises(ValueError, match="names no use case"):
        specs(config, 3)


def test_grants_of_other_levels_are_ignored() -> None:
    found = specs(make_config("prod"), 2)
    assert sorted(s.name for s in found) == [
        "tvp-analysts-pseudonymised-reader",
        "vru-analysts-curated-contributor",
    ]
    assert all(s.principal_type == "Group" for s in found)


def _assignment(run: Run, scope: str, group: str, zone: str | None) -> CapturedResource:
    config = run.config
    target = (
        run.one(scope, CONTAINER, lambda c: c.inputs["containerName"] == zone)
        if zone
        else run.one(scope, ACCOUNT)
    )
    return run.one(
        scope,
        ROLE_ASSIGNMENT,
        lambda r: (
            r.inputs["principalId"] == config.group(group).object_id
            and r.property_dependencies.get("scope") == (target.urn,)
        ),
    )


def test_level_three_grants_end_when_their_use_case_expires(prod: Run) -> None:
    """Each level-3 assignment's condition carries the end of its own use case, and private link."""
    expected = {
        ("tvp-data-ingest", "landing"): LEVEL3_INGEST_WRITER_UC_001,
        ("vru-matching-team", "raw"): LEVEL3_READER_UC_001,
        ("vru-matching-team", "matched"): LEVEL3_CONTRIBUTOR_UC_001,
        ("ohft-safeguarding", "matched"): (
            f"( ( {none_of(READ)} ) OR ( {until('2028-07-01T00:00:00.0Z')} AND {PRIVATE_LINK} ) )"
        ),  # UC-2026-004 expires 2028-06-30
    }
    for (group, zone), condition in expected.items():
        ra = _assignment(prod, "l3", group, zone)
        assert ra.inputs.get("condition") == condition, f"{ra.name}: {ra.inputs.get('condition')}"
        assert ra.inputs.get("conditionVersion") == "2.0", ra.name
    assert len(group_assignments(prod)) - len(expected) == sum(1 for g in prod.config.grants if g.level != 3)


def test_ingest_writer_cannot_read_delete_or_rename(model: Run) -> None:
    """Its role carries write and add only, and no control-plane action (no container delete)."""
    ra = _assignment(model, "l3", "tvp-data-ingest", "landing")
    (definition,) = [
        d
        for d in model.in_scope("l3", ROLE_DEFINITION)
        if d.urn in ra.property_dependencies["roleDefinitionId"]
    ]
    granted = pack_roles.custom_role(definition.inputs)
    assert set(granted.data_actions) == {WRITE, ADD} and not granted.actions, (
        f"{model.label}: {definition.name}"
    )


def test_grants_without_use_case_have_no_condition(model: Run) -> None:
    for group, level, zone in (("tvp-analysts", 1, None), ("tvp-analysts", 2, "pseudonymised")):
        ra = _assignment(model, f"l{level}", group, zone)
        assert "condition" not in ra.inputs and "conditionVersion" not in ra.inputs, (
            f"{model.label}: {ra.name} has no use case, so no end date: {ra.inputs.get('condition')}"
        )


def test_level_two_use_case_bounds_time_but_not_network(model: Run) -> None:
    ra = _assignment(model, "l2", "vru-analysts", "curated")
    assert ra.inputs["condition"] == LEVEL2_CONTRIBUTOR_UC_003, f"{model.label}: {ra.name}"
    assert "isPrivateLink" not in ra.inputs["condition"]


def test_conditions_are_deterministic(prod: Run, prod_reordered: Run) -> None:
    def conditions(run: Run) -> dict[str, tuple[str | None, str | None]]:
        return {
            r.name: (r.inputs.get("condition"), r.inputs.get("conditionVersion"))
            for r in group_assignments(run)
        }

    assert conditions(prod) == conditions(prod_reordered)
    assert sum(1 for c, _ in conditions(prod).values() if c) == 5  # 4 at level 3, 1 level-2 use case


def test_every_stack_file_grant_ends_with_its_use_case(any_run: Run) -> None:
    """The stack files too: a use case means a bound at its expiry; level 3 means private link as well."""
    for ra in group_assignments(any_run):
        found = USE_CASE.search(ra.inputs["description"])
        condition = ra.inputs.get("condition", "")
        if found is None:
            assert "UtcNow" not in condition, f"{any_run.label}: {ra.name} has a bound but no use case"
            continue
        end = f"{access_end(dt.date.fromisoformat(found.group(3))):%Y-%m-%dT%H:%M:%S}.0Z"
        assert until(end) in condition, f"{any_run.label}: {ra.name}: {condition!r} does not end at {end}"
        assert ra.inputs["conditionVersion"] == "2.0", ra.name
        private = any_run.scope_of(ra) == "l3"
        assert (PRIVATE_LINK in condition) == private, f"{any_run.label}: {ra.name}: private link {private}"


READER_ROLE = pack_roles.GrantedRole("TVT reader", data_actions=(READ,), custom=True)
CONTRIBUTOR_ROLE = pack_roles.GrantedRole(
    "TVT contributor", data_actions=(READ, WRITE, ADD, DELETE, MOVE), custom=True
)
INGEST_ROLE = pack_roles.GrantedRole("TVT ingest-writer", data_actions=(WRITE, ADD), custom=True)


@pytest.mark.parametrize(
    ("role", "condition", "reads", "end"),
    [
        (
            READER_ROLE,
            LEVEL3_READER_UC_001,
            "yes until 2027-10-01 00:00 UTC, over private link only",
            "2027-10-01 00:00 UTC",
        ),
        (
            CONTRIBUTOR_ROLE,
            LEVEL3_CONTRIBUTOR_UC_001,
            "yes until 2027-10-01 00:00 UTC, over private link only",
            "2027-10-01 00:00 UTC",
        ),
        (INGEST_ROLE, LEVEL3_INGEST_WRITER_UC_001, "no (write-only role)", "2027-10-01 00:00 UTC"),
        (
            INGEST_ROLE,
            LEVEL3_INGEST_WRITER_UC_001.replace(" ", "\n    "),
            "no (write-only role)",
            "2027-10-01 00:00 UTC",
        ),
        (
            CONTRIBUTOR_ROLE,
            LEVEL2_CONTRIBUTOR_UC_003,
            "yes until 2028-01-01 00:00 UTC",
            "2028-01-01 00:00 UTC",
        ),
        (READER_ROLE, "", "yes", ""),
        (pack_roles.BUILT_IN[CRYPTO_SERVICE_ENCRYPTION_USER.guid], "", "not a data-reading role", ""),
    ],
)
def test_access_matrix_reads_the_conditions_we_write(
    role: pack_roles.GrantedRole, condition: str, reads: str, end: str
) -> None:
    """The reviewer's matrix (scripts/review/access.py) reads these conditions with the pack's grammar."""
    assert reads_data(role, condition) == reads
    assert path_prefixes(role, condition) == (
        "thames-valley-police/" if "StringStartsWith" in condition else ""
    )
    assert azure_end(role, condition) == end
