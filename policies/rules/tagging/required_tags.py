"""tagging-required-tags: taggable resources state environment, data level, owner and classification."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import CATALOG
from policies.framework import Controls, Params, ResourceRule, RuleMeta
from policies.model import Resource
from policies.props import describe, text
from policies.stack_index import ENVIRONMENTS

META = RuleMeta(
    id="tagging-required-tags",
    title="Taggable resources carry environment, data-level, owner and a consistent classification",
    severity=Severity.LOW,
    enforcement=EnforcementLevel.ADVISORY,
    controls=Controls(ncsc=("4", "5.1"), mcsb=("AM-1",)),
    remediation=(
        "Tag with environment (dev|test|prod), data-level (1|2|3|shared), owner, and classification "
        "OFFICIAL for level 1, OFFICIAL-SENSITIVE for levels 2, 3 and shared (components/tags.py)."
    ),
    docs="https://www.gov.uk/government/publications/government-security-classifications",
)

LEVELS = ("1", "2", "3", "shared")
CLASSIFICATION = {
    "1": "OFFICIAL",
    "2": "OFFICIAL-SENSITIVE",
    "3": "OFFICIAL-SENSITIVE",
    "shared": "OFFICIAL-SENSITIVE",
}


def check(resource: Resource, params: Params) -> Iterator[str]:
    """environment, data-level and owner tags are valid, and classification matches the data level.

    Several rules read these tags (the level for key and access rules, the environment for prod
    protections), and security reviewers and partners' data-protection leads filter on them.
    Advisory, because the rules that depend on a tag already fail closed when it is missing.
    """
    tags = resource.tags
    env = tags.get("environment")
    if env not in ENVIRONMENTS:
        yield f"tag environment is {describe(env)}; expected one of {', '.join(ENVIRONMENTS)}"
    level = tags.get("data-level")
    if level not in LEVELS:
        yield f"tag data-level is {describe(level)}; expected one of {', '.join(LEVELS)}"
    owner = tags.get("owner")
    if not isinstance(owner, str) or not owner.strip():
        yield f"tag owner is {describe(owner)}; expected the owning team"
    classification = tags.get("classification")
    expected = CLASSIFICATION.get(text(level))
    if classification not in set(CLASSIFICATION.values()):
        yield f"tag classification is {describe(classification)}; expected OFFICIAL or OFFICIAL-SENSITIVE"
    elif expected is not None and classification != expected:
        yield f"tag classification is {describe(classification)} but data level {level} is {expected}"


RULE = ResourceRule(META, check, types=frozenset(t for t, info in CATALOG.items() if info.taggable))
