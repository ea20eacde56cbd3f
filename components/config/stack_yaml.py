"""A stack file's YAML as the Pulumi engine reads it, bounded so that hostile input cannot blow up.

:func:`load_yaml` is the one entry. The hardened loader (pure-Python PyYAML: it composes node by
node, so it can refuse deep nesting and alias bombs before building anything) is the definition of
what is accepted and of every message. Most stack files are plain data, which libyaml reads nearly
twenty times faster (18x on a 3,000-resource estate's file): :func:`load_plain` builds those from
libyaml's events and answers only when the document has nothing the hardened loader would treat
specially (no anchor, alias, tag, merge key, duplicate key, float, unusual number, directive, second
document, deep nesting, huge size, tab or unusual line break); anything else, and any error, goes to
the hardened loader, which decides.
"""

from __future__ import annotations

import math
import re
from typing import Any, Final

import yaml

from components.config.files import MAX_DEPTH, MAX_INT_DIGITS, MAX_YAML_NODES

try:
    from yaml._yaml import CParser as _CParser

    C_PARSER: type[Any] | None = _CParser
except ImportError:  # PyYAML built without libyaml: every document takes the hardened loader
    C_PARSER = None

__all__ = ["NOT_PLAIN", "SelfReference", "StackFileLoader", "load_plain", "load_yaml"]

_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_MERGE_TAG = "tag:yaml.org,2002:merge"
# Explicit tags whose values are no plain data: the engine has no such values to hand a program.
_NOT_PLAIN = ("binary", "timestamp", "omap", "pairs", "set")
# The engine hands a program ISO dates as strings; PyYAML would make them ``date`` objects.
RESOLVERS: Final = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _refuse(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    raise yaml.constructor.ConstructorError(
        None,
        None,
        "expected plain data (text, numbers, true/false, lists, mappings), "
        f"got a {node.tag.replace('tag:yaml.org,2002:', '!!')} value",
        node.start_mark,
    )


class StackFileLoader(yaml.SafeLoader):
    """YAML as the Pulumi engine reads it: dates stay strings, duplicate keys are an error, merge keys
    (``<<: *anchor``) merge; and bounded: nesting, alias expansion and numbers cannot blow up."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._explicit: dict[int, list[yaml.Node]] = {}  # a mapping's own keys, before merging

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        # The composer recurses once per level: refuse deep input before the interpreter's stack does.
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"nested deeper than {MAX_DEPTH} levels",
                    self.peek_event().start_mark,  # type: ignore[no-untyped-call]
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        _check_expansion(node)
        return self.construct_document(node)

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        self._explicit.setdefault(id(node), [k for k, _ in node.value if k.tag != _MERGE_TAG])
        super().flatten_mapping(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        explicit = self._explicit.get(id(node)) or [k for k, _ in node.value if k.tag != _MERGE_TAG]
        for key_node in explicit:  # a merged key overridden by the mapping's own is no duplicate
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool | None):
                break  # the base class reports unhashable keys
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        text = str(node.value)
        if len(text.lstrip("+-").replace("_", "")) > MAX_INT_DIGITS:
            raise yaml.constructor.ConstructorError(
                None, None, f"expected an integer of at most {MAX_INT_DIGITS} digits", node.start_mark
            )
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        value: float = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a finite number, got {node.value}", node.start_mark
            )
        return value


StackFileLoader.yaml_implicit_resolvers = RESOLVERS
StackFileLoader.add_constructor("tag:yaml.org,2002:int", StackFileLoader.construct_yaml_int)
StackFileLoader.add_constructor("tag:yaml.org,2002:float", StackFileLoader.construct_yaml_float)
for _tag in _NOT_PLAIN:
    StackFileLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a document whose aliases expand it past the limits, or refer to their own anchor.

    Aliases share nodes, so ten anchors of ten aliases each are a billion values once expanded;
    sizes are summed over the shared nodes (iteratively: alias chains may be deep) without expanding.
    """
    done: dict[int, tuple[int, int]] = {}  # node -> (values, depth) once expanded
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        key = id(node)
        if closing:
            sizes = [done[id(child)] for child in _children(node)]
            size = 1 + sum(n for n, _ in sizes)
            depth = 1 + max((d for _, d in sizes), default=0)
            if size > MAX_YAML_NODES or depth > MAX_DEPTH:
                what = (
                    f"{MAX_YAML_NODES} values" if size > MAX_YAML_NODES else f"{MAX_DEPTH} levels of nesting"
                )
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"expands to more than {what} once its aliases (*name) are followed",
                    node.start_mark,
                )
            done[key] = (size, depth)
            open_.discard(key)
        elif key in open_:
            raise SelfReference(node.start_mark)
        elif key not in done:
            open_.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))


class SelfReference(Exception):
    """An anchor whose own value refers to it (``&g [*g]``); ``str()`` says where."""

    def __init__(self, mark: Any) -> None:
        super().__init__(f"line {mark.line + 1}, column {mark.column + 1}")


def load_yaml(text: str) -> Any:
    """The one document in ``text``; yaml.YAMLError or SelfReference when the stack file is refused."""
    document = load_plain(text)
    if document is NOT_PLAIN:
        document = yaml.load(text, Loader=StackFileLoader)  # noqa: S506 (a SafeLoader subclass)
    return document


# --- the plain-data fast path ---------------------------------------------------------------------


class _NotPlain:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NOT_PLAIN"


NOT_PLAIN: Final = _NotPlain()
# What the hardened loader refuses (its reader), and characters the two parsers may read apart:
# tabs, NEL and the Unicode line separators, and a byte order mark after the first character.
_UNUSUAL = re.compile(rf"{yaml.reader.Reader.NON_PRINTABLE.pattern}|[\t\x85\u2028\u2029]|(?!\A)\ufeff")
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_BOOL_TAG, _INT_TAG, _NULL_TAG = (f"tag:yaml.org,2002:{t}" for t in ("bool", "int", "null"))
_NO_KEY: Final = object()
_MISSING: Final = object()
_WILDCARD: Final = RESOLVERS.get(None, [])


def _plain_scalar(value: str) -> Any:
    """A plain (unquoted) scalar as the hardened loader resolves it, or NOT_PLAIN for anything but
    text, true/false, null and short decimal integers (floats, octal, hex, ``<<``, ``=``, ...)."""
    resolvers = RESOLVERS.get(value[:1])
    if resolvers is None and not _WILDCARD:
        return value  # most text: no implicit type starts with its first character
    tag = next((tag for tag, regexp in (resolvers or []) + _WILDCARD if regexp.match(value)), None)
    if tag is None:
        return value
    if tag == _NULL_TAG:
        return None
    if tag == _BOOL_TAG:
        return yaml.SafeLoader.bool_values[value.lower()]
    if tag == _INT_TAG and _DECIMAL.fullmatch(value) and len(value.lstrip("+-")) <= MAX_INT_DIGITS:
        return int(value)
    return NOT_PLAIN


def load_plain(text: str) -> Any:
    """The document in ``text`` read by libyaml when it is plain data, else :data:`NOT_PLAIN`.

    Plain means what the hardened loader would build without any of its special cases; for such a
    document both build the same value (``tests/config/test_config_yaml.py`` compares them).
    """
    if C_PARSER is None or _UNUSUAL.search(text):
        return NOT_PLAIN
    parser = C_PARSER(text)
    try:
        return _build(parser.get_event)
    except yaml.YAMLError:
        return NOT_PLAIN
    finally:
        parser.dispose()


def _build(next_event: Any) -> Any:
    """The stream's one document, or NOT_PLAIN for no document's worth of special cases."""
    next_event()  # StreamStartEvent
    event = next_event()
    if type(event) is yaml.StreamEndEvent:
        return None  # no document at all, as the hardened loader reads it
    if event.version is not None or event.tags:  # %YAML / %TAG directives
        return NOT_PLAIN
    root = _values(next_event)
    if root is not NOT_PLAIN and type(next_event()) is not yaml.StreamEndEvent:
        return NOT_PLAIN  # a second document: the hardened loader says so
    return root


def _values(next_event: Any) -> Any:
    """A document's values up to its end, with a stack of open containers (iterative: no recursion)."""
    containers: list[Any] = []
    keys: list[Any] = []  # per open mapping: the key awaiting its value, or _NO_KEY
    nodes = 0
    root: Any = NOT_PLAIN
    resolved: dict[str, Any] = {}  # plain text -> value: keys and enum values repeat throughout
    while True:
        event = next_event()
        kind = type(event)
        if kind is yaml.ScalarEvent:
            if event.anchor is not None or event.tag is not None:
                return NOT_PLAIN
            value = event.value
            if event.implicit[0]:
                text = value
                value = resolved.get(text, _MISSING)
                if value is _MISSING:
                    value = resolved[text] = _plain_scalar(text)
                if value is NOT_PLAIN:
                    return NOT_PLAIN
            opened = False
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if event.anchor is not None or event.tag is not None or len(containers) >= MAX_DEPTH - 2:
                return NOT_PLAIN
            value = {} if kind is yaml.MappingStartEvent else []
            opened = True
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            containers.pop()
            keys.pop()
            continue
        elif kind is yaml.DocumentEndEvent:
            return root
        else:  # an alias
            return NOT_PLAIN
        nodes += 1
        if nodes >= MAX_YAML_NODES:
            return NOT_PLAIN
        if not containers:
            root = value
        elif type(parent := containers[-1]) is dict:
            key = keys[-1]
            if key is _NO_KEY:
                if opened or value in parent:  # a complex key, or a duplicate
                    return NOT_PLAIN
                keys[-1] = value
            else:
                parent[key] = value
                keys[-1] = _NO_KEY
        else:
            parent.append(value)
        if opened:
            containers.append(value)
            keys.append(_NO_KEY)
