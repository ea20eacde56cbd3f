"""The type catalog is the one table of type facts: every row is complete for what it claims."""

from __future__ import annotations

import pytest

from policies.catalog import CATALOG, COMPONENT_TYPES, STACK, DataClass, classify

AZURE_TYPES = sorted(t for t in CATALOG if t.startswith("azure-native:"))


@pytest.mark.parametrize("type_", AZURE_TYPES)
def test_every_azure_type_has_an_arm_id_and_replacement_inputs(type_: str) -> None:
    info = CATALOG[type_]
    assert info.arm_id is not None and info.arm_id.template.startswith(("/subscriptions/", "{")), type_
    assert info.replacement is not None and info.replacement.identity, type_
    assert all(why for _, why in info.replacement.forcing()), type_
    # The input that names the resource is one of those that form its id.
    assert info.arm_id.name_input in info.replacement.identity, type_


def test_what_holds_data_or_keys_says_why_losing_it_matters() -> None:
    for type_, info in CATALOG.items():
        if info.data is not DataClass.NONE:
            assert info.data_loss, f"{type_}: {info.data} without a data-loss reason"
    # A container is keyed by its account, yet deleting it loses its blobs: one row holds both facts.
    container = classify("azure-native:storage:BlobContainer")
    assert container is not None and container.data is DataClass.NONE and container.data_loss


def test_components_and_the_stack_are_not_azure_resources() -> None:
    for type_ in (*COMPONENT_TYPES, STACK, "pulumi:providers:azure-native"):
        info = classify(type_)
        assert info is not None and info.arm_id is None and info.replacement is None, type_


def test_a_data_class_without_a_reason_is_refused() -> None:
    from policies.catalog import NO_DIAGNOSTICS, Geography, TypeInfo

    with pytest.raises(ValueError, match="reason its deletion loses data"):
        TypeInfo(DataClass.DATA_BEARING, NO_DIAGNOSTICS, taggable=True, geography=Geography.REGIONAL)
