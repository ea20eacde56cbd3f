"""Which data level (``"1"``, ``"2"``, ``"3"``, ``"shared"``) each resource of a plan belongs to.

The level is the pack's own answer (:meth:`policies.stack_index.StackIndex.summary_level`), so the
report and the rules can never disagree; this module only feeds it the plan's inputs.
"""

from __future__ import annotations

from policies.model import Resource
from policies.stack_index import StackIndex
from scripts.engine.plan import Plan, PlanResource


def as_resource(resource: PlanResource) -> Resource:
    """A plan resource as the rules see it in ``Analyze``: its inputs, plus its references."""
    return Resource(
        urn=resource.urn,
        type=resource.type,
        name=resource.name,
        props=resource.inputs,
        protect=resource.protect,
        parent=resource.parent or None,
        dependencies=resource.dependencies,
        property_dependencies=resource.property_dependencies,
    )


def plan_levels(plan: Plan) -> dict[str, str]:
    """URN -> level of every resource of ``plan`` (components: their children's, or ``mixed``)."""
    resources = [as_resource(r) for r in plan.resources]
    index = StackIndex(resources)
    return {r.urn: index.summary_level(r) for r in resources}
