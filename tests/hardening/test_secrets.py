"""Issue 11 §3: secrets never leak. Plain credentials are refused; every secret, ``secure:`` value
and Output marked secret is redacted in every file tvt writes and everything it prints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hardening_helpers import (
    PACK,
    Run,
    assert_bad_input,
    copy_project,
    files_under,
    load,
    plan_args,
    secret,
    stack_text,
    tvt,
    write,
)

CIPHERTEXT = "AAABAKnownCiphertextOfTheClientSecret0123456789"
PROGRAM_SECRET = "s3cr3t-value"  # the fixture program's Output.secret (container metadata)
PLAINTEXT = "KnownPlaintextOfAnExportedSecret"


def _validate(root: Path, extra: str) -> Run:
    (root / "stacks").mkdir(parents=True, exist_ok=True)
    write(root / "stacks" / "Pulumi.clean.yaml", stack_text() + extra)
    return tvt("validate", "--stack", "clean", "--root", root)


@pytest.mark.parametrize(
    ("line", "path", "command"),
    [
        (
            "azure-native:clientSecret: hunter2-plain",
            "azure-native:clientSecret",
            "--secret azure-native:clientSecret",
        ),
        (
            "azure-native:clientCertificatePassword: hunter2-plain",
            "azure-native:clientCertificatePassword",
            "--secret",
        ),
        (
            "azure-native:oidcToken: hunter2-plain",
            "azure-native:oidcToken",
            "--secret azure-native:oidcToken",
        ),
        ("azure-native:oidcRequestToken: hunter2-plain", "azure-native:oidcRequestToken", "--secret"),
        ("pulumi:apiKey: hunter2-plain", "pulumi:apiKey", "--secret pulumi:apiKey"),
        (
            "azure-native:nested: {db: {password: hunter2-plain}}",
            "azure-native:nested.db.password",
            "--secret --path",
        ),
        ("azure-native:tokens: {token: [hunter2-plain]}", "azure-native:tokens.token[0]", "--secret --path"),
    ],
)
def test_a_credential_in_plain_text_is_refused_without_repeating_it(
    tmp_path: Path, line: str, path: str, command: str
) -> None:
    run = _validate(tmp_path, f"  {line}\n")
    assert_bad_input(run, f"stacks/Pulumi.clean.yaml: {path}: expected a secret, got plain text")
    assert f"pulumi config set {command}" in run.err
    assert "hunter2" not in run.text


@pytest.mark.parametrize(
    "line",
    [
        f"azure-native:clientSecret:\n    secure: {CIPHERTEXT}",
        "azure-native:useOidc: true",
        "azure-native:oidcTokenFilePath: /var/run/secrets/token",
        "azure-native:clientId: 00000000-0000-4000-8000-000000000042",
        'azure-native:clientSecret: ""',
    ],
)
def test_secure_values_and_settings_that_are_not_credentials_pass(tmp_path: Path, line: str) -> None:
    run = _validate(tmp_path, f"  {line}\n")
    assert run.code == 0, run.err


# --- a planted secret in every output ---------------------------------------------------------------


def _every_output(tmp_path: Path) -> tuple[list[str], dict[str, bytes]]:
    """Run every command over a project holding all three kinds of secret; what they printed and wrote."""
    root = copy_project(tmp_path / "project")
    write(
        root / "stacks" / "Pulumi.clean.yaml",
        stack_text() + f"  azure-native:clientSecret:\n    secure: {CIPHERTEXT}\n",
    )
    plan_out, report_out = tmp_path / "out", tmp_path / "report"
    printed: list[str] = []

    def run(*argv: str | Path, codes: tuple[int, ...] = (0, 1)) -> None:
        result = tvt(*argv)
        assert result.code in codes and "Traceback" not in result.text, (argv, result.text)
        printed.append(result.text)

    run(*plan_args("clean", plan_out, root))
    plan = plan_out / "plan.json"
    # A saved plan as ``pulumi stack export --show-secrets`` would hold it: the secret in plaintext.
    exported = load(plan)
    for resource in exported["deployment"]["resources"]:
        for key, value in list(resource.get("inputs", {}).items()):
            if isinstance(value, dict) and value.get("plaintext"):
                resource["inputs"][key] = secret(json.dumps(PLAINTEXT))
    (tmp_path / "exported").mkdir()
    shown = write(tmp_path / "exported" / "plan.json", json.dumps(exported))
    saved = ["--root", str(root), "--pack", str(PACK), "--analyzer", "inprocess"]
    for target in (plan, shown):
        run("check", target, *saved)
        run("check", target, "--format", "json", *saved)
    run("report", shown, "--out", report_out, *saved)
    for fmt in ("text", "json", "md"):
        run("diff", plan, shown, "--format", fmt)
        run("diff", shown, plan, "--format", fmt)
    return printed, files_under(tmp_path)


def test_no_secret_reaches_any_file_or_stream(tmp_path: Path) -> None:
    printed, written = _every_output(tmp_path)
    project = {name for name in written if name.startswith(("project/", "exported/"))}
    outputs = {name: data for name, data in written.items() if name not in project}
    assert {"out/plan.json", "out/findings.json", "out/report.md", "report/report.html"} <= set(outputs)
    for known in (CIPHERTEXT, PROGRAM_SECRET, PLAINTEXT):
        leaks = [name for name, data in outputs.items() if known.encode() in data]
        leaks += [f"stream {i}" for i, text in enumerate(printed) if known in text]
        assert leaks == [], f"{known} leaked into {leaks}"
    plan = load(tmp_path / "out" / "plan.json")
    provider = next(r for r in plan["deployment"]["resources"] if r["type"].startswith("pulumi:providers:"))
    assert provider["inputs"]["clientSecret"]["plaintext"] == '"[secret]"', "the ciphertext is redacted"


def test_the_programs_log_and_failures_are_redacted(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    main = (root / "__main__.py").read_text()
    main = main.replace(
        'pulumi.log.error("level 3 has no key vault configured")',
        f'pulumi.log.error("the key is {PROGRAM_SECRET}")',
    )
    main = main.replace(
        '    raise pulumi.RunError("stacks/Pulumi.broken.yaml: tvt:levels: expected levels 1, 2 and 3")',
        '    raise RuntimeError("config was " + str(pulumi.Config("azure-native").get("clientSecret")))',
    )
    write(root / "__main__.py", main)
    for stack in ("logerror", "broken"):
        write(
            root / "stacks" / f"Pulumi.{stack}.yaml",
            stack_text(stack) + f"  azure-native:clientSecret:\n    secure: {CIPHERTEXT}\n",
        )
        run = tvt(*plan_args(stack, tmp_path / stack, root))
        assert_bad_input(run, "[secret]")
        assert PROGRAM_SECRET not in run.text and CIPHERTEXT not in run.text, run.err
