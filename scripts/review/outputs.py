"""The files a review writes next to ``plan.json``: one name each, one function that makes them all."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from policies.heap import settled_heap
from scripts.review.findings import findings_document
from scripts.review.html import render_html
from scripts.review.junit import junit_bytes
from scripts.review.report import HTML_REPORT as REPORT_HTML
from scripts.review.report import ReportInputs, report_markdown
from scripts.review.sarif import sarif_bytes

PLAN_FILE = "plan.json"
FINDINGS_FILE = "findings.json"
REPORT_MD = "report.md"

REPORT_SARIF = "report.sarif"
REPORT_JUNIT = "report.junit.xml"


def json_bytes(document: Any) -> bytes:
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def findings_bytes(inputs: ReportInputs) -> bytes:
    """``findings.json`` and ``tvt check --format json``: the same document, the same bytes."""
    return json_bytes(findings_document(inputs.review, inputs.plan, inputs.judged))


def report_files(inputs: ReportInputs) -> Mapping[str, bytes]:
    """Every review output of ``inputs``, by file name (``plan.json`` is the caller's)."""
    with settled_heap():
        return {
            FINDINGS_FILE: findings_bytes(inputs),
            REPORT_MD: report_markdown(inputs).encode(),
            REPORT_HTML: render_html(inputs).encode(),
            REPORT_SARIF: sarif_bytes(inputs),
            REPORT_JUNIT: junit_bytes(inputs),
        }
