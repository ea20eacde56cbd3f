"""azure-native's packages loaded on demand give every name the object their ``__init__`` binds.

The checks against azure-native itself run in fresh interpreters, since a package, once imported,
stays as it was loaded: one loads the packages the components import the usual way, another on
demand, and every name is compared; ``tvt plan`` of each example stack is compared byte for byte
with a run whose packages were loaded whole first. The rules of the index itself are checked on
small generated-shape packages written here.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from preview_helpers import REPO, files_under

from scripts.engine import on_demand
from scripts.engine.on_demand import exported_names, index_package, on_demand_packages
from tests.conftest import TODAY

HEADER = "import builtins as _builtins\nfrom .. import _utilities\nimport typing\n"


def _services() -> list[str]:
    """The azure-native packages the components import (``from pulumi_azure_native import ...``)."""
    found: set[str] = set()
    for source in sorted((REPO / "components").rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == on_demand.PACKAGE:
                found.update(a.name for a in node.names)
    return sorted(found)


def _python(code: str, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "TVT_TODAY": TODAY, "PATH": "/usr/bin:/bin"},
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


DESCRIBE = """
import json, sys, types
def describe(value):
    if isinstance(value, types.ModuleType):
        return ["module", value.__name__]
    if isinstance(value, type) or callable(value):
        return [type(value).__name__, getattr(value, "__module__", ""), getattr(value, "__qualname__", "")]
    return [type(value).__name__, repr(value)]
INTERNAL = {"__loader__", "__spec__", "__builtins__", "__cached__", "__file__", "__path__", "__doc__"}
"""


def test_every_name_of_the_used_packages_is_the_one_the_init_binds() -> None:
    services = _services()
    assert {"network", "storage", "authorization"} <= set(services), services
    eager = json.loads(
        _python(
            DESCRIBE
            + textwrap.dedent(f"""
            import pulumi_azure_native as azure
            names = {{}}
            for service in {services!r}:
                package = getattr(azure, service)
                package._utilities  # a lazily imported package loads at its first attribute
                names[service] = {{k: describe(v) for k, v in vars(package).items() if k not in INTERNAL}}
            print(json.dumps(names))
            """)
        )
    )
    # In reverse order, so no name is found only because an earlier one loaded its module.
    lazy = json.loads(
        _python(
            DESCRIBE
            + textwrap.dedent(f"""
            from scripts.engine.on_demand import OnDemandPackage, on_demand_packages
            with on_demand_packages(True):
                import pulumi_azure_native as azure
            wanted = json.load(sys.stdin)
            names, kinds, missing = {{}}, {{}}, {{}}
            for service in {services!r}:
                package = getattr(azure, service)
                names[service] = {{k: describe(getattr(package, k)) for k in reversed(wanted[service])}}
                kinds[service] = type(package).__name__
                missing[service] = hasattr(package, "no_such_name_here")
            print(json.dumps({{"names": names, "kinds": kinds, "missing": missing}}))
            """),
            stdin=json.dumps({s: sorted(eager[s]) for s in services}),
        )
    )
    for service in services:
        assert len(eager[service]) > 10, f"{service}: the eager package was not loaded"
        assert lazy["kinds"][service] == "OnDemandPackage", f"{service} was loaded whole"
        assert lazy["names"][service] == eager[service], f"{service}: a name resolved to another object"
        assert lazy["missing"][service] is False
        # The exported functions of get_* modules, not the modules: the __init__'s star import rebinds them.
        functions = [k for k, v in eager[service].items() if k.startswith("get_") and v[0] == "function"]
        assert functions, f"{service}: no get_* function, so the rebinding went unchecked"


def _plan_outputs(stacks: list[str], out: Path, *, whole_first: bool) -> dict[str, object]:
    """``tvt plan`` of every stack in one fresh interpreter; what ran of network's modules."""
    preload = f"import pulumi_azure_native as azure\nfor s in {_services()!r}: getattr(azure, s)._utilities\n"
    report = _python(
        (preload if whole_first else "")
        + textwrap.dedent(f"""
        import json, sys
        from scripts.cli import main
        args = ["--analyzer", "inprocess"]
        codes = [main(["plan", "--stack", s, "--out", f"{out}/{{s}}", *args]) for s in {stacks!r}]
        loaded = sorted(m for m in sys.modules if m.startswith("pulumi_azure_native.network."))
        print(json.dumps({{"codes": codes, "network": loaded}}))
        """)
    )
    return json.loads(report.splitlines()[-1])  # type: ignore[no-any-return]


def test_plans_on_demand_are_byte_identical_to_packages_loaded_whole(tmp_path: Path) -> None:
    stacks = sorted(p.name.split(".")[1] for p in (REPO / "stacks").glob("Pulumi.*.yaml"))
    whole = _plan_outputs(stacks, tmp_path / "whole", whole_first=True)
    lazy = _plan_outputs(stacks, tmp_path / "lazy", whole_first=False)
    assert whole["codes"] == lazy["codes"]
    lazy_files, whole_files = files_under(tmp_path / "lazy"), files_under(tmp_path / "whole")
    assert sorted(lazy_files) == sorted(whole_files)
    assert all(f"{stack}/plan.json" in whole_files for stack in stacks)
    for name, data in whole_files.items():
        assert lazy_files[name] == data, f"{name} differs"
    # What on demand saves: network's modules of resources the program never declares never ran.
    assert len(lazy["network"]) * 4 < len(whole["network"]), lazy["network"]  # type: ignore[arg-type]
    assert "pulumi_azure_native.network.admin_rule" not in lazy["network"]  # type: ignore[operator]


# --- the index, on packages of the generated shape ---------------------------------------------


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture
def namespace(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[str, Path]]:
    """A fresh top-level package (named after the test, so nothing is shared) on sys.path."""
    name = "ondemand_" + re.sub(r"\W", "_", request.node.name)
    _write(tmp_path, {f"{name}/__init__.py": "", f"{name}/_utilities.py": "UTIL = 1\n"})
    sys.path.insert(0, str(tmp_path))
    try:
        yield name, tmp_path / name
    finally:
        sys.path.remove(str(tmp_path))
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]


SERVICE = {
    "svc/__init__.py": HEADER
    + "from ._enums import *\nfrom .thing import *\nfrom .get_thing import *\nfrom .other import *\n"
    + "from ._inputs import *\nfrom . import outputs\n",
    "svc/_enums.py": "__all__ = ['Colour']\nclass Colour: pass\n",
    "svc/thing.py": "from . import outputs\nfrom ._enums import *\n"
    "__all__ = ['ThingArgs', 'Thing', 'Shared']\n"
    "class ThingArgs: pass\nclass Thing: pass\nShared = 'thing'\n",
    "svc/get_thing.py": "__all__ = ['GetThingResult', 'get_thing']\nclass GetThingResult: pass\n"
    "def get_thing(): return 1\n",
    "svc/other.py": "import sys\nsys.modules[__name__].RAN = True\n__all__ = ['Other', 'Shared']\n"
    "class Other: pass\nShared = 'other'\n",
    "svc/_inputs.py": "__all__ = [\n    'SubArgs',\n    'SubArgsDict',\n]\n"
    "class SubArgs: pass\nSubArgsDict = dict\n",
    "svc/outputs.py": "__all__ = ['Sub']\nclass Sub: pass\n",
}


def test_names_resolve_on_demand_as_the_init_would_bind_them(namespace: tuple[str, Path]) -> None:
    name, root = namespace
    _write(root, SERVICE)
    with on_demand_packages(True, package=name):
        svc = __import__(f"{name}.svc", fromlist=["_"])
    assert type(svc).__name__ == "OnDemandPackage"
    assert svc._utilities.UTIL == 1 and svc.typing.__name__ == "typing"  # the header ran
    assert f"{name}.svc.other" not in sys.modules
    assert svc.Thing.__module__ == f"{name}.svc.thing"
    assert f"{name}.svc.outputs" in sys.modules and f"{name}.svc.other" not in sys.modules
    assert svc.Shared == "other"  # the later star import wins, as in the __init__
    assert svc.get_thing() == 1  # the function, not the module get_thing.py
    assert svc.outputs.Sub.__name__ == "Sub" and svc.SubArgsDict is dict and svc.Colour.__name__ == "Colour"
    assert not hasattr(svc, "nothing_of_that_name")
    assert {"Thing", "Other", "get_thing", "outputs", "_enums"} <= set(dir(svc))


def test_a_module_imported_directly_leaves_its_function_bound(namespace: tuple[str, Path]) -> None:
    name, root = namespace
    _write(root, SERVICE)
    with on_demand_packages(True, package=name):
        svc = __import__(f"{name}.svc", fromlist=["_"])
        __import__(f"{name}.svc.get_thing")  # the import system binds the module on its package
    assert callable(svc.get_thing) and svc.get_thing() == 1


def test_star_import_loads_the_package_whole(namespace: tuple[str, Path]) -> None:
    name, root = namespace
    _write(root, SERVICE)
    with on_demand_packages(True, package=name):
        svc = __import__(f"{name}.svc", fromlist=["_"])
    scope: dict[str, object] = {}
    exec(f"from {name}.svc import *", scope)
    assert {"Thing", "Other", "get_thing", "SubArgs", "Colour", "outputs"} <= scope.keys()
    assert scope["Shared"] == "other" and sys.modules[f"{name}.svc.other"].RAN is True  # type: ignore[attr-defined]
    assert not hasattr(svc, "__all__")  # the real __init__ declares none


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (
            {"svc/__init__.py": SERVICE["svc/__init__.py"] + "print('side effect')\n"},
            "a statement of its own",
        ),
        (
            {"svc/__init__.py": SERVICE["svc/__init__.py"] + "from .thing import Thing as T\n"},
            "a named import",
        ),
        ({"svc/other.py": "class Other: pass\n"}, "a module without __all__"),
        (
            {"svc/other.py": "__all__ = ['Other']\n__all__ += ['More']\nclass Other: pass\nMore = 1\n"},
            "__all__ changed",
        ),
        ({"svc/other.py": "__all__ = ['thing']\nthing = 1\n"}, "a name that is another module"),
        ({"svc/other.py": "__all__ = ['typing']\ntyping = 1\n"}, "a name the header binds"),
        (
            {
                "svc/__init__.py": SERVICE["svc/__init__.py"] + "from . import _utilities\n",
                "svc/_utilities.py": "",
            },
            "a module named as the header's",
        ),
        ({"svc/__init__.py": HEADER + "from .missing import *\n"}, "a module that is not there"),
    ],
)
def test_a_package_of_another_shape_is_loaded_whole(
    namespace: tuple[str, Path], change: dict[str, str], why: str
) -> None:
    name, root = namespace
    _write(root, {**SERVICE, **change})
    init = root / "svc" / "__init__.py"
    assert index_package(f"{name}.svc", init) is None, why
    if "missing" in change.get("svc/__init__.py", ""):
        return  # the real __init__ fails to import too
    with on_demand_packages(True, package=name):
        svc = __import__(f"{name}.svc", fromlist=["_"])
    assert type(svc).__name__ == "module", why


def test_the_index_reads_each_module_without_running_it(namespace: tuple[str, Path]) -> None:
    name, root = namespace
    _write(root, SERVICE)
    index = index_package(f"{name}.svc", root / "svc" / "__init__.py")
    assert index is not None
    assert index.star_modules == ("_enums", "thing", "get_thing", "other", "_inputs")
    assert index.owner["Shared"] == "other" and index.owner["get_thing"] == "get_thing"
    assert index.submodules == {"_enums", "thing", "get_thing", "other", "_inputs", "outputs"}
    assert f"{name}.svc.other" not in sys.modules


@pytest.mark.parametrize(
    ("source", "names"),
    [
        (b"__all__ = ['A', 'B']\n", ("A", "B")),
        (b"x = 1\n__all__ = [\n    'A',\n    'B',\n]\n", ("A", "B")),
        (b"__all__ = []\n", ()),
        (b"names = ['A']\n", None),
        (b"__all__ = ['A']\n__all__ = ['B']\n", None),
        (b"__all__ = ['A-B']\n", None),
        (b"__all__ = names()\n", None),
        (b'__all__ = ["A", "B"]\n', ("A", "B")),
        (b"__all__ = ['A', \"B\",]\n", ("A", "B")),
        (b"__all__ = ['A', B]\n", None),
        (b"__all__ = ['A' 'B']\n", None),
    ],
)
def test_exported_names(source: bytes, names: tuple[str, ...] | None) -> None:
    assert exported_names(source) == names


def test_disabled_installs_nothing() -> None:
    before = list(sys.meta_path)
    with on_demand_packages(False):
        assert sys.meta_path == before
    with on_demand_packages(True):
        assert len(sys.meta_path) == len(before) + 1
    assert sys.meta_path == before
