"""Azure ABAC role-assignment conditions: the one grammar the rules and the report share, and their meaning.

:func:`parse` reads a condition (learn.microsoft.com, "Azure role assignment condition format and
syntax") into a tree of :class:`Action`, :class:`Not`, :class:`And`, :class:`Or` and
:class:`Compare` nodes. It understands only what this pack can reason about, and refuses the rest
with :class:`AbacError`, so a rule fails closed on anything it cannot read:

- logical ``AND``/``&&``, ``OR``/``||``, ``NOT``/``!`` and parentheses; AND and OR never mix at one
  level without parentheses (Azure requires them there, and a reader could misread the precedence);
- ``ActionMatches{'<action or pattern with *>'}``;
- ``@Environment[UtcNow] DateTimeLessThan|DateTimeGreaterThan '<date-time>'``;
- ``@Environment[isPrivateLink] BoolEquals|BoolNotEquals true|false``;
- the blob path, ``@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path]``,
  with ``StringEquals``, ``StringNotEquals``, ``StringStartsWith`` or ``StringNotStartsWith``.

:func:`access` then decides what the condition guarantees for every request for one action: does
any pass, does every one, is every passing request before some moment, over private link, under a
path prefix. It decides over a finite set of requests that is complete for these atoms (every side
of every time, path and flag constant), so the answer is exact, not a pattern match; each atom's
requests are a set of bits, so the tree is decided with set operations rather than request by
request (:func:`access_by_enumeration` is the definition, and the tests' oracle).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs"
UTC_NOW = "@Environment[UtcNow]"
PRIVATE_LINK = "@Environment[isPrivateLink]"
BLOB_PATH = f"@Resource[{BLOBS}:path]"

_OPERATORS: dict[str, tuple[str, ...]] = {
    UTC_NOW: ("DateTimeLessThan", "DateTimeGreaterThan"),
    PRIVATE_LINK: ("BoolEquals", "BoolNotEquals"),
    BLOB_PATH: ("StringEquals", "StringNotEquals", "StringStartsWith", "StringNotStartsWith"),
}


class AbacError(ValueError):
    """A condition this grammar does not understand (the message says where and what)."""


@dataclass(frozen=True)
class Action:
    """``ActionMatches{'<pattern>'}``: the request's action matches (``*`` is a wildcard, no case)."""

    pattern: str


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Compare:
    """``<attribute> <operator> <value>``; ``value`` is a datetime (UtcNow), bool or str."""

    attribute: str
    operator: str
    value: dt.datetime | bool | str


Node = Action | Not | And | Or | Compare

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<open>\() | (?P<close>\)) | (?P<and>&&) | (?P<or>\|\|) | (?P<bang>!)
    | (?i:ActionMatches)\s*\{\s*(?:'(?P<match>[^']*)'|"(?P<match2>[^"]*)")\s*\}
    | (?P<attribute>@[A-Za-z]+\s*\[[^\]]*\])
    | '(?P<quoted>[^']*)' | "(?P<quoted2>[^"]*)"
    | (?P<word>[A-Za-z_][A-Za-z0-9_:.-]*)
    | (?P<other>\S)
    )""",
    re.VERBOSE,
)
_KINDS = ("open", "close", "and", "or", "bang", "match", "match2", "attribute", "quoted", "quoted2", "word")
_KEYWORDS = {"AND": "and", "OR": "or", "NOT": "bang"}
_ATTRIBUTES = {re.sub(r"\s+", "", a).casefold(): a for a in _OPERATORS}


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    at: int


def _tokens(condition: str) -> list[_Token]:
    found = []
    for m in _TOKEN.finditer(condition):
        if m.group("other") is not None:
            raise AbacError(f"unexpected {m.group('other')!r} at character {m.start('other')}")
        kind = next(k for k in _KINDS if m.group(k) is not None)
        text = m.group(kind)
        kind = kind.removesuffix("2")
        if kind == "word":
            kind = _KEYWORDS.get(text.upper(), kind)
        found.append(_Token(kind, text, m.start(m.lastindex or 0)))
    return found


class _Parser:
    def __init__(self, condition: str) -> None:
        self.tokens = _tokens(condition)
        self.i = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, kind: str, what: str) -> _Token:
        token = self.peek()
        if token is None or token.kind != kind:
            shown = f"{token.text!r} at character {token.at}" if token else "the end"
            raise AbacError(f"expected {what}, found {shown}")
        self.i += 1
        return token

    def expression(self) -> Node:
        operands = [self.unary()]
        joiner: str | None = None
        while (token := self.peek()) is not None and token.kind in ("and", "or"):
            if joiner is not None and token.kind != joiner:
                raise AbacError(
                    f"AND and OR are mixed without parentheses at character {token.at}; Azure requires "
                    "parentheses to say which binds first"
                )
            joiner = token.kind
            self.i += 1
            operands.append(self.unary())
        if joiner is None:
            return operands[0]
        return And(tuple(operands)) if joiner == "and" else Or(tuple(operands))

    def unary(self) -> Node:
        token = self.peek()
        if token is None:
            raise AbacError("expected an expression, found the end")
        if token.kind == "bang":
            self.i += 1
            return Not(self.unary())
        if token.kind == "open":
            self.i += 1
            inner = self.expression()
            self.take("close", "')'")
            return inner
        if token.kind == "match":
            self.i += 1
            return Action(token.text)
        if token.kind == "attribute":
            self.i += 1
            return self.comparison(token)
        raise AbacError(f"expected an expression, found {token.text!r} at character {token.at}")

    def comparison(self, attribute_token: _Token) -> Compare:
        attribute = _ATTRIBUTES.get(re.sub(r"\s+", "", attribute_token.text).casefold())
        if attribute is None:
            raise AbacError(f"attribute {attribute_token.text} is not one this pack understands")
        operator_token = self.take("word", f"an operator after {attribute}")
        operator = next(
            (o for o in _OPERATORS[attribute] if o.casefold() == operator_token.text.casefold()), None
        )
        if operator is None:
            raise AbacError(
                f"operator {operator_token.text} on {attribute} is not understood; expected one of "
                f"{', '.join(_OPERATORS[attribute])}"
            )
        value_token = self.peek()
        if value_token is None or value_token.kind not in ("quoted", "word"):
            raise AbacError(f"expected a value after {attribute} {operator}")
        self.i += 1
        return Compare(attribute, operator, _value(attribute, value_token))


def _value(attribute: str, token: _Token) -> dt.datetime | bool | str:
    if attribute == UTC_NOW:
        moment = moment_of(token.text) if token.kind == "quoted" else None
        if moment is None:
            raise AbacError(
                f"{UTC_NOW} needs a quoted date-time like '2027-10-01T00:00:00.0Z', got {token.text}"
            )
        return moment
    if attribute == PRIVATE_LINK:
        if token.text.casefold() not in ("true", "false"):
            raise AbacError(f"{PRIVATE_LINK} needs true or false, got {token.text}")
        return token.text.casefold() == "true"
    if token.kind != "quoted":
        raise AbacError(f"{attribute} needs a quoted string, got {token.text}")
    return token.text


def moment_of(literal: str) -> dt.datetime | None:
    """An ABAC DateTime literal ('2027-10-01T00:00:00.0Z'); naive values are UTC. None if unparseable."""
    try:
        moment = dt.datetime.fromisoformat(literal.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@lru_cache(maxsize=4096)
def parse(condition: str) -> Node:
    """The condition as a tree, or :class:`AbacError` naming what is not understood.

    Memoised (the tree is immutable): a stack's grants repeat a few condition shapes, and the rule
    and the reports parse each one again.
    """
    parser = _Parser(condition)
    if not parser.tokens:
        raise AbacError("the condition is empty")
    tree = parser.expression()
    rest = parser.peek()
    if rest is not None:
        raise AbacError(f"unexpected {rest.text!r} at character {rest.at} after a complete expression")
    return tree


# -- meaning --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One request as a condition sees it."""

    action: str
    now: dt.datetime
    private_link: bool
    path: str


@lru_cache(maxsize=1024)
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + ".*".join(re.escape(part) for part in pattern.split("*")) + "$", re.IGNORECASE)


def _matches(pattern: str, action: str) -> bool:
    return _pattern(pattern).match(action) is not None


def holds(node: Node, request: Request) -> bool:
    """Whether the condition lets ``request`` through."""
    if isinstance(node, Action):
        return _matches(node.pattern, request.action)
    if isinstance(node, Not):
        return not holds(node.operand, request)
    if isinstance(node, And):
        return all(holds(o, request) for o in node.operands)
    if isinstance(node, Or):
        return any(holds(o, request) for o in node.operands)
    return _compare(node, request)


def _compare(node: Compare, request: Request) -> bool:
    value = node.value
    if node.attribute == UTC_NOW:
        assert isinstance(value, dt.datetime)
        return request.now < value if node.operator == "DateTimeLessThan" else request.now > value
    if node.attribute == PRIVATE_LINK:
        return (request.private_link == value) == (node.operator == "BoolEquals")
    assert isinstance(value, str)
    if node.operator in ("StringEquals", "StringNotEquals"):
        return (request.path == value) == (node.operator == "StringEquals")
    return request.path.startswith(value) == (node.operator == "StringStartsWith")


def _atoms(node: Node) -> Iterator[Compare]:
    if isinstance(node, Compare):
        yield node
    elif isinstance(node, Not):
        yield from _atoms(node.operand)
    elif isinstance(node, And | Or):
        for operand in node.operands:
            yield from _atoms(operand)


_TICK = dt.timedelta(microseconds=1)
_BEYOND = "\uffff"  # continues no constant: the path "below every known folder, in none of them"
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _moments(atoms: list[Compare], times: Iterable[dt.datetime]) -> list[dt.datetime]:
    """Every moment a time comparison (or the caller) names, in order."""
    return sorted({*(a.value for a in atoms if isinstance(a.value, dt.datetime)), *times})


def _paths(atoms: list[Compare], prefixes: Iterable[str]) -> set[str]:
    """Every path a blob-path comparison (the only comparisons of strings) or the caller names."""
    return {a.value for a in atoms if isinstance(a.value, str)} | set(prefixes)


def _instants(moments: list[dt.datetime]) -> list[dt.datetime]:
    """A moment on every side of every constant (the epoch's when there is none)."""
    return sorted({t for m in moments or [_EPOCH] for t in (m - _TICK, m, m + _TICK)})


def _places(paths: set[str]) -> list[str]:
    """Every path constant, a path just below each, and one below none of them."""
    return sorted({_BEYOND, *paths, *(p + _BEYOND for p in paths)})


def _requests(action: str, moments: list[dt.datetime], paths: set[str]) -> Iterator[Request]:
    """Requests for ``action`` on every side of every constant: complete for these atoms, since
    between two neighbouring constants every request is decided alike."""
    for moment, link, path in itertools.product(_instants(moments), (True, False), _places(paths)):
        yield Request(action, moment, link, path)


@dataclass(frozen=True)
class Access:
    """What a condition guarantees about the requests for one action that it lets through."""

    action: str
    allowed: bool  # some request for the action passes
    always: bool  # every request for it passes
    before: dt.datetime | None  # the earliest moment every passing request is before, if any
    private_link: bool  # every passing request came through a private endpoint
    prefixes: frozenset[str]  # path prefixes every passing request's blob path starts with


def access_by_enumeration(
    node: Node | None, action: str, *, times: Iterable[dt.datetime] = (), prefixes: Iterable[str] = ()
) -> Access:
    """:func:`access` by its definition: :func:`holds` on every request of the complete set, one
    by one. Kept as the oracle the fast :func:`access` is tested against."""
    if node is None:
        return Access(action, True, True, None, False, frozenset())
    atoms = list(_atoms(node))
    moments, candidates = _moments(atoms, times), _paths(atoms, prefixes)
    requests = list(_requests(action, moments, candidates))
    passing = [r for r in requests if holds(node, r)]
    return Access(
        action=action,
        allowed=bool(passing),
        always=len(passing) == len(requests),
        before=next((m for m in moments if passing and all(r.now < m for r in passing)), None),
        private_link=bool(passing) and all(r.private_link for r in passing),
        prefixes=frozenset(p for p in candidates if passing and all(r.path.startswith(p) for r in passing)),
    )


class _Grid:
    """The requests of :func:`_requests` as bits of an int: bit ``(t * 2 + link) * W + p`` is the
    request at instant ``t``, over private link (link 0) or not (1), at place ``p``.

    A set of requests is then one int: an atom's set is built along its own dimension only, and
    AND, OR and NOT are ``&``, ``|`` and complement, so no request is evaluated one by one.
    """

    def __init__(self, instants: list[dt.datetime], places: list[str]) -> None:
        self.instants = instants
        self.places = places
        width = len(places)
        self.block = (1 << (2 * width)) - 1  # every request at one instant
        self.full = (1 << (2 * width * len(instants))) - 1
        # Multiplying a set of places (< 2**width) by this repeats it at every instant and link.
        self.every_row = sum(1 << (row * width) for row in range(2 * len(instants)))
        self.link_row = (1 << width) - 1  # the places over private link at the first instant
        self.link = sum(self.link_row << (2 * t * width) for t in range(len(instants)))

    def at_instants(self, keep: Callable[[dt.datetime], bool]) -> int:
        return sum(self.block << (2 * t * len(self.places)) for t, i in enumerate(self.instants) if keep(i))

    def at_places(self, keep: Callable[[str], bool]) -> int:
        return sum(1 << p for p, place in enumerate(self.places) if keep(place)) * self.every_row

    def before(self, moment: dt.datetime) -> int:
        return self.at_instants(lambda now: now < moment)

    def under(self, prefix: str) -> int:
        return self.at_places(lambda path: path.startswith(prefix))

    def passing(self, node: Node, action: str) -> int:
        if isinstance(node, Action):
            return self.full if _matches(node.pattern, action) else 0
        if isinstance(node, Not):
            return self.full ^ self.passing(node.operand, action)
        if isinstance(node, And):
            found = self.full
            for operand in node.operands:
                found &= self.passing(operand, action)
            return found
        if isinstance(node, Or):
            found = 0
            for operand in node.operands:
                found |= self.passing(operand, action)
            return found
        return self.compare(node)

    def compare(self, node: Compare) -> int:
        value = node.value
        if node.attribute == UTC_NOW:
            assert isinstance(value, dt.datetime)
            if node.operator == "DateTimeLessThan":
                return self.before(value)
            return self.at_instants(lambda now: now > value)
        if node.attribute == PRIVATE_LINK:
            return self.link if value == (node.operator == "BoolEquals") else self.full ^ self.link
        assert isinstance(value, str)
        if node.operator in ("StringEquals", "StringNotEquals"):
            equal = node.operator == "StringEquals"
            return self.at_places(lambda path: (path == value) == equal)
        under = self.under(value)
        return under if node.operator == "StringStartsWith" else self.full ^ under


def access(
    node: Node | None, action: str, *, times: Iterable[dt.datetime] = (), prefixes: Iterable[str] = ()
) -> Access:
    """What ``node`` (None: no condition) guarantees for ``action``; ``times`` and ``prefixes`` are
    bounds a caller wants judged besides those written in the condition.

    Exactly :func:`access_by_enumeration`, over the same requests, decided as sets (:class:`_Grid`).
    """
    if node is None:
        return Access(action, True, True, None, False, frozenset())
    atoms = list(_atoms(node))
    moments, candidates = _moments(atoms, times), _paths(atoms, prefixes)
    grid = _Grid(_instants(moments), _places(candidates))
    passing = grid.passing(node, action)
    return Access(
        action=action,
        allowed=passing != 0,
        always=passing == grid.full,
        before=next((m for m in moments if passing and not passing & ~grid.before(m)), None),
        private_link=passing != 0 and not passing & ~grid.link,
        prefixes=frozenset(p for p in candidates if passing and not passing & ~grid.under(p)),
    )
