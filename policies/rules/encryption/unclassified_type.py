"""encryption-unclassified-type: every resource type is classified before it can be deployed."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import classify, unclassified_message
from policies.framework import Controls, Params, ResourceRule, RuleMeta
from policies.model import Resource

META = RuleMeta(
    id="encryption-unclassified-type",
    title="Every resource type is classified in the policy catalog",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("2.3", "5.1"), mcsb=("AM-2",)),
    remediation=(
        "Add the type to policies/catalog.py with its data class, diagnostic streams, taggability and "
        "placement, then make sure the encryption and audit rules cover it."
    ),
    docs="https://www.ncsc.gov.uk/collection/cloud/the-cloud-security-principles/principle-2-asset-protection-and-resilience",
)


def check(resource: Resource, params: Params) -> Iterator[str]:
    """Resource types outside the policy catalog fail closed.

    The encryption and audit rules only know what to require of a type through the catalog; a new
    type that nobody classified could hold partner data unencrypted and unaudited while every
    other rule quietly treats it as "not applicable".
    """
    if classify(resource.type) is None:
        yield unclassified_message(resource.type)


RULE = ResourceRule(META, check)
