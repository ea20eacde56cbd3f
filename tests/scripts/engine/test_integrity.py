"""Every example plan passes the engine's snapshot integrity rules, and each rule can fail."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from scripts.engine.integrity import magic, verify


def test_every_example_plan_passes_with_no_warnings(stack_plans: dict[str, dict]) -> None:
    for stack, document in stack_plans.items():
        result = verify(document["deployment"])
        assert result.ok, f"{stack}: {result.errors + result.warnings}"
        assert document["deployment"]["manifest"]["magic"] == magic(
            document["deployment"]["manifest"]["version"]
        )


def _find(resources: list[dict], type_: str) -> int:
    return next(i for i, r in enumerate(resources) if r["type"] == type_)


def _swap_parent_after_child(d: dict[str, Any]) -> None:
    rs = d["resources"]
    i = _find(rs, "azure-native:storage:StorageAccount")
    parent = next(j for j, r in enumerate(rs) if r["urn"] == rs[i]["parent"])
    rs.append(rs.pop(parent))


def _drop_provider(d: dict[str, Any]) -> None:
    d["resources"] = [r for r in d["resources"] if not r["type"].startswith("pulumi:providers:")]


def _duplicate(d: dict[str, Any]) -> None:
    rs = d["resources"]
    rs.append(copy.deepcopy(rs[_find(rs, "azure-native:keyvault:Vault")]))


def _mock_urn(d: dict[str, Any]) -> None:
    """What the SDK's mock monitor would have written: only the parent's last type."""
    rs = d["resources"]
    i = _find(rs, "azure-native:keyvault:Key")
    rs[i]["urn"] = rs[i]["urn"].replace("tvt:platform:Platform$", "")


def _dependency_missing(d: dict[str, Any]) -> None:
    rs = d["resources"]
    rs[_find(rs, "azure-native:keyvault:Key")]["dependencies"].append(
        "urn:pulumi:prod::tvt-platform::t:t:T::gone"
    )


def _tampered_manifest(d: dict[str, Any]) -> None:
    d["manifest"]["version"] = "3.0.0"


CASES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("parent after child", _swap_parent_after_child, "comes after it"),
    ("provider missing", _drop_provider, "refers to unknown provider"),
    ("duplicate URN", _duplicate, "duplicate resource"),
    ("dependency missing", _dependency_missing, "is missing"),
    ("manifest tampered", _tampered_manifest, "magic cookie mismatch"),
]


@pytest.mark.parametrize(("what", "mutate", "message"), CASES, ids=[c[0] for c in CASES])
def test_each_integrity_rule_fails_when_broken(
    stack_plans: dict[str, dict], what: str, mutate: Callable[[dict[str, Any]], None], message: str
) -> None:
    deployment = copy.deepcopy(stack_plans["prod"]["deployment"])
    mutate(deployment)
    errors = verify(deployment).errors
    assert any(message in e for e in errors), f"{what}: {errors}"


def test_a_mock_shaped_child_urn_is_warned_about(stack_plans: dict[str, dict]) -> None:
    deployment = copy.deepcopy(stack_plans["prod"]["deployment"])
    _mock_urn(deployment)
    assert any("doesn't match" in w for w in verify(deployment).warnings)
