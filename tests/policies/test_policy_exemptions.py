"""Exemptions: valid ones downgrade and label, expired ones don't and are findings, malformed ones fail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jsonschema
import pytest

from policies.exemptions import (
    EXEMPTIONS_SCHEMA,
    MAX_EXEMPTION_DAYS,
    Exemption,
    ExemptionError,
    parse_exemptions,
)
from policies.pack import make_analyzer
from tests.conftest import TODAY, TODAY_DATE
from tests.policies.baselines import compliant_stack
from tests.policies.harness import analyzer, configure_request, run

STACK = compliant_stack()
WORKSPACE_GLOB = "urn:pulumi:prod::tvt-platform::azure-native:operationalinsights:Workspace::*"
REASON = "CMK for Log Analytics needs a dedicated cluster, which our volume does not justify."


def exemption(**overrides: Any) -> dict[str, Any]:
    base = {"resource": WORKSPACE_GLOB, "reason": REASON, "approver": "TVT SIRO", "expires": "2027-03-31"}
    return {**base, **overrides}


def cmk(*exemptions: dict[str, Any]) -> dict[str, Any]:
    return {"encryption-cmk-same-level": {"exemptions": list(exemptions)}}


def test_valid_exemption_reports_advisory_with_who_until_when_why() -> None:
    findings = [f for f in run(analyzer(cmk(exemption())), STACK) if f.rule == "encryption-cmk-same-level"]
    assert len(findings) == 1, "an exemption must never hide the finding"
    finding = findings[0]
    assert finding.level == "advisory"
    assert finding.urn == STACK["audit-workspace"].urn
    assert finding.exempted and finding.shown.startswith(
        f"EXEMPTED (approved by TVT SIRO until 2027-03-31: {REASON}) "
    )
    assert "not encrypted with a customer-managed key" in finding.message


def test_exemption_valid_through_its_expiry_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TVT_TODAY", "2027-03-31")
    findings = [
        f
        for f in run(analyzer(cmk(exemption())), STACK)
        if f.rule.startswith(("encryption-cmk", "exemption"))
    ]
    assert [(f.rule, f.level) for f in findings] == [("encryption-cmk-same-level", "advisory")]


def test_expired_exemption_keeps_level_and_is_itself_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TVT_TODAY", "2027-04-01")
    findings = run(analyzer(cmk(exemption())), STACK)
    cmk_findings = [f for f in findings if f.rule == "encryption-cmk-same-level"]
    assert [f.level for f in cmk_findings] == ["mandatory"]
    assert cmk_findings[0].shown.endswith(" (exemption expired 2027-03-31)")
    expired = [f for f in findings if f.rule == "exemption-expired"]
    assert len(expired) == 1 and expired[0].level == "mandatory"
    assert "approved by TVT SIRO expired 2027-03-31" in expired[0].message


def test_exemption_only_covers_matching_resources() -> None:
    other = exemption(resource="urn:pulumi:prod::tvt-platform::azure-native:storage:StorageAccount::*")
    findings = run(analyzer(cmk(other)), STACK)
    assert [f.level for f in findings if f.rule == "encryption-cmk-same-level"] == ["mandatory"]
    assert [f.rule for f in findings if f.rule.startswith("exemption-")] == []


def test_exemption_is_per_rule() -> None:
    config = {"encryption-infrastructure": {"exemptions": [exemption()]}}
    findings = run(analyzer(config), STACK)
    assert [f.level for f in findings if f.rule == "encryption-cmk-same-level"] == ["mandatory"]


def test_latest_valid_exemption_is_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TVT_TODAY", "2027-01-01")
    old = exemption(expires="2026-12-31", approver="Old approver")
    findings = run(analyzer(cmk(old, exemption())), STACK)
    cmk_findings = [f for f in findings if f.rule == "encryption-cmk-same-level"]
    assert cmk_findings[0].shown.startswith("EXEMPTED (approved by TVT SIRO until 2027-03-31")
    assert [f.rule for f in findings if f.rule == "exemption-expired"] == ["exemption-expired"]


MALFORMED = [
    pytest.param(
        {"reason": REASON, "approver": "TVT SIRO", "expires": "2027-03-31"}, "resource", id="no resource"
    ),
    pytest.param(exemption(resource="*"), "resource", id="bare glob"),
    pytest.param(exemption(resource="urn:pulumi:*"), "resource", id="every resource of every stack"),
    pytest.param(exemption(resource="urn:pulumi:prod::tvt-platform::*"), "resource", id="no resource type"),
    pytest.param(
        exemption(resource="urn:pulumi:prod::tvt-platform::azure-native:*"),
        "resource",
        id="type glob, not a type",
    ),
    pytest.param(
        exemption(resource="urn:pulumi:*azure-native:storage:StorageAccount::*"),
        "resource",
        id="type not after ::",
    ),
    pytest.param(
        exemption(resource="urn:pulumi:prod::tvt-platform::*[*azure-native:storage:StorageAccount::.]*"),
        "resource",
        id="a character class that matches every URN",
    ),
    pytest.param(exemption(reason="approved"), "reason", id="one-word reason"),
    pytest.param(exemption(approver=""), "approver", id="no approver"),
    pytest.param(exemption(expires="31/03/2027"), "expires", id="not ISO date"),
    pytest.param(exemption(expires="2027-02-30"), "expires", id="impossible date"),
    pytest.param({**exemption(), "until": "forever"}, "unknown field", id="unknown field"),
]


@pytest.mark.parametrize(("item", "where"), MALFORMED)
def test_malformed_exemption_fails_schema_and_parser(item: dict[str, Any], where: str) -> None:
    validator = jsonschema.Draft202012Validator(EXEMPTIONS_SCHEMA, format_checker=jsonschema.FormatChecker())
    assert list(validator.iter_errors([item])), f"schema accepted {item}"
    with pytest.raises(ExemptionError, match=where):
        parse_exemptions("encryption-cmk-same-level", [item])


@pytest.mark.parametrize(("item", "where"), MALFORMED)
def test_configure_rejects_malformed_exemption(item: dict[str, Any], where: str) -> None:
    with pytest.raises(ExemptionError, match=r"encryption-cmk-same-level\.exemptions\[0\]") as raised:
        make_analyzer().Configure(configure_request(cmk(item)), None)
    assert where in str(raised.value)


def test_configure_rejects_exemptions_for_unknown_rules() -> None:
    request = configure_request({})
    request.policyConfig["encryption-tsl"].properties.update({"exemptions": [exemption()]})
    with pytest.raises(ExemptionError, match="encryption-tsl is not a policy of pack"):
        make_analyzer().Configure(request, None)


def test_parsed_exemption() -> None:
    (parsed,) = parse_exemptions("r", [exemption()])
    assert parsed == Exemption("r", WORKSPACE_GLOB, REASON, "TVT SIRO", dt.date(2027, 3, 31))
    assert parsed.matches(STACK["audit-workspace"].urn)
    assert not parsed.matches(STACK["audit-archive-account"].urn)
    assert not parsed.matches("")
    assert parse_exemptions("r", None) == ()
    with pytest.raises(ExemptionError, match="expected a list"):
        parse_exemptions("r", {"resource": WORKSPACE_GLOB})


SCOPES = [
    pytest.param(WORKSPACE_GLOB, True, id="one type, any name"),
    pytest.param(
        "urn:pulumi:prod::tvt-platform::tvt:platform:Platform$tvt:audit:AuditServices$tvt:storage:SecureStorage"
        "$azure-native:storage:StorageAccount::audit-archive-account",
        True,
        id="full parent chain, as copied from a plan",
    ),
    pytest.param("urn:pulumi:prod::tvt-platform::azure-native:keyvault:Vault::l3-*", True, id="name prefix"),
    pytest.param("urn:pulumi:*::tvt-platform::azure-native:keyvault:Vault::l3-*", False, id="any stack"),
    pytest.param("urn:pulumi:prod::*::azure-native:keyvault:Vault::l3-*", False, id="any project"),
    pytest.param(
        "urn:pulumi:prod::tvt-platform::*azure-native:keyvault:Vault::*", False, id="any parent chain"
    ),
    pytest.param("urn:pulumi:*", False, id="urn:pulumi:*"),
    pytest.param("*", False, id="*"),
    pytest.param("urn:pulumi:prod::tvt-platform::*::*", False, id="any type"),
    pytest.param("urn:pulumi:prod::tvt-platform::azure-native:storage:*::*", False, id="module only"),
    pytest.param("urn:pulumi:prod::tvt-platform::tvt:storage:SecureStorage::*", False, id="component type"),
    pytest.param(
        "urn:pulumi:prod::tvt-platform::azure-native:keyvault:Vault::l[13]-*", False, id="class in name"
    ),
    pytest.param("urn:pulumi:prod::tvt-platform::azure-native:keyvault:Vault::l?-*", False, id="? in name"),
    pytest.param(
        "urn:pulumi:prod::tvt-platform::*[*azure-native:storage:StorageAccount::.]*",
        False,
        id="character class hiding a type",
    ),
]


@pytest.mark.parametrize(("resource", "accepted"), SCOPES)
def test_schema_and_parser_agree_on_resource_scope(resource: str, accepted: bool) -> None:
    validator = jsonschema.Draft202012Validator(EXEMPTIONS_SCHEMA, format_checker=jsonschema.FormatChecker())
    schema_ok = not list(validator.iter_errors([exemption(resource=resource)]))
    try:
        parse_exemptions("r", [exemption(resource=resource)], TODAY_DATE)
        parser_ok = True
    except ExemptionError as error:
        parser_ok = False
        assert str(error).startswith("r.exemptions[0].resource: ") and "'*' only in the name" in str(error)
    assert (schema_ok, parser_ok) == (accepted, accepted)


@pytest.mark.parametrize("stack", ["dev", "test", "prod"])
def test_a_name_pattern_cannot_reach_another_type_or_stack(stack: str) -> None:
    """The character-class trick of issue 7 exempted every resource; a pattern now matches its type only."""
    urns = [r.urn for r in compliant_stack(stack).resources.values()]
    pattern = f"urn:pulumi:{stack}::tvt-platform::azure-native:storage:StorageAccount::*"
    (parsed,) = parse_exemptions("r", [exemption(resource=pattern)], TODAY_DATE)
    matched = [u for u in urns if parsed.matches(u)]
    assert matched and all("azure-native:storage:StorageAccount::" in u for u in matched)
    assert all(not parsed.matches(u.replace(f"urn:pulumi:{stack}::", "urn:pulumi:other::")) for u in matched)


def test_expiry_at_most_366_days_ahead() -> None:
    latest = TODAY_DATE + dt.timedelta(days=MAX_EXEMPTION_DAYS)
    (ok,) = parse_exemptions("r", [exemption(expires=latest.isoformat())], TODAY_DATE)
    assert ok.expires == latest
    too_far = (latest + dt.timedelta(days=1)).isoformat()
    with pytest.raises(ExemptionError) as raised:
        parse_exemptions("r", [exemption(expires=too_far)], TODAY_DATE)
    assert str(raised.value) == (
        f"r.exemptions[0].expires: {too_far} is more than 366 days after today ({TODAY}); an exemption "
        "may run until 2027-06-02 at the latest, then be renewed"
    )
    # The schema cannot compute dates; it says so, and the analyzer enforces it.
    assert "366 days" in EXEMPTIONS_SCHEMA["items"]["properties"]["expires"]["description"]


def test_configure_rejects_an_expiry_too_far_ahead() -> None:
    with pytest.raises(
        ExemptionError, match=r"encryption-cmk-same-level\.exemptions\[0\]\.expires: 2030-01-01"
    ):
        make_analyzer().Configure(configure_request(cmk(exemption(expires="2030-01-01"))), None)


def test_expiry_limit_counts_from_the_pinned_day(monkeypatch: pytest.MonkeyPatch) -> None:
    # The same exemption is acceptable a year later: the limit moves with today, never the expiry.
    monkeypatch.setenv("TVT_TODAY", "2029-03-01")
    analyzer(cmk(exemption(expires="2030-01-01")))
