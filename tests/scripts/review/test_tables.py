"""The report tables are computed once per review and shared: every format shows the same rows.

The access matrix reads each ABAC condition once (``access.Conditions``); its rows must still be
what reading every grant on its own gives, on every example stack.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

import pytest
from preview_helpers import REPO

from policies import abac, roles
from policies.catalog import ROLE_ASSIGNMENT, ROLE_DEFINITION
from scripts.commands.pipeline import validate_stack
from scripts.engine.plan import Plan, parse_plan
from scripts.review import report
from scripts.review.access import (
    AccessRow,
    Conditions,
    access_rows,
    allowed_actions,
    azure_end,
    path_prefixes,
    private_of,
    reads_data,
)
from scripts.review.html import render_html
from scripts.review.levels import plan_levels
from scripts.review.outputs import report_files
from scripts.review.report import ReportInputs
from scripts.review.stack_facts import StackFacts, stack_facts

STACKS = ("dev", "test", "prod")


@pytest.fixture(scope="module")
def examples(stack_plans: dict[str, dict]) -> dict[str, tuple[Plan, dict[str, str], StackFacts]]:
    """Each example stack's plan, resource levels and stack facts, as ``tvt plan`` hands the reports."""
    found = {}
    for stack in STACKS:
        plan = parse_plan(stack_plans[stack], f"{stack}/plan.json")
        config, _ = validate_stack(stack, REPO)
        found[stack] = (plan, plan_levels(plan), stack_facts(config))
    return found


def _group_grants(plan: Plan) -> list[Any]:
    return [
        r for r in plan.resources if r.type == ROLE_ASSIGNMENT and r.inputs.get("principalType") == "Group"
    ]


@pytest.mark.parametrize("stack", STACKS)
def test_access_rows_equal_each_grant_read_on_its_own(
    examples: dict[str, tuple[Plan, dict[str, str], StackFacts]], stack: str
) -> None:
    plan, levels, facts = examples[stack]
    rows = {row.resource: row for row in access_rows(plan, levels, facts)}
    grants = _group_grants(plan)
    assert grants and len(rows) == len(grants), f"{stack}: one row per group grant"
    custom = roles.declared_roles(r.inputs for r in plan.resources if r.type == ROLE_DEFINITION)
    for r in grants:
        row = rows[r.name]
        role = roles.granted_role(r.inputs.get("roleDefinitionId", ""), custom)
        condition = str(r.inputs.get("condition") or "")
        # Each of these parses and judges the condition afresh, as every row once did.
        folder = path_prefixes(role, condition)
        assert row.reads == reads_data(role, condition), r.name
        assert row.azure_cutoff == azure_end(role, condition), r.name
        assert row.private_link_only == private_of(allowed_actions(role, condition)), r.name
        assert row.scope.endswith(f", folder {folder} only") == bool(folder), r.name
        assert row.principal == facts.group_name(row.object_id), r.name


def test_prod_repeats_a_condition_so_the_memo_is_exercised(
    examples: dict[str, tuple[Plan, dict[str, str], StackFacts]],
) -> None:
    plan, _, _ = examples["prod"]
    counts = Counter(str(r.inputs.get("condition") or "") for r in _group_grants(plan))
    assert any(n > 1 for condition, n in counts.items() if condition)


def test_each_condition_is_parsed_once_and_each_action_judged_once(
    examples: dict[str, tuple[Plan, dict[str, str], StackFacts]], monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []
    judged: list[tuple[abac.Node | None, str]] = []
    real_parse, real_access = abac.parse, abac.access

    def parse(condition: str) -> abac.Node:
        parsed.append(condition)
        return real_parse(condition)

    def access(node: abac.Node | None, action: str, **bounds: Any) -> abac.Access:
        judged.append((node, action))
        return real_access(node, action, **bounds)

    monkeypatch.setattr(abac, "parse", parse)
    monkeypatch.setattr(abac, "access", access)
    plan, levels, facts = examples["prod"]
    access_rows(plan, levels, facts)
    conditions = {str(r.inputs.get("condition") or "") for r in _group_grants(plan)}
    assert sorted(parsed) == sorted(c for c in conditions if c.strip())
    assert len(judged) == len({(id(node), action) for node, action in judged}) > 0


def test_an_unreadable_condition_is_read_once_and_said_so() -> None:
    conditions = Conditions()
    reader = roles.GrantedRole("reader", data_actions=(roles.BLOB_READ,))
    assert reads_data(reader, "ActionMatches{", conditions) == "unknown (ABAC condition not understood)"
    assert conditions.grants("ActionMatches{", (roles.BLOB_READ,)) is None
    assert allowed_actions(reader, "ActionMatches{", conditions) == []
    assert conditions.grants("", (roles.BLOB_READ,)) == [abac.access(None, roles.BLOB_READ)]


def test_every_report_of_a_run_reads_one_computation_of_the_tables(
    violate_inputs: ReportInputs, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[ReportInputs] = []
    real = report.report_tables

    def counted(inputs: ReportInputs) -> report.ReportTables:
        calls.append(inputs)
        return real(inputs)

    monkeypatch.setattr(report, "report_tables", counted)
    files = report_files(violate_inputs)
    assert set(files) >= {"report.md", "report.html"}
    assert calls == [violate_inputs]


def test_markdown_and_html_show_the_shared_tables_not_their_own(violate_inputs: ReportInputs) -> None:
    marker = AccessRow(
        level="3",
        principal="Marker group 7f3a",
        object_id="00000000-0000-0000-0000-0000000007f3",
        grant_role="reader",
        azure_role="TVT Reader (custom role)",
        reads="yes",
        scope="zone marker",
        zone="marker",
        use_case="UC-MARK",
        use_case_title="",
        approval="DPIA-MARK",
        expires="2027-01-01",
        azure_cutoff="",
        private_link_only=False,
        resource="marker-grant",
    )
    tables = dataclasses.replace(violate_inputs.tables, access=(marker,), resources=4242)
    # Seed the cached tables: the reports must take what the inputs hold, not compute their own.
    violate_inputs.__dict__["tables"] = tables
    markdown = report.report_markdown(violate_inputs)
    html = render_html(violate_inputs)
    for text in (markdown, html):
        assert "Marker group 7f3a" in text and "DPIA-MARK" in text
    assert "| resources | 4242 |" in markdown and "4242 resources" in html
