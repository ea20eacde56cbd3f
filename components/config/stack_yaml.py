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

from components.config import go_yaml
from components.config.files import MAX_DEPTH, MAX_INT_DIGITS, MAX_YAML_NODES

try:
    from yaml._yaml import CParser as _CParser

    C_PARSER: type[Any] | None = _CParser
except ImportError:  # PyYAML built without libyaml: every document takes the hardened loader
    C_PARSER = None

__all__ = ["NOT_PLAIN", "SelfReference", "StackFileLoader", "load_plain", "load_yaml"]

_MERGE_TAG = "tag:yaml.org,2002:merge"
# Explicit tags whose values are no plain data: the engine has no such values to hand a program.
_NOT_PLAIN = ("binary", "timestamp", "omap", "pairs", "set")
# A plain scalar's tag is go-yaml's (components.config.go_yaml), not YAML 1.1's; an unquoted date or
# time gets a tag of its own, refused with how to write it.
_UNQUOTED_TIMESTAMP = "tag:tvt,2026:unquoted-timestamp"
_TAGS: Final = {
    go_yaml.TIMESTAMP: _UNQUOTED_TIMESTAMP,
    **{t: f"tag:yaml.org,2002:{t}" for t in (go_yaml.NULL, go_yaml.BOOL, go_yaml.INT, go_yaml.FLOAT)},
    go_yaml.STR: "tag:yaml.org,2002:str",
    go_yaml.MERGE: _MERGE_TAG,
}


def _refuse(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    raise yaml.constructor.ConstructorError(
        None,
        None,
        "expected plain data (text, numbers, true/false, lists, mappings), "
        f"got a {node.tag.replace('tag:yaml.org,2002:', '!!')} value",
        node.start_mark,
    )


_INEXACT_INTEGER = "tag:tvt,2026:inexact-integer"
_INTEGER_LITERAL = re.compile(r"[-+]?[0-9][0-9_]*")


def _inexact_integer(text: str, found: go_yaml.Resolved) -> bool:
    """Decimal digits that go-yaml (which read ``text`` as ``found``) does not read as an integer
    (too many for 64 bits): it reads them as an inexact number, or as text; not the integer written."""
    long = len(text.lstrip("+-").replace("_", "")) > 18  # shorter ones fit (a float's are exact)
    return long and found.tag != go_yaml.INT and bool(_INTEGER_LITERAL.fullmatch(text))


def _refuse_inexact_integer(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    raise yaml.constructor.ConstructorError(
        None,
        None,
        f"expected an integer of at most {MAX_INT_DIGITS} digits that fits in 64 bits "
        "(Pulumi reads a longer one as an inexact number, or as text)",
        node.start_mark,
    )


def _unquoted_timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    text = str(node.value)
    day = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", text)
    handed = f"'{day[1]}-{int(day[2]):02}-{int(day[3]):02} 00:00:00 +0000 UTC'" if day else "another text"
    raise yaml.constructor.ConstructorError(
        None,
        None,
        f"expected a quoted date or time: Pulumi reads an unquoted {text} as a timestamp and hands the "
        f'program {handed}; write "{text}"',
        node.start_mark,
    )


class StackFileLoader(yaml.SafeLoader):
    """YAML as the Pulumi engine reads it: plain scalars resolved by go-yaml's rules (unquoted
    timestamps refused), duplicate keys an error, merge keys (``<<: *anchor``) merged; and bounded:
    nesting, alias expansion and numbers cannot blow up."""

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

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0]:  # plain: go-yaml's reading
            found = go_yaml.resolve(value)
            return _INEXACT_INTEGER if _inexact_integer(value, found) else _TAGS[found.tag]
        # No implicit resolvers: text, or a collection.
        return str(super().resolve(kind, value, implicit))  # type: ignore[no-untyped-call]

    def _typed(self, node: yaml.ScalarNode, tag: str) -> Any:
        """The scalar as go-yaml decodes it with ``tag`` (implicit or explicit, as ``!!int "0x10"``):
        its reading, which must be of that tag (an integer may be a float's); else refused."""
        text = str(self.construct_scalar(node))
        found = go_yaml.resolve(text)
        if found.tag == go_yaml.TIMESTAMP:  # only an untagged scalar is tried as one
            found = go_yaml.Resolved(go_yaml.STR, text)
        if found.tag == go_yaml.INT and tag == go_yaml.FLOAT:
            found = go_yaml.Resolved(go_yaml.FLOAT, float(found.value))
        if found.tag != tag:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot decode !!{found.tag} `{text}` as a !!{tag}", node.start_mark
            )
        return found.value

    def construct_yaml_null(self, node: yaml.ScalarNode) -> None:
        self._typed(node, go_yaml.NULL)

    def construct_yaml_bool(self, node: yaml.ScalarNode) -> bool:
        return bool(self._typed(node, go_yaml.BOOL))

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        # go-yaml's integers fit 64 bits; longer digits were refused when the scalar was resolved.
        value: int = self._typed(node, go_yaml.INT)
        return value

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float | int:
        value: float = self._typed(node, go_yaml.FLOAT)
        if not math.isfinite(value):
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a finite number, got {node.value}", node.start_mark
            )
        return go_yaml.handed_number(value)


StackFileLoader.yaml_implicit_resolvers = {}
StackFileLoader.add_constructor("tag:yaml.org,2002:null", StackFileLoader.construct_yaml_null)
StackFileLoader.add_constructor("tag:yaml.org,2002:bool", StackFileLoader.construct_yaml_bool)
StackFileLoader.add_constructor("tag:yaml.org,2002:int", StackFileLoader.construct_yaml_int)
StackFileLoader.add_constructor("tag:yaml.org,2002:float", StackFileLoader.construct_yaml_float)
StackFileLoader.add_constructor(_UNQUOTED_TIMESTAMP, _unquoted_timestamp)
StackFileLoader.add_constructor(_INEXACT_INTEGER, _refuse_inexact_integer)
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
_NO_KEY: Final = object()
_MISSING: Final = object()


def _plain_scalar(value: str) -> Any:
    """A plain (unquoted) scalar as the hardened loader resolves it, or NOT_PLAIN for anything but
    text, true/false, null and short decimal integers (floats, octal, hex, timestamps, ``<<``)."""
    found = go_yaml.resolve(value)
    if found.tag in {go_yaml.STR, go_yaml.NULL, go_yaml.BOOL} and not _inexact_integer(value, found):
        return found.value
    if found.tag == go_yaml.INT and _DECIMAL.fullmatch(value) and len(value.lstrip("+-")) <= MAX_INT_DIGITS:
        return found.value
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
