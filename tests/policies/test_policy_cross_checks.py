"""The program and the pack keep two independent tables on purpose; these tests make them agree.

``components`` and ``policies`` never import each other (an import-linter contract), so that a
mistake in one cannot be copied into the other. The price is two homes for the same facts: which
diagnostic signals each resource type has, which built-in role GUIDs mean what, and what an approved
use case is. Only tests may
see both, and here they do.
"""

from __future__ import annotations

import pytest

from components import roles
from components.diagnostics import SIGNALS
from policies import roles as policy_roles
from policies.catalog import CATALOG, classify
from policies.rules.identity.role_allow_list import META as ALLOW_LIST

DIAGNOSTIC_TYPES = sorted(t for t, info in CATALOG.items() if info.diagnostics.supported)


def test_both_homes_know_the_same_diagnostic_types() -> None:
    assert sorted(SIGNALS) == DIAGNOSTIC_TYPES, (
        "components/diagnostics.py SIGNALS and policies/catalog.py disagree on which types have "
        "diagnostic settings"
    )


@pytest.mark.parametrize("type_", DIAGNOSTIC_TYPES)
def test_logs_and_metric_categories_agree(type_: str) -> None:
    info = classify(type_)
    assert info is not None
    signals = SIGNALS[type_]
    assert signals.logs == info.diagnostics.logs, f"{type_}: logs"
    # What the program sends is exactly what Azure exports for the type (the pack's required
    # categories), all of them accepted: nothing that would be refused, nothing that exports nothing.
    assert sorted(signals.metrics) == sorted(info.diagnostics.required), f"{type_}: metric categories"
    assert set(signals.metrics) <= set(info.diagnostics.metrics), f"{type_}: a category Azure rejects"


def test_storage_never_gets_all_metrics_nor_capacity() -> None:
    for type_ in ("azure-native:storage:StorageAccount", "azure-native:storage:BlobServiceProperties"):
        assert "AllMetrics" not in SIGNALS[type_].metrics
        assert "Capacity" not in SIGNALS[type_].metrics, "Capacity metrics export nothing"
        info = classify(type_)
        assert info is not None and "Transaction" in info.diagnostics.required


def _program_roles() -> dict[str, str]:
    """display name -> GUID of every built-in role the program can assign."""
    found = [v for v in vars(roles).values() if isinstance(v, roles.RoleDefinition)]
    found += list(roles.ROLES.values())
    table: dict[str, str] = {}
    for role in found:
        assert table.setdefault(role.display_name, role.guid) == role.guid, role.display_name
    return table


def test_role_guids_agree() -> None:
    program = _program_roles()
    assert program, "components/roles.py declares no roles?"
    pack = {name: guid for guid, name in policy_roles.NAMES.items()}
    for name, guid in program.items():
        assert pack.get(name) == guid, (
            f"{name}: components/roles.py says {guid}, policies/roles.py says {pack.get(name)}"
        )


def test_every_role_the_program_assigns_is_allow_listed() -> None:
    allowed = {g.lower() for g in ALLOW_LIST.params[0].default}
    assert {g.lower() for g in _program_roles().values()} <= allowed


def test_the_key_role_is_the_same_role_in_both_homes() -> None:
    assert roles.CRYPTO_SERVICE_ENCRYPTION_USER.guid == policy_roles.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER
    assert roles.STORAGE_BLOB_DATA_READER.guid == policy_roles.STORAGE_BLOB_DATA_READER
    assert roles.STORAGE_BLOB_DATA_CONTRIBUTOR.guid == policy_roles.STORAGE_BLOB_DATA_CONTRIBUTOR
    assert set(roles.BLOB_DATA_ACTIONS) <= set(policy_roles.NAMES)


@pytest.mark.parametrize("stack", ["dev", "test", "prod"])
def test_the_pack_reads_the_same_use_cases_the_program_validates(stack: str) -> None:
    """``UseCase`` has two homes (the program's config model, the pack's register): they must agree."""
    from components.config.load import load_stack, read_stack_file, stack_file
    from policies.use_cases import register_from_config
    from scripts.engine.capture import config_for_runtime
    from tests.conftest import TODAY_DATE

    program = load_stack(stack, today=TODAY_DATE).use_cases
    register = register_from_config(config_for_runtime(read_stack_file(stack_file(stack))))
    assert register.problem is None, register.problem
    assert [(u.id, u.approval_ref, u.level, u.expires) for u in program] == [
        (u.id, u.approval, u.level, u.expires) for u in register.use_cases
    ]
