"""No silent data loss: protect flags, delete locks and soft delete differ by environment as intended."""

from __future__ import annotations

import pytest
from component_runs import ACCOUNT, CONTAINER, KEY, LOCK, RETENTION, RG, SCOPES, VAULT, WORKSPACE, Run, Runs

from components.config.model import WRITE_ONCE_ZONES, Environment
from components.protection import NON_PROD, PROD, Lock, Protection, protection_for

PROTECTED = frozenset({ACCOUNT, VAULT, KEY, WORKSPACE})


def test_data_bearing_resources_are_protected_in_prod_only(any_run: Run) -> None:
    for r in any_run.custom:
        expected = any_run.is_prod and r.type in PROTECTED
        assert r.protect is expected, f"{any_run.label}: {r.name} ({r.type}) protect={r.protect}"


def test_protected_types_are_all_present(prod: Run) -> None:
    assert {r.type for r in prod.custom if r.protect} == PROTECTED


@pytest.mark.parametrize("scope", SCOPES)
def test_resource_group_delete_lock_in_prod_only(model: Run, scope: str) -> None:
    locks = model.in_scope(scope, LOCK)
    if not model.is_prod:
        assert locks == [], f"{model.label}: {scope} has a delete lock outside prod"
        return
    (lock,) = locks
    rg = model.one(scope, RG)
    assert lock.inputs["lockName"] == "lock-tvt-do-not-delete"
    assert lock.inputs["level"] == "CanNotDelete"
    assert lock.inputs["notes"]
    assert model.depends_on(lock, "resourceGroupName", rg)


def test_write_once_zones_and_only_they_have_a_retention_policy(any_run: Run) -> None:
    """Level 3's raw keeps what landed unchanged: blobs may be added, never rewritten or deleted."""
    expected = {(f"l{level}", zone) for level, zones in WRITE_ONCE_ZONES.items() for zone in zones}
    found = {(any_run.scope_of(r), r.inputs["containerName"]) for r in any_run.capture.by_type(RETENTION)}
    assert found == expected, any_run.label
    days = protection_for(any_run.config.environment).write_once_retention_days
    for policy in any_run.capture.by_type(RETENTION):
        scope = any_run.scope_of(policy)
        assert scope is not None
        zone = policy.inputs["containerName"]
        container = any_run.one(scope, CONTAINER, lambda c, zone=zone: c.inputs["containerName"] == zone)
        account = any_run.one(scope, ACCOUNT)
        assert policy.inputs["immutabilityPeriodSinceCreationInDays"] == days
        assert policy.inputs["allowProtectedAppendWrites"] is False
        assert policy.inputs["accountName"] == account.inputs["accountName"]
        assert container.urn in policy.dependencies, "the container exists before its policy"
        assert any_run.depends_on(policy, "accountName", account)
    assert PROD.write_once_retention_days == 365 and NON_PROD.write_once_retention_days >= 1


def test_protection_profiles() -> None:
    assert protection_for(Environment.PROD) is PROD
    assert protection_for(Environment.DEV) is NON_PROD
    assert protection_for(Environment.TEST) is NON_PROD
    assert Protection() == PROD, "the defaults are the production values"
    assert PROD.lock.enabled and not NON_PROD.lock.enabled
    assert Lock().enabled, "a lock is on unless turned off by name"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"vault_soft_delete_days": 6}, "vault_soft_delete_days must be 7..90"),
        ({"vault_soft_delete_days": 91}, "vault_soft_delete_days must be 7..90"),
        ({"blob_soft_delete_days": 0}, "blob_soft_delete_days must be 7..365"),
    ],
)
def test_protection_rejects_out_of_range_retention(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Protection(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("stack", ["dev", "test", "prod"])
def test_the_program_says_which_worm_state_it_requests(runs: Runs, stack: str) -> None:
    """Azure creates a WORM policy only Unlocked; the program asks for Locked only for an existing archive."""
    run = runs.main(stack)
    (note,) = [n for n in run.capture.notes if n.startswith("audit archive immutability")]
    account = run.one("audit", ACCOUNT)
    state = account.inputs["immutableStorageWithVersioning"]["immutabilityPolicy"]["state"]
    if run.config.audit.archive_immutability_locked:
        assert state == "Locked" and run.config.audit.archive_created is not None
        created = run.config.audit.archive_created
        assert note == f"audit archive immutability: requesting Locked (archive created {created})"
    else:
        assert state == "Unlocked"
        assert "requesting Unlocked" in note and "second deployment" in note
