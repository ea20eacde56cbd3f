"""A real *first* preview: computed outputs unknown, and still every mandatory rule runs and passes.

Under ``pulumi preview`` before anything exists, ids, names, vault URIs, key names and principal
ids are unknown; the engine sends them to the pack as its unknown sentinel. pulumi-policy answers a
rule that reads one with an ADVISORY "can't run policy" diagnostic, which would quietly turn a
mandatory rule advisory on every first preview. Here the real program runs under
``PreviewMocks(computed="unknown")``, the plan is built and evaluated in-process with the real pack
and the stack's real policy config, exactly as ``tvt plan`` does, and:

- the plan really holds unknowns where a first preview has them (so the test tests something);
- no mandatory finding, and no "can't run" or "cannot verify during preview" from any rule;
- the rules that follow references still see them: breaking a property dependency in the
  unknown plan is still caught.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from preview_helpers import REPO
from pulumi.runtime.rpc import UNKNOWN

from components.config.load import read_stack_file, stack_file
from policies.framework import UNVERIFIABLE_PREFIX
from scripts.engine.analyzer import open_analyzer
from scripts.engine.capture import Capture, PreviewMocks, run_program
from scripts.engine.evaluate import evaluate
from scripts.engine.export import build_deployment, dumps
from scripts.engine.plan import Plan, parse_plan
from scripts.review.findings import Review, review
from tests.conftest import TODAY

STACKS = ("prod", "dev")
CANNOT_RUN = "can't run policy"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
KEY = "azure-native:keyvault:Key"


def capture_unknown(stack: str) -> tuple[Capture, dict[str, Any]]:
    config = read_stack_file(stack_file(stack, REPO), root=REPO)
    mp = pytest.MonkeyPatch()
    mp.setenv("TVT_TODAY", TODAY)
    try:
        with contextlib.chdir(REPO):
            capture = run_program(REPO / "__main__.py", stack=stack, config=config, computed="unknown")
    finally:
        mp.undo()
    assert not capture.errors, capture.errors
    return capture, config


def plan_of(capture: Capture, config: Mapping[str, Any]) -> Plan:
    return parse_plan(json.loads(dumps(build_deployment(capture, config))), "plan.json")


def evaluate_plan(plan: Plan, stack: str, config: Mapping[str, Any]) -> Review:
    """As ``tvt plan`` evaluates: the stack's policy config, and its stack config in ConfigureStack."""
    with open_analyzer("inprocess", REPO / "policies") as analyzer:
        policy_config = REPO / "policies" / "config" / f"{stack}.json"
        return review(evaluate(plan, analyzer, policy_config, stack_config=config), plan)


@pytest.fixture(scope="module")
def unknown_runs() -> Iterator[dict[str, tuple[Capture, dict[str, Any]]]]:
    yield {stack: capture_unknown(stack) for stack in STACKS}


def _unknown_paths(value: Any, path: str = "") -> Iterator[str]:
    if value == UNKNOWN:
        yield path
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from _unknown_paths(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _unknown_paths(v, f"{path}[]")


def test_unknown_mode_leaves_computed_outputs_unknown(
    unknown_runs: dict[str, tuple[Capture, dict[str, Any]]],
) -> None:
    capture, _ = unknown_runs["prod"]
    custom = [r for r in capture.resources if r.custom]
    assert custom and all(r.id == "" for r in custom), "no ids may be invented in a first preview"
    assert not any("principalId" in r.outputs for r in capture.by_type(IDENTITY))
    assert not any("keyUri" in r.outputs for r in capture.by_type(KEY))
    unknown = {
        f"{r.type.rsplit(':', 1)[-1]}.{p}" for r in capture.resources for p in _unknown_paths(dict(r.inputs))
    }
    # The values the rules used to read, and now must answer through property dependencies.
    for expected in (
        "StorageAccount.encryption.keyVaultProperties.keyName",
        "StorageAccount.encryption.keyVaultProperties.keyVaultUri",
        "Subnet.networkSecurityGroup.id",
        "RoleAssignment.scope",
        "RoleAssignment.principalId",
        "DiagnosticSetting.resourceUri",
        "PrivateEndpoint.subnet.id",
    ):
        assert expected in unknown, f"{expected} should be unknown in a first preview"


def test_mocks_default_to_known_and_refuse_other_modes() -> None:
    mocks = PreviewMocks()
    assert mocks.computed == "known"
    with pytest.raises(ValueError, match="computed: expected one of known, unknown"):
        PreviewMocks(computed="maybe")


@pytest.mark.parametrize("stack", STACKS)
def test_first_preview_has_no_mandatory_finding_and_every_mandatory_rule_runs(
    stack: str, unknown_runs: dict[str, tuple[Capture, dict[str, Any]]]
) -> None:
    capture, config = unknown_runs[stack]
    evaluation = evaluate_plan(plan_of(capture, config), stack, config)
    mandatory_rules = {
        name for name, p in evaluation.evaluation.config.items() if p.enforcement == "mandatory"
    }
    assert "encryption-cmk-same-level" in mandatory_rules and "network-subnet-nsg" in mandatory_rules
    cannot_run = [f for f in evaluation.findings if CANNOT_RUN in f.message and f.rule in mandatory_rules]
    assert not cannot_run, "mandatory rules that could not run:\n" + "\n".join(
        f"  {f.rule}: {f.message}" for f in cannot_run
    )
    unverifiable = [f for f in evaluation.findings if UNVERIFIABLE_PREFIX in f.message]
    assert not unverifiable, "\n".join(f"  {f.rule} {f.name}: {f.message}" for f in unverifiable)
    assert not evaluation.mandatory, "\n".join(
        f"  {f.rule} {f.name}: {f.message}" for f in evaluation.mandatory
    )
    # The design exemptions still apply to what they cover: the rules ran, their findings were exempted.
    assert {(f.rule, f.name) for f in evaluation.findings if f.exemption} == {
        ("encryption-cmk-same-level", "audit-workspace"),
        ("network-public-access-disabled", "audit-archive-account"),
    }


def _without_dependency(plan_json: dict[str, Any], name: str, key: str) -> dict[str, Any]:
    for state in plan_json["deployment"]["resources"]:
        if state["urn"].endswith(f"::{name}"):
            del state["propertyDependencies"][key]
            return plan_json
    raise KeyError(name)


@pytest.mark.parametrize(
    ("name", "key", "rule", "message"),
    [
        (
            "l3-storage-account",
            "encryption",
            "encryption-cmk-same-level",
            f"{UNVERIFIABLE_PREFIX}encryption.keyVaultProperties.keyVaultUri is unknown and not computed "
            "from a Vault of this stack",
        ),
        (
            "l3-network-subnet",
            "networkSecurityGroup",
            "network-subnet-nsg",
            f"{UNVERIFIABLE_PREFIX}networkSecurityGroup.id is unknown and not computed from a "
            "NetworkSecurityGroup of this stack",
        ),
        (
            "l3-keyvault-key-grant",
            "scope",
            "identity-grant-scope",  # the owner of every role assignment's scope (policies/references.py)
            f"{UNVERIFIABLE_PREFIX}scope is unknown and not computed from a resource of this stack",
        ),
    ],
)
def test_a_broken_reference_is_still_caught_when_values_are_unknown(
    name: str, key: str, rule: str, message: str, unknown_runs: dict[str, tuple[Capture, dict[str, Any]]]
) -> None:
    capture, config = unknown_runs["prod"]
    broken = _without_dependency(json.loads(dumps(build_deployment(capture, config))), name, key)
    evaluation = evaluate_plan(parse_plan(broken, "plan.json"), "prod", config)
    hits = [f for f in evaluation.mandatory if f.rule == rule and message in f.message]
    assert hits, f"expected {rule} ({message!r}); got:\n" + "\n".join(
        f"  {f.rule} [{f.enforcement}] {f.name}: {f.message}" for f in evaluation.findings
    )
    assert any(f.name == name for f in hits), f"{rule} reported on the wrong resource"


def test_plan_records_unknowns_as_the_engines_sentinel(
    unknown_runs: dict[str, tuple[Capture, dict[str, Any]]],
) -> None:
    capture, config = unknown_runs["prod"]
    text = dumps(build_deployment(capture, config)).decode()
    assert UNKNOWN in text
    assert "Unknown object" not in text
