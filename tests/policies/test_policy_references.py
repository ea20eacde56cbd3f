"""Every reference of ``policies/references.py``, on the prod baseline: a value that names nothing the
plan can show is one mandatory finding, by the reference's own rule, on the resource holding it.

Two ways to name nothing, for every reference the baseline makes with a property dependency:
- a known value that disagrees with its dependency (a foreign id, URI, name or principal): one
  finding in the whole plan, since every other rule sees what the dependency names;
- an unknown value with no dependency (nothing can say what it names): it fails closed, once on its
  resource (what the resource then fails to do, such as a diagnostic setting that targets nothing
  leaving its NSG unlogged, may be reported on that other resource).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.references import EACH, Kind, Reference, references
from tests.policies.cases import BASELINE, _put, foreign
from tests.policies.harness import Hit, analyzer, describe, load_config, run

FOREIGN = {
    Kind.ARM_ID: foreign("Microsoft.Storage/storageAccounts/exfil"),
    Kind.VAULT_URI: "https://kv-elsewhere.vault.azure.net/",
    Kind.NAME: "namedelsewhere",  # valid as any of these types' names (a storage account's is the strictest)
    Kind.PRINCIPAL_ID: "12345678-1234-4234-8234-123456789abc",
}


@dataclass(frozen=True)
class Held:
    """One reference as the baseline makes it: on resource ``name``, at the dotted ``path``."""

    name: str
    reference: Reference

    @property
    def path(self) -> str:
        return ".".join((self.reference.key, *self.reference.path)).replace(EACH, "0")

    def __str__(self) -> str:
        return f"{self.name}.{self.path}"


def _held() -> list[Held]:
    """The first resource of each type that makes each reference with a property dependency."""
    found: dict[tuple[str, str, tuple[str, ...]], Held] = {}
    for name, res in BASELINE.resources.items():
        for ref in references(res.type):
            if res.deps.get(ref.key):
                found.setdefault((res.type, ref.key, ref.path), Held(name, ref))
    return list(found.values())


HELD = _held()


def _new(mutated: dict[str, object] | None, held: Held, *, drop_dependency: bool) -> list[Hit]:
    servicer = analyzer(load_config("prod"))
    before = {(f.rule, f.urn, f.message) for f in run(servicer, BASELINE, only=[held.name])}
    stack = BASELINE.copy()
    value = FOREIGN[held.reference.kind] if mutated is None else mutated["value"]
    _put(stack[held.name].props, held.path, value)
    if drop_dependency:
        del stack[held.name].deps[held.reference.key]
    return [f for f in run(servicer, stack, only=[held.name]) if (f.rule, f.urn, f.message) not in before]


def test_every_kind_of_reference_is_covered() -> None:
    assert {h.reference.kind for h in HELD} == set(Kind)
    assert len({h.reference.rule for h in HELD}) >= 10, "references of most owning rules"


@pytest.mark.parametrize("held", HELD, ids=str)
def test_a_value_that_disagrees_with_its_dependency_is_one_finding(held: Held) -> None:
    new = _new(None, held, drop_dependency=False)
    urn = BASELINE[held.name].urn
    assert [(f.rule, f.urn, f.level) for f in new] == [(held.reference.rule, urn, "mandatory")], (
        f"{held}: expected one {held.reference.rule} finding, got:\n{describe(new) or '  nothing'}"
    )
    assert "value and dependency must agree" in new[0].message


@pytest.mark.parametrize("held", HELD, ids=str)
def test_an_unknown_value_with_no_dependency_fails_closed_once(held: Held) -> None:
    new = _new({"value": UNKNOWN_STRING_VALUE}, held, drop_dependency=True)
    urn = BASELINE[held.name].urn
    here = [f for f in new if f.urn == urn]
    shown = held.path.replace(".0", "[]")
    assert [(f.rule, f.level) for f in here] == [(held.reference.rule, "mandatory")], (
        f"{held}: expected one {held.reference.rule} finding on {held.name}, got:\n"
        f"{describe(new) or '  nothing'}"
    )
    assert here[0].message.startswith(f"cannot verify during preview: {shown} is unknown and not computed")
