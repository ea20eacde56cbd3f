"""azure-native's packages loaded name by name, as the program asks for them (the lean run).

Each ``pulumi_azure_native.<service>`` package's ``__init__`` imports every module of the service:
``network`` alone is 290 modules and 9 MB of source, of which the program uses five classes. Importing
the nine packages the components name cost about 2.7 s of every ``tvt plan``, 1.3 s of it in
resource modules nothing here reads (measured with ``python -X importtime``).

While the lean run's program runs, :func:`on_demand_packages` puts a finder first on ``sys.meta_path``
that gives each such package a loader which, instead of running the package's ``__init__``, binds
what its header binds (``_builtins``, ``_utilities``, ``typing``) and answers every other name when
it is first asked for: the name's module (the last of the ``from .<module> import *`` lines whose
``__all__`` lists it, as the ``__init__`` itself would leave it) is imported then, and the name bound
from it. So every name resolves to the very object the ``__init__`` would have bound, only later,
and a module nothing asks for is never run. Nothing of azure-native is changed or copied: the same
files run, with the same globals, in the same interpreter.

The package is loaded the usual way, whole, unless its ``__init__`` is of the one shape azure-native
generates (the header above, ``from .<module> import *`` lines and ``from . import <module>``
lines, nothing else), every module it star-imports declares one literal ``__all__``, and no name is
both exported by one module and the name of another. ``from <package> import *`` (which asks for
``__all__``) first loads the package whole, then finds no ``__all__``, as with the real ``__init__``.
What it does not hide: a program that lists a package's contents instead of naming them
(``vars(network)``, ``network.__dict__``) sees only what has been asked for so far, and the
package's type is :class:`OnDemandPackage`; ``dir()`` lists every name. A program that did so would
register differently here than under the engine; the components name what they use.
``tests/scripts/engine/test_on_demand.py`` checks, each in a fresh interpreter, that every name of the
packages the program uses resolves to the same object on demand as eagerly, that the example
stacks' plans are byte for byte those of an eager run, and that unused modules are never run.

The real engine runs the program with the packages as shipped; none of this is used there.
"""

from __future__ import annotations

import ast
import importlib
import importlib.abc
import importlib.machinery
import re
import sys
import types
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PACKAGE = "pulumi_azure_native"
_HEADER = frozenset({"_builtins", "_utilities", "typing"})  # what the generated header binds
_ALL = re.compile(rb"^__all__ = \[(?P<names>[^\]]*)\]", re.MULTILINE)
_ITEM = rb"""(?:'[^'"]*'|"[^'"]*")"""  # one quoted name, in either quotes
_LISTED = re.compile(rb"\s*(?:" + _ITEM + rb"\s*,\s*)*(?:" + _ITEM + rb"\s*,?\s*)?")


@dataclass(frozen=True)
class PackageIndex:
    """Where each name of one generated package comes from, read off its source without running it."""

    name: str  # e.g. pulumi_azure_native.network
    header: types.CodeType  # the __init__'s own bindings (builtins, _utilities, typing)
    star_modules: tuple[str, ...]  # ``from .<module> import *``, in the __init__'s order
    submodules: frozenset[str]  # every module the __init__ imports, so an attribute of the package
    owner: Mapping[str, str]  # exported name -> the module whose star import binds it last


def exported_names(source: bytes) -> tuple[str, ...] | None:
    """The names of a module's one literal ``__all__``, or None if it has none, or more than one."""
    if source.count(b"__all__") != 1:
        return None
    found = _ALL.search(source)
    if found is None or not _LISTED.fullmatch(found["names"]):  # only quoted names and commas
        return None
    names = tuple(quoted[1:-1].decode("ascii", "replace") for quoted in re.findall(_ITEM, found["names"]))
    if not all(n.isidentifier() for n in names):
        return None
    return names


def _is_header(node: ast.stmt) -> bool:
    if isinstance(node, ast.Import):
        return [(a.name, a.asname) for a in node.names] in ([("builtins", "_builtins")], [("typing", None)])
    if isinstance(node, ast.ImportFrom):
        return (
            node.level == 2
            and node.module is None
            and [(a.name, a.asname) for a in node.names] == [("_utilities", None)]
        )
    return False


def index_package(name: str, init: Path) -> PackageIndex | None:
    """The index of the package ``name`` whose ``__init__.py`` is ``init``; None: load it whole."""
    try:
        source = init.read_bytes()
        tree = ast.parse(source, str(init))
    except (OSError, SyntaxError, ValueError):
        return None
    header: list[ast.stmt] = []
    star: list[str] = []
    plain: list[str] = []
    for node in tree.body:
        if _is_header(node):
            header.append(node)
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 1
            and node.module is not None
            and [a.name for a in node.names] == ["*"]
        ):
            star.append(node.module)
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 1
            and node.module is None
            and all(a.asname is None for a in node.names)
        ):
            plain.extend(a.name for a in node.names)
        else:
            return None  # a statement the generator does not write: run the __init__ itself
    owner: dict[str, str] = {}
    for module in star:
        if "." in module:
            return None
        try:
            names = exported_names((init.parent / f"{module}.py").read_bytes())
        except OSError:
            return None
        if names is None:
            return None
        for exported in names:
            owner[exported] = module  # a later star import rebinds the name, as in the __init__
    submodules = frozenset(star) | frozenset(plain)
    if not all((init.parent / f"{m}.py").is_file() for m in plain):
        return None
    # A name that is also a module of the package: the __init__ leaves the exported object bound
    # because that module's own star import comes after its import. Only that case is kept.
    if any(owner[n] != n for n in owner.keys() & submodules) or (owner.keys() | submodules) & _HEADER:
        return None
    code = compile(ast.Module(body=header, type_ignores=[]), str(init), "exec")
    return PackageIndex(name, code, tuple(star), submodules, owner)


_INDEXES: dict[str, PackageIndex] = {}  # packages being served on demand, by module name


class OnDemandPackage(types.ModuleType):
    """A package of which each name is bound when first asked for (see the module docstring)."""

    def __getattr__(self, name: str) -> Any:
        index = _INDEXES[types.ModuleType.__getattribute__(self, "__name__")]
        if name == "__all__":  # ``from package import *``: everything, as the __init__ would bind it
            complete(self, index)
            raise AttributeError(f"module {index.name!r} has no attribute '__all__'")
        module = index.owner.get(name)
        if module is not None:
            value = getattr(importlib.import_module(f"{index.name}.{module}"), name)
            self.__dict__[name] = value
            return value
        if name in index.submodules:
            return importlib.import_module(f"{index.name}.{name}")  # the import binds it here
        raise AttributeError(f"module {index.name!r} has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        # The import system binds each submodule on its package once it has run. Where the module
        # exports a name of its own (``get_key`` in ``get_key.py``) the __init__'s star import then
        # rebinds the name to the function; so does this.
        index = _INDEXES.get(types.ModuleType.__getattribute__(self, "__name__"))
        if (
            index is not None
            and isinstance(value, types.ModuleType)
            and index.owner.get(name) == name
            and value.__name__ == f"{index.name}.{name}"
        ):
            value = getattr(value, name)
        types.ModuleType.__setattr__(self, name, value)

    def __dir__(self) -> list[str]:
        return sorted({*self.__dict__, *_INDEXES[self.__name__].owner, *_INDEXES[self.__name__].submodules})


def complete(package: types.ModuleType, index: PackageIndex) -> None:
    """Bind everything the package's ``__init__`` binds: its modules imported in its order, then each
    name from the module that binds it last."""
    loaded = {m: importlib.import_module(f"{index.name}.{m}") for m in index.star_modules}
    for module in index.submodules - loaded.keys():
        importlib.import_module(f"{index.name}.{module}")
    for exported, owner in index.owner.items():
        package.__dict__[exported] = getattr(loaded[owner], exported)


class _Loader(importlib.abc.Loader):
    """Runs the package's header and serves the rest on demand, or, unindexable, the real __init__."""

    def __init__(self, real: importlib.abc.Loader, init: Path) -> None:
        self.real = real
        self.init = init

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self.real.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        index = index_package(module.__name__, self.init)
        if index is None:
            self.real.exec_module(module)
            return
        _INDEXES[module.__name__] = index
        exec(index.header, module.__dict__)  # noqa: S102  (the package's own header statements)
        module.__class__ = OnDemandPackage

    def __getattr__(self, name: str) -> Any:  # get_source, get_code, is_package, resource readers
        if name in {"real", "init"}:  # not set yet (a copy being made): no endless lookup
            raise AttributeError(name)
        return getattr(self.real, name)


class _Finder(importlib.abc.MetaPathFinder):
    """Finds ``<package>.<service>`` as the path finder does, with :class:`_Loader`."""

    def __init__(self, package: str) -> None:
        self.package = package

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        parent, _, child = fullname.rpartition(".")
        if parent != self.package or not child:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None or not spec.submodule_search_locations or not spec.origin:
            return None  # not a package from source: the usual finders deal with it
        spec.loader = _Loader(spec.loader, Path(spec.origin))
        return spec


@contextmanager
def on_demand_packages(enabled: bool, package: str = PACKAGE) -> Iterator[None]:
    """While the body runs, the packages of ``package`` (azure-native's services) that are imported
    for the first time load on demand."""
    if not enabled:
        yield
        return
    finder = _Finder(package)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
