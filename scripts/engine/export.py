"""Turn a :class:`Capture` into Pulumi's stack-export format (``apitype.UntypedDeployment`` v3).

The document is what ``pulumi stack export`` writes, so the real CLI can read it
(``pulumi stack import``, ``pulumi policy analyze``). Field names and shapes follow
``sdk/go/common/apitype/core.go`` (``DeploymentV3``, ``ManifestV1``, ``ResourceV3``,
``SecretV1``) and the engine's ``Snapshot.VerifyIntegrity``:

- ``manifest.magic`` is ``sha256(version)`` in hex, the integrity cookie the engine checks;
  ``manifest.time`` is the Unix epoch, so the same config always yields the same bytes.
- Resources are in topological order (the Stack first, then default providers; parents,
  dependencies and providers before dependents; ties by URN), as ``VerifyIntegrity`` requires.
- ``sourcePosition`` is ``project:///<path relative to the project>#<line>``, the statefile form
  of pulumi/pulumi#13437, so no absolute path of the machine that ran the preview leaks.
- Secrets are written in the decrypted-secret form of ``property-values.json`` with the value
  replaced: ``{"4dabf…": "1b470…", "plaintext": "\\"[secret]\\""}``.
- Like the engine, custom resources without an explicit provider get the package's default
  provider (``pulumi:providers:<pkg>::default_<version>``), whose inputs are the stack's config in
  that package's namespace.
"""

from __future__ import annotations

import copy
import hashlib
import heapq
import json
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from components.config.schema import is_plain_credential, is_secure_value
from policies.catalog import PROVIDER_PREFIX
from policies.catalog import STACK as STACK_TYPE
from scripts.engine.capture import Capture, CapturedResource
from scripts.engine.errors import PreviewError
from scripts.engine.urns import new_urn

DEPLOYMENT_VERSION = 3
EPOCH = "1970-01-01T00:00:00Z"
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"  # noqa: S105 (Pulumi's secret signature, not a secret)
REDACTED_VALUE = "[secret]"
REDACTED_PLAINTEXT = json.dumps(REDACTED_VALUE)

# Namespace for provider ids: the engine assigns a random UUID; a name-based one keeps bytes stable.
_PROVIDER_ID_NAMESPACE = uuid.UUID("6f1f2c44-3a0b-4f7e-9a55-8a1c9f0e7d21")
_PATH_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def redacted() -> dict[str, str]:
    return {SIG_KEY: SECRET_SIG, "plaintext": REDACTED_PLAINTEXT}


def is_secret(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get(SIG_KEY) == SECRET_SIG


def pulumi_version() -> str:
    return metadata.version("pulumi")


def manifest() -> dict[str, str]:
    version = pulumi_version()
    return {"time": EPOCH, "magic": hashlib.sha256(version.encode()).hexdigest(), "version": version}


def _redact_or_normalize(key: Any, value: Any, where: str) -> Any:
    # Validation refuses plain credentials in config; a program could still pass one as an input.
    return redacted() if is_plain_credential(str(key), value) else _normalize_at(value, where)


class _NotJson(Exception):
    """A value :func:`_normalized` cannot write; :func:`_normalize_at` then says where it is."""


def normalize(value: Any, where: str) -> Any:
    """A JSON-ready copy: whole floats as ints (as Go writes float64), no tuples, and redacted:
    Pulumi secrets, ``secure:`` config values (ciphertext is not for plans either) and credentials.

    A value that is not JSON is refused with its path under ``where``. The path is worked out only
    then: building it for every value of a large plan cost more than the copy itself."""
    try:
        return _normalized(value)
    except _NotJson:
        return _normalize_at(value, where)


def _normalized(value: Any) -> Any:
    """:func:`_normalize_at` without the paths, for values that turn out to be JSON."""
    if type(value) in _AS_THEY_ARE:  # most of a plan: answered before the slower checks below
        return value
    if isinstance(value, Mapping):
        if is_secret(value) or is_secure_value(value):
            return redacted()
        copy = {}
        for k, v in value.items():
            key = str(k)
            copy[key] = redacted() if is_plain_credential(key, v) else _normalized(v)
        return copy
    if isinstance(value, list | tuple):
        return [_normalized(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise _NotJson


_AS_THEY_ARE = frozenset({str, bool, int, type(None)})  # exactly these types: returned unchanged


def _normalize_at(value: Any, where: str) -> Any:
    if is_secret(value) or is_secure_value(value):
        return redacted()
    if isinstance(value, Mapping):
        return {str(k): _redact_or_normalize(k, v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalize_at(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise PreviewError(
        f"{where}: a {type(value).__name__} cannot be written to the plan (expected JSON values)"
    )


def _path_tokens(path: str) -> list[str | int]:
    return [name if name else int(index) for name, index in _PATH_TOKEN.findall(path)]


def _holds(node: Any, token: str | int) -> bool:
    if isinstance(token, int):
        return isinstance(node, list) and 0 <= token < len(node)
    return isinstance(node, dict) and token in node


def redact_paths(value: Mapping[str, Any], paths: Iterable[str]) -> dict[str, Any]:
    """Replace the value at each ``a.b[0]`` path (as the capture records secrets) by the redacted form.

    A path that is not there (an output the provider did not echo) is skipped, not an error.
    """
    result: dict[str, Any] = copy.deepcopy(dict(value))
    for path in paths:
        tokens = _path_tokens(path)
        node: Any = result
        for token in tokens[:-1]:
            node = node[token] if _holds(node, token) else None
        if tokens and _holds(node, tokens[-1]):
            node[tokens[-1]] = redacted()
    return result


def _values(value: Any) -> Iterator[Any]:
    """``value`` and every value inside it, depth first."""
    yield value
    children = (
        value.values() if isinstance(value, Mapping) else value if isinstance(value, list | tuple) else ()
    )
    for child in children:
        yield from _values(child)


def _texts(value: Any) -> set[str]:
    return {v for v in _values(value) if isinstance(v, str)}


def known_secrets(capture: Capture | None, config: Mapping[str, Any]) -> frozenset[str]:
    """The texts a run knows to be secret: ``secure:`` ciphertexts in the config, and the values of
    every input and registered output the program marked secret (so its log cannot print them)."""
    found = {text for value in config.values() if is_secure_value(value) for text in _texts(value)}
    for resource in capture.resources if capture is not None else ():
        for path in resource.secret_paths:
            node: Any = resource.inputs
            for token in _path_tokens(path):
                node = node[token] if _holds(node, token) else None
            found |= _texts(node)
    for outputs in capture.registered_outputs.values() if capture is not None else ():
        found |= {text for v in _values(outputs) if is_secret(v) for text in _texts(v.get("value"))}
    return frozenset(text for text in found if len(text) >= 4)  # "[secret]" replacing "a" helps nobody


def redacted_copy(data: bytes) -> bytes:
    """A saved plan's bytes to copy beside its reports: as they are, unless a secret in them still
    holds its value (``pulumi stack export --show-secrets``); then re-encoded with it redacted."""
    document = json.loads(data)  # read strictly already: this only compares and re-encodes
    clean = normalize(document, "plan")
    return data if clean == document else dumps(clean)


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every known secret replaced by ``[secret]`` (longest first, so none is left half)."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED_VALUE)
    return text


def source_position(resource: CapturedResource) -> str:
    pos = resource.source_position
    return f"project:///{pos.file}#{pos.line}" if pos else ""


@dataclass(frozen=True)
class DefaultProvider:
    urn: str
    id: str
    package: str
    inputs: Mapping[str, Any]

    @property
    def reference(self) -> str:
        return f"{self.urn}::{self.id}"


def default_provider(
    capture: Capture, package: str, version: str, config: Mapping[str, Any]
) -> DefaultProvider:
    name = "default_" + version.replace(".", "_") if version else "default"
    urn = new_urn(capture.stack, capture.project, "", f"{PROVIDER_PREFIX}{package}", name)
    prefix = f"{package}:"
    inputs: dict[str, Any] = {k.removeprefix(prefix): v for k, v in config.items() if k.startswith(prefix)}
    if version:
        inputs["version"] = version
    return DefaultProvider(urn, str(uuid.uuid5(_PROVIDER_ID_NAMESPACE, urn)), package, inputs)


def default_providers(capture: Capture, config: Mapping[str, Any]) -> dict[tuple[str, str], DefaultProvider]:
    """One default provider per (package, version) used by a custom resource with no explicit provider."""
    wanted = {
        (r.type.split(":", 1)[0], r.package_version)
        for r in capture.resources
        if r.custom and not r.provider and not r.type.startswith(PROVIDER_PREFIX)
    }
    return {key: default_provider(capture, key[0], key[1], config) for key in sorted(wanted)}


def _state(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Drop empty optional fields, as the CLI's ``omitempty`` does; the always-present ones stay."""
    always = {"urn", "custom", "type", "inputs", "outputs", "dependencies", "propertyDependencies", "protect"}
    return {k: v for k, v in fields.items() if k in always or v not in ("", [], {}, None)}


def resource_state(
    resource: CapturedResource, registered: Mapping[str, Any] | None, provider_ref: str
) -> dict[str, Any]:
    where = resource.urn
    inputs = redact_paths(resource.inputs, resource.secret_paths)
    raw_outputs = registered if not resource.custom else resource.outputs
    outputs = redact_paths(raw_outputs or {}, [*resource.secret_paths, *resource.additional_secret_outputs])
    return _state(
        {
            "urn": resource.urn,
            "custom": resource.custom,
            "type": resource.type,
            "id": resource.id if resource.custom else "",
            "inputs": normalize(inputs, f"{where}: inputs"),
            "outputs": normalize(outputs, f"{where}: outputs"),
            "parent": resource.parent,
            "protect": resource.protect,
            "dependencies": sorted(set(resource.dependencies)),
            "propertyDependencies": {k: sorted(set(v)) for k, v in resource.property_dependencies.items()},
            "provider": resource.provider or provider_ref,
            "sourcePosition": source_position(resource),
            "ignoreChanges": list(resource.ignore_changes),
            "additionalSecretOutputs": list(resource.additional_secret_outputs),
            # The alias URNs the engine would look old state up by; a real update records the one it
            # matched, a preview has no old state, so the plan keeps them all (tvt diff reads them).
            "aliases": list(resource.aliases),
        }
    )


def _edges(state: Mapping[str, Any]) -> set[str]:
    edges = set(state.get("dependencies", []))
    for urns in state.get("propertyDependencies", {}).values():
        edges.update(urns)
    if state.get("parent"):
        edges.add(state["parent"])
    if state.get("provider"):
        edges.add(str(state["provider"]).rsplit("::", 1)[0])
    return edges


def _rank(state: Mapping[str, Any]) -> int:
    if state["type"] == STACK_TYPE:
        return 0
    return 1 if str(state["type"]).startswith(PROVIDER_PREFIX) else 2


def topological(states: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Kahn's algorithm over parent/dependency/provider edges; O((N + E) log N), ties by (rank, URN)."""
    by_urn: dict[str, dict[str, Any]] = {}
    for state in states:
        if state["urn"] in by_urn:
            raise PreviewError(f"{state['urn']}: registered twice (URNs must be unique)")
        by_urn[state["urn"]] = state
    waiting_on: dict[str, int] = {}
    dependents: dict[str, list[str]] = {urn: [] for urn in by_urn}
    for urn, state in by_urn.items():
        edges = {e for e in _edges(state) if e in by_urn and e != urn}
        waiting_on[urn] = len(edges)
        for edge in edges:
            dependents[edge].append(urn)
    ready = [(_rank(s), urn) for urn, s in by_urn.items() if waiting_on[urn] == 0]
    heapq.heapify(ready)
    ordered: list[dict[str, Any]] = []
    while ready:
        _, urn = heapq.heappop(ready)
        ordered.append(by_urn[urn])
        for dependent in dependents[urn]:
            waiting_on[dependent] -= 1
            if waiting_on[dependent] == 0:
                heapq.heappush(ready, (_rank(by_urn[dependent]), dependent))
    if len(ordered) != len(by_urn):
        stuck = sorted(urn for urn, n in waiting_on.items() if n > 0)
        raise PreviewError(f"{stuck[0]}: dependency cycle among {len(stuck)} resources")
    return ordered


def build_deployment(capture: Capture, config: Mapping[str, Any]) -> dict[str, Any]:
    """The whole ``UntypedDeployment`` document for one program run."""
    providers = default_providers(capture, config)
    stack_outputs = capture.registered_outputs.get(capture.stack_urn, {})
    states: list[dict[str, Any]] = [
        _state(
            {
                "urn": capture.stack_urn,
                "custom": False,
                "type": STACK_TYPE,
                "inputs": {},
                "outputs": normalize(stack_outputs, f"{capture.stack_urn}: outputs"),
                "protect": False,
                "dependencies": [],
                "propertyDependencies": {},
            }
        )
    ]
    for provider in providers.values():
        inputs = normalize(provider.inputs, f"{provider.urn}: inputs")
        states.append(
            _state(
                {
                    "urn": provider.urn,
                    "custom": True,
                    "type": PROVIDER_PREFIX + provider.package,
                    "id": provider.id,
                    "inputs": inputs,
                    "outputs": inputs,
                    "protect": False,
                    "dependencies": [],
                    "propertyDependencies": {},
                }
            )
        )
    for resource in capture.resources:
        key = (resource.type.split(":", 1)[0], resource.package_version)
        ref = providers[key].reference if key in providers and resource.custom else ""
        states.append(resource_state(resource, capture.registered_outputs.get(resource.urn), ref))
    return {
        "version": DEPLOYMENT_VERSION,
        "deployment": {"manifest": manifest(), "resources": topological(states)},
    }


def dumps(document: Mapping[str, Any]) -> bytes:
    """Canonical bytes: sorted keys, 4-space indent (as ``pulumi stack export``), trailing newline."""
    return (
        json.dumps(document, sort_keys=True, indent=4, ensure_ascii=False, allow_nan=False) + "\n"
    ).encode()
