"""The review outputs of the fixture project: each against its schema or parser, and escaped.

The example stacks' outputs are checked the same way in ``tests/scripts/commands/test_integration.py``
(they need the real program); these cases mutate what the fixture plans hold to reach every branch.
"""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from junitparser import Failure, JUnitXml, Skipped
from preview_helpers import PACK, PROJECT, load, plan_args, tvt, write_json

from scripts.commands.pipeline import CheckOptions, run_report
from scripts.review.findings import FINDINGS_SCHEMA, Source
from scripts.review.report import COMMENT_LIMIT, fit
from scripts.review.sarif import SARIF_VERSION
from tests.scripts.review.report_checks import (
    check_html,
    check_junit,
    check_markdown,
    check_sarif,
    sarif_validator,
)

L3_STORAGE = "urn:pulumi:violate::tvt-platform::azure-native:storage:StorageAccount::l3-storage"
EXEMPTION = {
    "resource": L3_STORAGE,
    "reason": "Public read for the published statistics, agreed by the partnership board.",
    "approver": "Head of Information Governance",
    "expires": "2026-07-01",
}


@pytest.fixture(scope="module")
def exempted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``violate`` with its mandatory finding exempted: a suppression, a skipped case, an expiring item."""
    mp = pytest.MonkeyPatch()
    mp.setenv("TVT_TODAY", "2026-06-01")
    base = tmp_path_factory.mktemp("exempted")
    config = write_json(base / "policy.json", {"storage-no-public-access": {"exemptions": [EXEMPTION]}})
    from scripts.commands.pipeline import PlanOptions, run_plan

    options = PlanOptions("violate", base / "out", PROJECT, PACK, config, "inprocess")
    assert run_plan(options, out=io.StringIO(), err=io.StringIO()) == 0
    mp.undo()
    return base / "out"


@pytest.mark.parametrize("stack", ["clean", "violate"])
def test_every_output_passes_its_schema_or_parser(planned: dict[str, Path], stack: str) -> None:
    out = planned[stack]
    jsonschema.validate(load(out / "findings.json"), FINDINGS_SCHEMA)
    check_sarif(out / "report.sarif", load(out / "findings.json"))
    check_junit(out / "report.junit.xml")
    check_markdown(out / "report.md")
    check_html(out / "report.html")


def test_findings_summary_counts_every_evaluation(planned: dict[str, Path]) -> None:
    summary = load(planned["violate"] / "findings.json")["summary"]
    assert summary["verdict"] == "FAIL" and summary["pack"] == {"name": "tvt-fixture", "version": "0.0.1"}
    assert (summary["judged"], summary["policyConfig"]) == ("2026-06-01", "pack defaults")
    assert summary["findings"] == {"total": 3, "mandatory": 1, "advisory": 2, "exempted": 0}
    evaluations = summary["evaluations"]
    # storage-tls passes on the account; the stack rule passes for the stack (the account is protected).
    assert evaluations["pass"] >= 2 and evaluations["fail"] == 3 and evaluations["exempted"] == 0
    junit = JUnitXml.fromfile(str(planned["violate"] / "report.junit.xml"))
    assert junit.tests == evaluations["pass"] + evaluations["fail"] + evaluations["exempted"]


def test_an_exempted_finding_is_a_sarif_suppression_and_a_skipped_case(exempted: Path) -> None:
    sarif = load(exempted / "report.sarif")
    (result,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "storage-no-public-access"]
    assert result["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": f"{EXEMPTION['reason']} (approved by {EXEMPTION['approver']} until 2026-07-01)",
        }
    ]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "__main__.py" and location["region"]["startLine"] > 1
    junit = JUnitXml.fromfile(str(exempted / "report.junit.xml"))
    cases = {(s.name, c.name): c for s in junit for c in s}
    case = cases[("storage-no-public-access", "azure-native:storage:StorageAccount l3-storage")]
    assert isinstance(case.result[0], Skipped) and EXEMPTION["approver"] in case.result[0].message
    html = (exempted / "report.html").read_text()
    expiring = html.split('id="expiring"')[1].split("</section>")[0]
    assert "storage-no-public-access" in expiring and ">30</td>" in expiring, "30 days left: expiring soon"


def test_an_exempted_finding_of_a_mandatory_rule_says_so_everywhere(
    exempted: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The exemption lowers the one finding to advisory (so it does not block), but the rule is
    still mandatory: every report said "advisory", as though the rule were weak."""
    (finding,) = [
        f for f in load(exempted / "findings.json")["findings"] if f["rule"] == "storage-no-public-access"
    ]
    assert (finding["enforcement"], finding["ruleEnforcement"]) == ("advisory", "mandatory")
    sarif = load(exempted / "report.sarif")
    (result,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "storage-no-public-access"]
    # a warning (GitHub keeps a suppressed result open, and an error would fail its check), suppressed,
    # with the rule's own level beside it
    assert result["level"] == "warning" and result["suppressions"]
    assert result["properties"]["ruleEnforcement"] == "mandatory"
    markdown = (exempted / "report.md").read_text()
    assert "| storage-no-public-access | exempted (mandatory rule) |" in markdown
    html = (exempted / "report.html").read_text()
    assert "<strong>storage-no-public-access</strong>" in html
    header = html.split("<strong>storage-no-public-access</strong>", 1)[1].split("</p>", 1)[0]
    assert "&mdash; mandatory, severity" in header, header
    monkeypatch.setenv("TVT_TODAY", "2026-06-01")
    config = exempted.parent / "policy.json"
    run = tvt(plan_args("violate", tmp_path / "out", "--policy-config", str(config)), capsys)
    assert run.code == 0, run.out + run.err
    assert "storage-no-public-access [exempted (mandatory rule)]: 1" in run.out, "the terminal's summary"


def test_a_violation_is_a_junit_failure_with_its_message(planned: dict[str, Path]) -> None:
    junit = JUnitXml.fromfile(str(planned["violate"] / "report.junit.xml"))
    failures = {
        (suite.name, case.name): case.result[0]
        for suite in junit
        for case in suite
        if case.result and isinstance(case.result[0], Failure)
    }
    failure = failures[("storage-no-public-access", "azure-native:storage:StorageAccount l3-storage")]
    assert failure.type == "mandatory" and "allowBlobPublicAccess must be false" in failure.message


def test_sarif_rules_are_the_pack_s_policies(planned: dict[str, Path]) -> None:
    sarif = load(planned["violate"] / "report.sarif")
    assert sarif["version"] == SARIF_VERSION
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [
        "storage-no-public-access",
        "storage-tls",
        "owner-tag",
        "storage-protected",
    ]
    assert (
        rules[0]["properties"]["security-severity"] == "8.0"
        and rules[0]["defaultConfiguration"]["level"] == "error"
    )
    assert rules[2]["defaultConfiguration"]["level"] == "warning"


def test_the_schema_check_can_fail(planned: dict[str, Path]) -> None:
    sarif = load(planned["violate"] / "report.sarif")
    sarif["runs"][0]["results"][0]["level"] = "fatal"
    assert list(sarif_validator().iter_errors(sarif)), "the official schema must refuse an unknown level"


HOSTILE = "evil\x1b[2J<script>alert(1)</script>|`**x**`\nFAKE: PASS"


def test_config_and_plan_text_cannot_add_markup_or_terminal_control(
    planned: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = load(planned["violate"] / "plan.json")
    (tmp_path / "config").mkdir()
    config = write_json(
        tmp_path / "config" / "policy.json",
        {"storage-no-public-access": {"exemptions": [{**EXEMPTION, "approver": HOSTILE}]}},
    )
    (tmp_path / "report").mkdir()  # tvt report replaces the plan's directory: nothing else may be in it
    path = write_json(tmp_path / "report" / "plan.json", plan)
    options = CheckOptions(path, PROJECT, PACK, config, analyzer="inprocess")
    out = io.StringIO()
    assert run_report(options, None, out=out, err=io.StringIO()) == 0
    tmp_path = tmp_path / "report"
    for name in ("report.md", "report.html", "report.sarif", "report.junit.xml", "findings.json"):
        text = (tmp_path / name).read_text()
        assert "\x1b" not in text, f"{name} carries a raw escape"
    assert "\x1b" not in out.getvalue() and "\nFAKE: PASS" not in out.getvalue()
    html = (tmp_path / "report.html").read_text()
    assert "<script>" not in html and "&lt;script&gt;" in html
    md = (tmp_path / "report.md").read_text()
    assert "<script>" not in md and "&lt;script&gt;" in md
    check_markdown(tmp_path / "report.md")  # the approver's "|" did not add a column
    check_sarif(tmp_path / "report.sarif", load(tmp_path / "findings.json"))
    check_junit(tmp_path / "report.junit.xml")


def test_report_md_is_cut_at_the_comment_limit_with_a_pointer() -> None:
    sections = [["# head", "", "**Result: FAIL**"], [f"| row {i} | {'x' * 80} |" for i in range(2000)]]
    text = fit(sections)
    assert len(text) <= COMMENT_LIMIT
    assert text.startswith("# head") and "truncated" in text and "`report.html`" in text
    assert text.splitlines()[-3].startswith("| row "), "whole lines are kept"
    short = fit([["# head"], ["| a |"]])
    assert short == "# head\n| a |" and "truncated" not in short


def test_a_long_real_report_stays_under_the_limit(planned: dict[str, Path], tmp_path: Path) -> None:
    plan = load(planned["violate"] / "plan.json")
    resources = plan["deployment"]["resources"]
    account = next(r for r in resources if r["type"] == "azure-native:storage:StorageAccount")
    for i in range(400):  # 400 more public accounts: 400 more mandatory findings
        twin = json.loads(json.dumps(account))
        twin["urn"] = account["urn"] + f"-{i}"
        resources.append(twin)
    path = write_json(tmp_path / "plan.json", plan)
    assert (
        run_report(
            CheckOptions(path, PROJECT, PACK, analyzer="inprocess"), None, io.StringIO(), io.StringIO()
        )
        == 1
    )
    md = (tmp_path / "report.md").read_text()
    assert len(md) <= COMMENT_LIMIT and "This comment is truncated" in md
    assert md.startswith(
        "# Policy report: tvt-platform / violate\n\n**Result: FAIL** (401 mandatory violations)"
    )
    check_html(tmp_path / "report.html")


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        ("project:///components/network.py#272", Source("components/network.py", 272)),
        ("project:///components/network.py#272,9", Source("components/network.py", 272)),
        ("file:///abs/main.py#3", Source("/abs/main.py", 3)),
        ("project:///x.py#0", None),
        ("components/network.py:272", None),
        ("", None),
    ],
)
def test_source_positions_in_the_engine_s_forms(position: str, expected: Source | None) -> None:
    assert Source.parse(position) == expected


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fetches: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in {"script", "link", "img", "iframe", "object", "embed", "source", "video", "audio"}:
            self.fetches.append(f"<{tag} {values}>")


def test_html_fetches_nothing(planned: dict[str, Path]) -> None:
    parser = _Links()
    html = (planned["violate"] / "report.html").read_text()
    parser.feed(html)
    assert parser.fetches == [] and "url(" not in html and "@import" not in html


def test_tvt_report_writes_beside_the_plan_and_keeps_its_bytes(
    planned: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "saved" / "plan.json"
    plan.parent.mkdir()
    plan.write_bytes((planned["clean"] / "plan.json").read_bytes())
    run = tvt(
        ["report", str(plan), "--root", str(PROJECT), "--pack", str(PACK), "--analyzer", "inprocess"], capsys
    )
    assert run.code == 0, run.err
    assert run.out.startswith("tvt report: stack clean: PASS")
    assert sorted(p.name for p in plan.parent.iterdir()) == sorted(p.name for p in planned["clean"].iterdir())
    assert plan.read_bytes() == (planned["clean"] / "plan.json").read_bytes()
    for name in ("findings.json", "report.md", "report.html", "report.sarif", "report.junit.xml"):
        assert (plan.parent / name).read_bytes() == (planned["clean"] / name).read_bytes(), name


def test_tvt_report_of_a_broken_plan_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text('{"version": 3}')
    run = tvt(
        ["report", str(plan), "--root", str(PROJECT), "--pack", str(PACK), "--analyzer", "inprocess"], capsys
    )
    assert (
        run.code == 2 and f"{plan}: deployment: expected an object" in run.err and "Traceback" not in run.err
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json"]


def test_plan_args_still_write_the_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert tvt(plan_args("clean", tmp_path / "out"), capsys).code == 0
    check_html(tmp_path / "out" / "report.html")
