"""policies/arm_types.py against what is installed: azure-native's API versions and Microsoft's models.

Upgrading pulumi-azure-native or an azure-mgmt-* package changes the docstrings or request builders
these tests read, so a row that no longer matches fails here instead of checking the wrong version.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
from pathlib import Path

import pytest

from policies.arm_types import ARM_DEFINITIONS, NO_DEFINITION, ArmDefinition, model_class, request_builder
from policies.catalog import CATALOG

AZURE_NATIVE = Path(importlib.util.find_spec("pulumi_azure_native").submodule_search_locations[0])  # type: ignore[index,union-attr]
ARM_ROWS = {t for t, info in CATALOG.items() if info.arm_id is not None}


def azure_native_source(type_: str) -> str | None:
    """The source of azure-native's module for ``type_`` (``azure-native:storage:StorageAccount``), if any."""
    _, module, name = type_.split(":")
    path = AZURE_NATIVE / module / f"{re.sub(r'(?<!^)(?=[A-Z])', '_', name).lower()}.py"
    if not path.is_file():
        return None
    source = path.read_text()
    return source if f'@pulumi.type_token("{type_}")' in source else None


def arm_type_of(url: str) -> str:
    """The ARM type a request URL names: the namespace after its last ``providers/`` and each type."""
    segments = url.strip("/").split("/")
    if "providers" not in segments:
        assert [s.casefold() for s in segments[::2]] == ["subscriptions", "resourcegroups"], url
        return "Microsoft.Resources/resourceGroups"
    start = len(segments) - 1 - segments[::-1].index("providers")
    namespace, *rest = segments[start + 1 :]
    return "/".join([namespace, *rest[::2]])


def test_every_catalogued_azure_type_has_a_definition_or_a_reason() -> None:
    assert set(ARM_DEFINITIONS) | set(NO_DEFINITION) == ARM_ROWS
    assert not set(ARM_DEFINITIONS) & set(NO_DEFINITION)


@pytest.mark.parametrize("type_", sorted(ARM_DEFINITIONS))
def test_api_version_is_azure_natives(type_: str) -> None:
    source = azure_native_source(type_)
    assert source is not None, f"{type_}: no module in pulumi_azure_native"
    versions = set(re.findall(r"Uses Azure REST API version (\S+?)\.(?:\s|$)", source))
    assert versions == {ARM_DEFINITIONS[type_].api_version}, type_


@pytest.mark.parametrize("type_", sorted(ARM_DEFINITIONS))
def test_model_and_request_are_for_the_recorded_version_and_type(type_: str) -> None:
    definition: ArmDefinition = ARM_DEFINITIONS[type_]
    assert model_class(definition).__name__ == definition.model.rpartition(".")[2]
    source = inspect.getsource(request_builder(definition))
    assert 'method="PUT"' in source, definition.request
    assert re.findall(r'"api-version", "([^"]+)"', source) == [definition.checked_version], definition.request
    (url,) = re.findall(r'"template_url",\s*"([^"]+)"', source)
    assert arm_type_of(url).casefold() == definition.arm_type.casefold(), url


def test_a_substitute_says_what_differs() -> None:
    for type_, definition in ARM_DEFINITIONS.items():
        assert definition.exact == (definition.checked_version == definition.api_version), type_
        assert definition.exact or definition.checked_version in definition.source(), type_


def test_a_type_without_definition_is_not_an_azure_native_resource() -> None:
    for type_ in NO_DEFINITION:  # none today: every catalog row has a definition
        assert azure_native_source(type_) is None, f"{type_} exists in azure-native now: give it a definition"
