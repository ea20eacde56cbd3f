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
from components.config.model import Role
from components.diagnostics import SIGNALS
from policies import abac
from policies import roles as policy_roles
from policies.catalog import CATALOG, classify
from policies.rules.identity.role_allow_list import META as ALLOW_LIST
from tests.conftest import SUBSCRIPTION

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


def _built_in_roles() -> dict[str, str]:
    """display name -> GUID of every built-in role the program can assign."""
    found = [v for v in vars(roles).values() if isinstance(v, roles.RoleDefinition) and not v.custom]
    table: dict[str, str] = {}
    for role in found:
        assert table.setdefault(role.display_name, role.guid) == role.guid, role.display_name
    return table


def test_built_in_role_guids_agree() -> None:
    program = _built_in_roles()
    assert program, "components/roles.py declares no built-in role?"
    for name, guid in program.items():
        assert policy_roles.NAMES.get(guid) == name, (
            f"{name}: components/roles.py says {guid}, policies/roles.py says {policy_roles.NAMES.get(guid)}"
        )


def test_every_built_in_role_the_program_assigns_is_allow_listed() -> None:
    allowed = {g.lower() for g in ALLOW_LIST.params[0].default}
    assert {g.lower() for g in _built_in_roles().values()} <= allowed
    assert roles.CRYPTO_SERVICE_ENCRYPTION_USER.guid == policy_roles.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER


def test_the_tvt_roles_carry_the_same_data_actions_in_both_homes() -> None:
    program = {role.value: frozenset(actions) for role, actions in roles.TVT_ROLE_ACTIONS.items()}
    assert program == dict(policy_roles.TVT_ROLES)


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_each_custom_role_the_program_declares_is_exactly_its_tvt_role(role: Role) -> None:
    """The pack reads a declared custom role (``RoleDefinition`` inputs) as the TVT role it is for."""
    definition = roles.custom_role(role, stack="prod", subscription_id=SUBSCRIPTION, level=3)
    props = {
        "roleName": definition.display_name,
        "permissions": [
            {
                "actions": [],
                "notActions": [],
                "dataActions": list(definition.data_actions),
                "notDataActions": [],
            }
        ],
    }
    granted = policy_roles.custom_role(props)
    assert policy_roles.tvt_role(granted) == role.value
    assert not granted.actions, "a TVT role has no control-plane action"


def _as_pack_tree(node: roles.Condition) -> abac.Node:
    """The program's condition model, node for node, in the pack's grammar (a group of one operand
    is only parentheses, so it is that operand)."""
    if isinstance(node, roles.AllOf | roles.AnyOf) and len(node.operands) == 1:
        return _as_pack_tree(node.operands[0])
    if isinstance(node, roles.ActionMatches):
        return abac.Action(node.action)
    if isinstance(node, roles.Not):
        return abac.Not(_as_pack_tree(node.operand))
    if isinstance(node, roles.AllOf):
        return abac.And(tuple(_as_pack_tree(o) for o in node.operands))
    if isinstance(node, roles.AnyOf):
        return abac.Or(tuple(_as_pack_tree(o) for o in node.operands))
    return abac.Compare(node.attribute, node.operator, node.value)


def _program_conditions(stack: str) -> list[roles.Condition]:
    from components.access import grant_assignments, level_roles
    from components.config.load import load_stack
    from tests.conftest import TODAY_DATE

    config = load_stack(stack, today=TODAY_DATE)
    found = []
    for level in (1, 2, 3):
        definitions = {
            r: d.definition_id(config.subscription_id) for r, d in level_roles(config, level).items()
        }
        for spec in grant_assignments(config, level, definitions):
            tree = roles.grant_condition(
                spec.role,
                last_day=spec.last_day,
                private_link=spec.private_link_only,
                path_prefix=spec.path_prefix,
            )
            if tree is not None:
                assert spec.condition == roles.render(tree)
                found.append(tree)
    return found


@pytest.mark.parametrize("stack", ["dev", "test", "prod"])
def test_the_pack_parses_exactly_the_conditions_the_program_writes(stack: str) -> None:
    """``components`` and ``policies`` meet at one grammar: the pack's parser reads the text the program
    renders back into the very tree the program built."""
    conditions = _program_conditions(stack)
    assert conditions, f"{stack}: no grant carries a condition?"
    for tree in conditions:
        assert abac.parse(roles.render(tree)) == _as_pack_tree(tree), roles.render(tree)


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
