"""Resource references in a registration, as the engine hands them to a policy pack.

The SDK sends a resource given as an input (``resource_group_name=group``) or a component's output
(``register_outputs({"group": group})``) as a reference: a struct with the resource signature, its
``urn`` and, for a custom resource, its ``id`` (the unknown string while it is not known). The
engine marshals properties for an analyzer without ``KeepResources``, so a pack never sees the
reference: it sees the resource's id if it has one (unknown while the id is), and its URN if it has
none (``UnmarshalPropertyValue`` in pulumi/pulumi ``pkg/resource/plugin/rpc.go``).

The capture records that view. Deserialising a reference the SDK's way instead rebuilds the
resource object inside the monitor (``rpc.deserialize_resource``), whose futures belong to an event
loop that never runs them there: the SDK's own mocks fail on it, and a monitor answering in place
waits for ever.
"""

from __future__ import annotations

from collections.abc import Mapping

from google.protobuf import struct_pb2
from pulumi.runtime import rpc


def signature_bytes(sig: str) -> bytes:
    """How protobuf writes a ``Value`` whose string is exactly the 32-character signature ``sig``
    (field 3, length-delimited: tag 0x1A, length 0x20): the one way, so bytes without it hold none."""
    return b"\x1a\x20" + sig.encode()


_MARK = signature_bytes(rpc._special_resource_sig)


class MalformedReference(ValueError):
    """A reference the engine would refuse (its ``urn`` or ``id`` is not a string)."""


def holds_reference(data: bytes) -> bool:
    """Whether a serialised struct may hold a resource reference."""
    return _MARK in data


def without_references(struct: struct_pb2.Struct) -> struct_pb2.Struct:
    """A copy of ``struct`` with every resource reference replaced by what a pack is shown."""
    copy = struct_pb2.Struct()
    copy.CopyFrom(struct)
    replace_references(copy)
    return copy


def replace_references(struct: struct_pb2.Struct) -> None:
    """Replace, in ``struct`` itself, every resource reference by what a pack is shown."""
    for key, value in struct.fields.items():
        _downgrade(value, key)


def _downgrade(value: struct_pb2.Value, key: str) -> None:
    kind = value.WhichOneof("kind")
    if kind == "list_value":
        for item in value.list_value.values:
            _downgrade(item, key)
    elif kind == "struct_value":
        fields = value.struct_value.fields
        sig = fields.get(rpc._special_sig_key)
        if sig is not None and _is_reference(sig):
            value.string_value = reference_view(fields, key)
            return
        for item in fields.values():
            _downgrade(item, key)


def _is_reference(sig: struct_pb2.Value) -> bool:
    return sig.WhichOneof("kind") == "string_value" and bool(sig.string_value == rpc._special_resource_sig)


def reference_view(fields: Mapping[str, struct_pb2.Value], key: str) -> str:
    """The value a pack sees for a reference: its id (the unknown string if that is empty or
    unknown), or its URN when it has no id."""
    urn = fields.get("urn")
    if urn is None or urn.WhichOneof("kind") != "string_value":
        raise MalformedReference(f"malformed resource reference for {key!r}: urn not a string")
    id_ = fields.get("id")
    if id_ is None:
        return str(urn.string_value)
    if id_.WhichOneof("kind") != "string_value":
        raise MalformedReference(f"malformed resource reference for {key!r}: id not a string")
    text = str(id_.string_value)
    return rpc.UNKNOWN if text in {"", rpc.UNKNOWN} else text
