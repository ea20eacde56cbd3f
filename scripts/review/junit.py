"""``report.junit.xml``: every rule x resource evaluation as a JUnit test case, for CI test tabs.

One ``testsuite`` per rule, one ``testcase`` per resource it answered for: a violation is a
``failure`` (its message and the remediation), an exempted finding is ``skipped`` (with the
exemption's reason, approver and expiry), a pass has neither. Pairs where the rule does not apply
are not test cases: nothing was tested. Control characters become visible escapes, which also
keeps the XML well-formed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from scripts.review.findings import Outcome, Result
from scripts.review.markup import oneline
from scripts.review.report import ReportInputs


def _case(result: Result) -> ET.Element:
    case = ET.Element("testcase", classname=result.rule, name=oneline(f"{result.type} {result.name}"))
    found = result.findings
    first = found[0] if found else None
    if first is not None and first.source is not None:
        case.set("file", first.source.file)
        case.set("line", str(first.source.line))
    if result.outcome is Outcome.FAIL and first is not None:
        failing = [f for f in found if not f.exempted]
        body = "\n".join(oneline(f.message) for f in failing)
        if first.remediation:
            body += f"\nremediation: {oneline(first.remediation)}"
        failure = ET.SubElement(
            case, "failure", message=oneline(failing[0].message), type=failing[0].enforcement
        )
        failure.text = body
    elif result.outcome is Outcome.EXEMPTED and first is not None and first.exemption is not None:
        e = first.exemption.exemption
        ET.SubElement(
            case,
            "skipped",
            message=oneline(f"exempted: {e.reason} (approved by {e.approver} until {e.expires.isoformat()})"),
        )
    ET.SubElement(case, "system-out").text = oneline(result.urn)
    return case


def _suite(rule: str, results: Sequence[Result]) -> ET.Element:
    cases = [_case(r) for r in results]
    failures = sum(r.outcome is Outcome.FAIL for r in results)
    skipped = sum(r.outcome is Outcome.EXEMPTED for r in results)
    suite = ET.Element(
        "testsuite",
        name=rule,
        tests=str(len(cases)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
    )
    suite.extend(cases)
    return suite


def junit_bytes(inputs: ReportInputs) -> bytes:
    tested = [r for r in inputs.review.results if r.outcome is not Outcome.NOT_APPLICABLE]
    by_rule: dict[str, list[Result]] = {}
    for r in tested:
        by_rule.setdefault(r.rule, []).append(r)
    suites = [_suite(rule, results) for rule, results in by_rule.items()]
    root = ET.Element(
        "testsuites",
        name=oneline(f"tvt policy evaluation: {inputs.plan.project} / {inputs.plan.stack}"),
        tests=str(len(tested)),
        failures=str(sum(r.outcome is Outcome.FAIL for r in tested)),
        errors="0",
        skipped=str(sum(r.outcome is Outcome.EXEMPTED for r in tested)),
    )
    root.extend(suites)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"
