"""``report.html``: the whole review in one self-contained page that prints cleanly to PDF.

Rendered with jinja2 with autoescape on, and every value first passed through
:func:`~scripts.review.markup.visible` (the environment's ``finalize``), so nothing from config or
the plan can add markup or control characters. The template has no script and fetches nothing.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import jinja2

from scripts.review import report
from scripts.review.findings import Outcome
from scripts.review.markup import oneline, visible
from scripts.review.report import ReportInputs

TEMPLATES = Path(__file__).parent / "templates"


def _finalize(value: Any) -> Any:
    return visible(value) if isinstance(value, str) else value


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["oneline"] = oneline  # messages: the pack's line breaks become spaces, not "\\n"
    return env


def render_html(inputs: ReportInputs) -> str:
    counts = Counter(r.outcome.value for r in inputs.review.results)
    tables = inputs.tables
    template = environment().get_template("report.html.j2")
    return template.render(
        plan=inputs.plan,
        review=inputs.review,
        pack=inputs.review.evaluation.pack,
        judged=inputs.judged,
        facts=inputs.facts,
        counts={o.value: counts[o.value] for o in Outcome},
        resources=tables.resources,
        levels=tables.by_level,
        groups=tables.groups,
        coverage=tables.coverage,
        posture=tables.posture,
        access=tables.access,
        exemptions=tables.exemptions,
        expiring=tables.expiring,
        within=report.EXPIRING_DAYS,
        downgrades=inputs.review.evaluation.downgrades,
        types=tables.by_type,
    )
