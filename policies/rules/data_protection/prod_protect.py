"""data-protection-prod-protect: Pulumi refuses to delete prod data and keys."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import CATALOG, DataClass
from policies.framework import Controls, Params, ResourceRule, RuleMeta
from policies.model import Resource
from policies.stack_index import is_prod_resource

META = RuleMeta(
    id="data-protection-prod-protect",
    title="Prod data-bearing and key-material resources are protected from deletion by Pulumi",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("2.6", "5.1"), mcsb=("BR-2", "AM-3")),
    remediation="Declare the resource with pulumi.ResourceOptions(protect=True) in prod.",
    docs="https://www.pulumi.com/docs/iac/concepts/options/protect/",
)

PROTECTED_CLASSES = (DataClass.DATA_BEARING, DataClass.KEY_MATERIAL)
PROTECTED_TYPES = frozenset(t for t, info in CATALOG.items() if info.data in PROTECTED_CLASSES)


def check(resource: Resource, params: Params) -> Iterator[str]:
    """Outside dev and test, storage accounts, workspaces, vaults and keys are declared with protect=True.

    A refactor that renames a resource or moves it between components makes Pulumi plan a
    delete-and-replace; for these resources that is data loss. protect turns that plan into an
    error that needs a deliberate, reviewed unprotect. Untagged or mistyped environments count as
    prod, and so does every resource of the prod stack (its URN), whatever its tag says.
    """
    if not is_prod_resource(resource):
        return
    if not resource.protect:
        yield "protect is not set on a prod data-bearing or key-material resource; expected protect=True"


RULE = ResourceRule(META, check, types=PROTECTED_TYPES)
