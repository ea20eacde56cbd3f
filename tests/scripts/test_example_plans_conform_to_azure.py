"""Every example stack's plan passes azure-api-conformance with no findings (issue 8, "Done when").

It lives beside the session's ``stack_plans`` (``tvt plan`` of dev, test and prod, in-process), so
the check adds no second run of the program; the rule's own cases are in
``tests/policies/rules/azure/test_api_conformance.py``.
"""

from __future__ import annotations

from policies.model import NotApplicable
from policies.rules.azure.api_conformance import problems


def test_every_example_plan_conforms_to_azures_types(stack_plans: dict[str, dict]) -> None:
    for stack, document in stack_plans.items():
        checked = 0
        for resource in document["deployment"]["resources"]:
            verdict = problems(resource["type"], resource.get("inputs", {}))
            if isinstance(verdict, NotApplicable):
                # Only what Azure knows nothing of: components, the stack, providers.
                assert not resource["type"].startswith("azure-native:"), resource["urn"]
                continue
            assert list(verdict) == [], f"{stack}: {resource['urn']}"
            checked += 1
        azure = sum(r["type"].startswith("azure-native:") for r in document["deployment"]["resources"])
        assert checked == azure > 100, f"{stack}: {checked} of {azure} Azure resources checked"
