"""``load_program_config`` inside the Pulumi program: the engine's config, the same validation, RunError."""

from __future__ import annotations

import contextvars
import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pytest
from pulumi.runtime import config as runtime_config

from components.config.load import load_program_config, load_stack, read_stack_file, stack_file
from components.config.model import StackConfig


def engine_config(config: Mapping[str, Any]) -> dict[str, str]:
    """What the engine hands a program: every value a string, objects, lists and numbers as JSON."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}


def in_program(
    config: Mapping[str, str], *, stack: str = "prod", secret_keys: list[str] | None = None
) -> Callable[[], StackConfig]:
    """Run load_program_config with ``config`` set the way the language host sets it, then restore it."""

    def call() -> StackConfig:
        context = contextvars.copy_context()  # set_all_config writes context variables: keep them local

        def body() -> StackConfig:
            runtime_config.set_all_config(dict(config), secret_keys or [])
            return load_program_config()

        return context.run(body)

    return call


@pytest.fixture(autouse=True)
def stack_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pulumi, "get_stack", lambda: "prod")
    monkeypatch.delenv("PULUMI_CONFIG", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_SECRET_KEYS", raising=False)


def test_program_config_equals_the_validated_file() -> None:
    file_config = read_stack_file(stack_file("prod"))
    cfg = in_program(engine_config(file_config))()
    assert cfg == load_stack("prod")
    assert cfg.source == "stacks/Pulumi.prod.yaml"
    assert cfg.use_case("UC-2026-001").expires == dt.date(2027, 9, 30)


def test_program_config_merges_the_environment_bag(
    monkeypatch: pytest.MonkeyPatch, base: dict[str, Any]
) -> None:
    encoded = engine_config(base)
    from_env = {k: encoded.pop(k) for k in ("tvt:audit", "tvt:levels", "tvt:owner")}
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps(from_env))
    cfg = in_program(encoded)()
    assert cfg.owner == "tvt-platform-team" and cfg.audit.log_retention_days == 730


def test_bad_program_config_raises_run_error_with_the_message(base: dict[str, Any]) -> None:
    base["tvt:grants"][3]["role"] = "admin"
    with pytest.raises(pulumi.RunError) as caught:
        in_program(engine_config(base))()
    assert str(caught.value) == (
        "stacks/Pulumi.prod.yaml: tvt:grants[3].role: "
        "expected one of reader, contributor, ingest-writer, got 'admin'"
    )
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_expired_use_case_stops_the_program(monkeypatch: pytest.MonkeyPatch, base: dict[str, Any]) -> None:
    monkeypatch.setenv("TVT_TODAY", "2027-10-01")
    with pytest.raises(
        pulumi.RunError, match=r"tvt:grants\[0\]\.useCase: use case UC-2026-001 \(DEC-2026-03\) expired"
    ):
        in_program(engine_config(base))()


def test_object_key_that_is_not_json_is_reported_as_a_type_error(base: dict[str, Any]) -> None:
    encoded = engine_config(base)
    encoded["tvt:audit"] = "10.70.0.0/24"  # e.g. `pulumi config set tvt:audit 10.70.0.0/24`
    with pytest.raises(pulumi.RunError) as caught:
        in_program(encoded)()
    assert str(caught.value) == "stacks/Pulumi.prod.yaml: tvt:audit: expected a mapping, got '10.70.0.0/24'"


def test_secret_tvt_key_is_rejected(base: dict[str, Any]) -> None:
    with pytest.raises(pulumi.RunError) as caught:
        in_program(engine_config(base), secret_keys=["tvt:tenantId", "azure-native:clientSecret"])()
    assert str(caught.value).startswith(
        "stacks/Pulumi.prod.yaml: tvt:tenantId: expected a plain value, got a Pulumi secure value: "
        "no tvt key takes a secret"
    )
    assert "azure-native:clientSecret" not in str(caught.value)


def test_stack_name_comes_from_the_engine(monkeypatch: pytest.MonkeyPatch, base: dict[str, Any]) -> None:
    monkeypatch.setattr(pulumi, "get_stack", lambda: "Prod-EU")
    with pytest.raises(pulumi.RunError) as caught:
        in_program(engine_config(base))()
    assert str(caught.value).startswith("stacks/Pulumi.Prod-EU.yaml: (stack name): expected 2-8 lowercase")


def test_malformed_engine_config_is_a_run_error(
    monkeypatch: pytest.MonkeyPatch, base: dict[str, Any]
) -> None:
    monkeypatch.setenv("PULUMI_CONFIG", "{not json")
    with pytest.raises(
        pulumi.RunError, match=r"^\(environment\): PULUMI_CONFIG: expected JSON from the engine"
    ):
        in_program(engine_config(base))()
