"""``report.sarif``: the findings as SARIF 2.1.0, so code scanning annotates the declaring line.

One ``rule`` per policy of the pack (id, title, description, remediation as help, docs URL,
controls as tags, a GitHub ``security-severity``), one ``result`` per finding, located at the file
and line of the program that declared the resource (the plan's ``sourcePosition``). A finding with
no declaring code (a stack-wide one) points at the stack file. An exempted finding carries an
accepted ``suppression`` whose justification names the reason, approver and expiry.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from scripts.engine.policy_config import PolicyInfo
from scripts.review.findings import Finding
from scripts.review.markup import oneline
from scripts.review.report import ReportInputs

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SOURCE_ROOT = "%SRCROOT%"
# GitHub ranks code-scanning alerts by this property (0.1-10): critical > 9, high 7-8.9, medium 4-6.9.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


def level(enforcement: str) -> str:
    """SARIF's level for an enforcement: a mandatory finding blocks (error), anything else warns."""
    return "error" if enforcement in {"mandatory", "remediate"} else "warning"


def _rule(policy: PolicyInfo) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": policy.name,
        "name": "".join(part.capitalize() for part in policy.name.split("-")),
        "shortDescription": {"text": oneline(policy.title or policy.description)},
        "fullDescription": {"text": oneline(policy.description)},
        "help": {"text": oneline(policy.remediation or policy.description)},
        "defaultConfiguration": {"level": level(policy.enforcement)},
        "properties": {
            "tags": ["security", *policy.controls],
            "enforcement": policy.enforcement,
            "severity": policy.severity,
            "precision": "very-high",
        },
    }
    if policy.url.startswith("https://"):
        rule["helpUri"] = policy.url
    if policy.severity in SECURITY_SEVERITY:
        rule["properties"]["security-severity"] = SECURITY_SEVERITY[policy.severity]
    return rule


def _location(finding: Finding, stack_file: str) -> dict[str, Any]:
    file, line = (finding.source.file, finding.source.line) if finding.source else (stack_file, 1)
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": file, "uriBaseId": SOURCE_ROOT},
            "region": {"startLine": line},
        },
        "logicalLocations": [{"fullyQualifiedName": oneline(finding.urn), "kind": "resource"}],
    }


def _result(finding: Finding, index: int, stack_file: str) -> dict[str, Any]:
    fingerprint = hashlib.sha256(f"{finding.rule}\0{finding.urn}\0{finding.message}".encode()).hexdigest()
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index,
        # An exempted finding stays at the level it was reported at (advisory: a warning) with its
        # accepted suppression: GitHub code scanning keeps a suppressed result open unless the
        # repository dismisses suppressions, and an error there is a failing check.
        "level": level(finding.enforcement),
        "message": {"text": oneline(f"{finding.name} ({finding.type}): {finding.message}")},
        "locations": [_location(finding, stack_file)],
        "partialFingerprints": {"tvtFinding/v1": fingerprint},
        "properties": {
            "urn": oneline(finding.urn),
            "configKeys": list(finding.config_keys),
            "ruleEnforcement": finding.rule_enforcement or finding.enforcement,
        },
    }
    if finding.exemption is not None and finding.exempted:
        e = finding.exemption.exemption
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": oneline(
                    f"{e.reason} (approved by {e.approver} until {e.expires.isoformat()})"
                ),
            }
        ]
    return result


def sarif_document(inputs: ReportInputs) -> dict[str, Any]:
    evaluation = inputs.review.evaluation
    policies = list(evaluation.pack.policies.values())
    index = {p.name: i for i, p in enumerate(policies)}
    stack_file = inputs.facts.source or f"stacks/Pulumi.{inputs.plan.stack}.yaml"
    results = [_result(f, index[f.rule], stack_file) for f in inputs.review.findings if f.rule in index]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": evaluation.pack.name,
                        "version": evaluation.pack.version,
                        "rules": [_rule(p) for p in policies],
                    }
                },
                # One category per stack: code scanning keeps each stack's alerts apart.
                "automationDetails": {"id": f"tvt-plan/{inputs.plan.stack}/"},
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "properties": {
                            "policyConfig": inputs.judged.config_label,
                            "judged": inputs.judged.today,
                        },
                    }
                ],
                "results": results,
            }
        ],
    }


def sarif_bytes(inputs: ReportInputs) -> bytes:
    return (json.dumps(sarif_document(inputs), indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
