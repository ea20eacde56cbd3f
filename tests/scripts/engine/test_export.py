"""plan.json: Pulumi's stack-export format, ordered, reproducible, with secrets and paths kept out."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from preview_helpers import PACK, PROJECT, REPO, load

from scripts.commands.pipeline import PlanOptions, run_plan
from scripts.engine.errors import PreviewError
from scripts.engine.export import SECRET_SIG, SIG_KEY, _normalize_at, normalize, topological

STACK_URN = "urn:pulumi:clean::tvt-platform::pulumi:pulumi:Stack::tvt-platform-clean"


def resources(plan_dir: Path) -> list[dict]:
    return load(plan_dir / "plan.json")["deployment"]["resources"]


def test_document_is_a_version_3_stack_export_with_a_valid_manifest(planned: dict[str, Path]) -> None:
    document = load(planned["clean"] / "plan.json")
    assert set(document) == {"version", "deployment"}
    assert document["version"] == 3
    assert set(document["deployment"]) == {"manifest", "resources"}
    manifest = document["deployment"]["manifest"]
    assert manifest["time"] == "1970-01-01T00:00:00Z", "time must not depend on when the plan ran"
    # The engine's VerifyIntegrity rejects a manifest whose magic is not sha256(version).
    assert manifest["magic"] == hashlib.sha256(manifest["version"].encode()).hexdigest()


def test_stack_root_comes_first_and_parents_and_dependencies_precede_dependents(
    planned: dict[str, Path],
) -> None:
    states = resources(planned["clean"])
    assert states[0]["urn"] == STACK_URN
    assert states[0]["type"] == "pulumi:pulumi:Stack"
    assert states[0]["custom"] is False
    seen: set[str] = set()
    for state in states:
        earlier = [state.get("parent", "")] + state["dependencies"]
        earlier += [u for urns in state["propertyDependencies"].values() for u in urns]
        earlier.append(state.get("provider", "").rsplit("::", 1)[0])
        missing = [u for u in earlier if u and u not in seen]
        assert not missing, f"{state['urn']} comes before {missing}"
        seen.add(state["urn"])


def test_every_resource_has_the_resource_v3_keys(planned: dict[str, Path]) -> None:
    allowed = {
        "urn", "custom", "type", "id", "inputs", "outputs", "parent", "protect", "dependencies",
        "propertyDependencies", "provider", "sourcePosition", "ignoreChanges", "additionalSecretOutputs",
        "aliases",
    }  # fmt: skip
    required = {
        "urn",
        "custom",
        "type",
        "inputs",
        "outputs",
        "dependencies",
        "propertyDependencies",
        "protect",
    }
    for state in resources(planned["clean"]):
        assert required <= set(state), f"{state['urn']} lacks {required - set(state)}"
        assert set(state) <= allowed, f"{state['urn']} has keys outside ResourceV3: {set(state) - allowed}"
        if state["custom"] and not state["type"].startswith("pulumi:providers:"):
            assert state["id"], f"{state['urn']} has no id"
            assert state["provider"].startswith(
                "urn:pulumi:clean::tvt-platform::pulumi:providers:azure-native::"
            )


def test_default_provider_mirrors_the_engine(planned: dict[str, Path]) -> None:
    provider = next(s for s in resources(planned["clean"]) if s["type"] == "pulumi:providers:azure-native")
    assert provider["urn"].endswith("::default_3_29_0")
    assert provider["inputs"] == {
        "location": "uksouth",
        "subscriptionId": "00000000-0000-4000-8000-100000000009",
        "version": "3.29.0",
    }


def test_records_parent_protect_property_dependencies_and_source_position(planned: dict[str, Path]) -> None:
    by_name = {s["urn"].rsplit("::", 1)[-1]: s for s in resources(planned["clean"])}
    account, container = by_name["l3-storage"], by_name["l3-matched"]
    assert account["protect"] is True, "protect=True must reach the plan"
    assert account["parent"].endswith("tvt:level:DataLevel::l3")
    assert container["propertyDependencies"]["accountName"] == [account["urn"]]
    assert account["urn"] in container["dependencies"]
    assert account["sourcePosition"].startswith("project:///__main__.py#")
    assert by_name["l3"]["outputs"] == {"storageAccountId": account["id"]}, "component outputs are recorded"


def test_secrets_are_redacted_in_inputs_and_outputs(planned: dict[str, Path]) -> None:
    text = (planned["clean"] / "plan.json").read_text(encoding="utf-8")
    assert "s3cr3t-value" not in text
    container = next(s for s in resources(planned["clean"]) if s["urn"].endswith("::l3-matched"))
    expected = {SIG_KEY: SECRET_SIG, "plaintext": '"[secret]"'}
    assert container["inputs"]["metadata"] == expected
    assert container["outputs"]["metadata"] == expected


def test_no_absolute_path_leaks_into_any_output(planned: dict[str, Path]) -> None:
    for name in ("plan.json", "findings.json", "report.md"):
        text = (planned["violate"] / name).read_text(encoding="utf-8")
        for absolute in {str(REPO), str(PROJECT.resolve()), str(Path.home())}:
            assert absolute not in text, f"{name} contains the absolute path {absolute}"


def test_same_config_gives_byte_identical_outputs(tmp_path: Path) -> None:
    outputs = []
    for run in ("first", "second"):
        options = PlanOptions(
            stack="violate", out=tmp_path / run, root=PROJECT, pack=PACK, analyzer="inprocess"
        )
        assert run_plan(options, out=io.StringIO(), err=io.StringIO()) == 1
        outputs.append({p.name: p.read_bytes() for p in (tmp_path / run).iterdir()})
    assert {
        "findings.json",
        "plan.json",
        "report.md",
        "report.html",
        "report.sarif",
        "report.junit.xml",
    } <= set(outputs[0])
    for name in outputs[0]:
        assert outputs[0][name] == outputs[1][name], f"{name} differs between two runs of the same config"


def test_topological_order_breaks_ties_by_urn_and_puts_the_stack_first() -> None:
    def state(urn: str, type_: str = "t:m:R", **more: object) -> dict:
        return {"urn": urn, "type": type_, "dependencies": [], "propertyDependencies": {}, **more}

    ordered = topological(
        [
            state("urn:c", dependencies=["urn:b"]),
            state("urn:b"),
            state("urn:a", parent="urn:z"),
            state("urn:z", "pulumi:pulumi:Stack"),
            state("urn:p", "pulumi:providers:x"),
        ]
    )
    assert [s["urn"] for s in ordered] == ["urn:z", "urn:p", "urn:a", "urn:b", "urn:c"]


_LEAVES = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
_KEYS = st.sampled_from(["name", "password", "clientSecret", "secure", "plaintext", SIG_KEY, "x"]) | st.text(
    max_size=6
)
_VALUES = st.recursive(
    _LEAVES | st.just({SIG_KEY: SECRET_SIG, "value": "hidden"}) | st.just({"secure": "v1:abc"}),
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=3).map(tuple)
        | st.dictionaries(_KEYS, children, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(_VALUES)
def test_the_plan_copy_is_the_one_the_paths_version_makes(value: object) -> None:
    """``normalize`` skips building a path for every value; what it returns must not change."""
    assert normalize(value, "r") == _normalize_at(value, "r")


def test_a_value_that_is_not_json_is_refused_with_its_path() -> None:
    with pytest.raises(PreviewError, match=r"^r\.a\[1\]\.b: a set cannot be written to the plan"):
        normalize({"a": [1, {"b": {1, 2}}]}, "r")
