"""Which surviving mutants are equivalent by construction: a few narrow, mechanical shapes.

A survivor is compared with the function it mutates, as mutmut writes both (``x_f__mutmut_orig``
and ``x_f__mutmut_<n>``), by walking the two syntax trees together. A mutant is equivalent only if
it differs from its original at exactly one point and that point has one of the shapes below, each
checked on the tree, never on the text. Anything else is behavioural: a survivor nobody has shown to
be harmless counts against the score and, in ``policies/rules/``, fails ``make mutate``.

The classes (``CLASSES``) and why each cannot hide a behavioural mutant:

- ``message-literal``: a string constant inside the message argument of ``Violation(...)`` (the
  first positional argument or ``message=``), or inside what a rule function annotated
  ``Iterator[str]`` yields (the framework turns each yielded string into a finding's message).
  Only the words of a finding change; whether, where and at what level it is reported does not.
  The constant must be a *part* of the message (a literal or an f-string's text), not a test.
- ``message-local``: the right-hand side of an assignment to a local name that is read only
  inside such messages (however often it is assigned), mutated in a string constant, or in the test of a
  conditional whose two branches are both string constants (``" in prod" if prod else ""``).
  The name never reaches a comparison, a return value or a call other than building the message.
- ``case-in-same``: a string constant passed to ``policies.props.same``, changed only in case
  (``"Deny"`` -> ``"DENY"``). ``same`` compares ``casefold()`` of both sides by definition (ARM
  compares enum strings case-insensitively), so the mutant computes the same answer for every
  input; a change that is more than case (``"XXDenyXX"``) is not in this class.
- ``falsy-keyword``: ``False`` -> ``None`` as a keyword argument that the callee only tests for
  truth, from an explicit list (``ipaddress.ip_network(strict=...)``: CPython's ``ipaddress`` reads
  ``strict`` only as ``if strict:``). Not a general rule about ``None``.
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass

CLASSES: dict[str, str] = {
    "message-literal": "a string constant inside a finding's message (Violation's message, or a "
    "string a rule function yields as its message): only the words change",
    "message-local": "a local read only inside findings' messages, changed in a string constant or in "
    "the test choosing between two string constants: only the words change",
    "case-in-same": "a case change in a string passed to policies.props.same, which compares casefolded "
    "strings by definition",
    "falsy-keyword": "False -> None as a keyword the callee only tests for truth "
    "(ipaddress.ip_network's strict)",
}
# (module, function, keyword) that the callee reads only as a truth value.
TRUTH_ONLY_KEYWORDS = frozenset({("ipaddress", "ip_network", "strict")})
_IGNORED_FIELDS = frozenset({"ctx", "type_comment", "lineno", "col_offset", "end_lineno", "end_col_offset"})


@dataclass(frozen=True)
class Step:
    """One ancestor on the way down to a difference: the node, and the field (and index) below it."""

    node: ast.AST
    field: str
    index: int | None = None


@dataclass(frozen=True)
class Difference:
    original: ast.AST
    mutant: ast.AST
    path: tuple[Step, ...]  # from the function down to ``original``'s parent


def _function(source: str) -> ast.FunctionDef | ast.AsyncFunctionDef:
    tree = ast.parse(textwrap.dedent(source))
    (node,) = tree.body
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        raise ValueError("expected one function definition")
    return node


def differences(original: ast.AST, mutant: ast.AST, path: tuple[Step, ...] = ()) -> list[Difference]:
    """Where two trees differ, as the smallest differing subtrees (the function's own name ignored)."""
    if type(original) is not type(mutant):
        return [Difference(original, mutant, path)]
    found: list[Difference] = []
    for field in original._fields:
        if field in _IGNORED_FIELDS or (not path and field == "name"):
            continue
        a, b = getattr(original, field, None), getattr(mutant, field, None)
        if isinstance(a, ast.AST) and isinstance(b, ast.AST):
            found += differences(a, b, (*path, Step(original, field)))
        elif isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                return [Difference(original, mutant, path)]
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                if isinstance(x, ast.AST) and isinstance(y, ast.AST):
                    found += differences(x, y, (*path, Step(original, field, i)))
                elif type(x) is not type(y) or x != y:
                    return [Difference(original, mutant, path)]
        elif type(a) is not type(b) or a != b:
            return [Difference(original, mutant, path)]
    return found


def _is_str(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _is_message_text(node: ast.AST) -> bool:
    """A string literal or an f-string: something only read as text."""
    return _is_str(node) or isinstance(node, ast.JoinedStr)


def _is_violation_message(step: Step) -> bool:
    call = step.node
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "Violation"):
        return False
    if step.field == "args":
        return step.index == 0
    return step.field == "keywords" and step.index is not None and call.keywords[step.index].arg == "message"


def _yields_messages(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A rule function annotated ``-> Iterator[str]``: what it yields are findings' messages."""
    returns = function.returns
    return (
        isinstance(returns, ast.Subscript)
        and isinstance(returns.value, ast.Name)
        and returns.value.id == "Iterator"
        and isinstance(returns.slice, ast.Name)
        and returns.slice.id == "str"
    )


# Nodes a message is built of, between its text and where it is reported.
_MESSAGE_PARTS = (ast.JoinedStr, ast.FormattedValue, ast.IfExp, ast.BinOp)


def _in_message(path: tuple[Step, ...], function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether the node below ``path`` is part of a reported message: going up, only message parts
    (f-strings, their values, a conditional's branches, ``+``) until a Violation's message or a yield
    of a message-yielding function. A conditional's test or a BinOp other than ``+`` is not text."""
    for step in reversed(path):
        node = step.node
        if _is_violation_message(step):
            return True
        if isinstance(node, ast.Yield):
            return _yields_messages(function)
        if isinstance(node, ast.keyword):
            continue  # the call above it decides (Violation's message=, or not a message)
        if not isinstance(node, _MESSAGE_PARTS):
            return False
        if isinstance(node, ast.IfExp) and step.field == "test":
            return False
        if isinstance(node, ast.BinOp) and not isinstance(node.op, ast.Add):
            return False
    return False


def _parents(function: ast.AST) -> dict[int, tuple[Step, ...]]:
    """id(node) -> its path from ``function``, for every node."""
    paths: dict[int, tuple[Step, ...]] = {id(function): ()}
    todo = [function]
    while todo:
        node = todo.pop()
        for field, value in ast.iter_fields(node):
            children = value if isinstance(value, list) else [value]
            for i, child in enumerate(children):
                if isinstance(child, ast.AST):
                    paths[id(child)] = (
                        *paths[id(node)],
                        Step(node, field, i if isinstance(value, list) else None),
                    )
                    todo.append(child)
    return paths


def _message_local(diff: Difference, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    assign = next(
        (
            (i, s.node)
            for i, s in enumerate(diff.path)
            if isinstance(s.node, ast.Assign) and s.field == "value"
        ),
        None,
    )
    if assign is None:
        return False
    _, node = assign
    assert isinstance(node, ast.Assign)
    if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
        return False
    name = node.targets[0].id
    a, b = diff.original, diff.mutant
    parent = diff.path[-1] if diff.path else None
    text_changed = _is_str(a) and _is_str(b)
    choice_changed = (
        parent is not None
        and isinstance(parent.node, ast.IfExp)
        and parent.field == "test"
        and _is_str(parent.node.body)
        and _is_str(parent.node.orelse)
    )
    if not (text_changed or choice_changed):
        return False
    paths = _parents(function)
    stores = [
        n
        for n in ast.walk(function)
        if isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Load)
    ]
    augmented = [n for n in ast.walk(function) if isinstance(n, ast.AugAssign | ast.NamedExpr)]
    loads = [
        n
        for n in ast.walk(function)
        if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)
    ]
    # However often it is assigned, a name read only inside messages carries nothing but text.
    if not stores or any(getattr(n.target, "id", None) == name for n in augmented) or not loads:
        return False
    return all(_in_message(paths[id(n)], function) for n in loads)


def _imports(module_source: str, name: str) -> str | None:
    """The module ``name`` is imported from in ``module_source`` (``from m import name``), if any."""
    for node in ast.parse(module_source).body:
        if isinstance(node, ast.ImportFrom) and any(a.name == name and a.asname is None for a in node.names):
            return node.module
    return None


def classify(original_source: str, mutant_source: str, module_source: str) -> str | None:
    """The equivalence class of a mutant (see ``CLASSES``), or None: behavioural until shown otherwise."""
    function = _function(original_source)
    found = differences(function, _function(mutant_source))
    if len(found) != 1:
        return None
    (diff,) = found
    a, b = diff.original, diff.mutant
    parent = diff.path[-1] if diff.path else None
    if (
        _is_str(a)
        and _is_str(b)
        and parent is not None
        and isinstance(parent.node, ast.Call)
        and isinstance(parent.node.func, ast.Name)
        and parent.node.func.id == "same"
        and parent.field == "args"
        and _imports(module_source, "same") == "policies.props"
    ):
        assert isinstance(a, ast.Constant) and isinstance(b, ast.Constant)
        return "case-in-same" if a.value.casefold() == b.value.casefold() else None
    if _is_str(a) and _is_str(b) and _in_message(diff.path, function):
        return "message-literal"
    if _message_local(diff, function):
        return "message-local"
    if (
        isinstance(a, ast.Constant)
        and a.value is False
        and isinstance(b, ast.Constant)
        and b.value is None
        and parent is not None
        and isinstance(parent.node, ast.keyword)
        and len(diff.path) >= 2
    ):
        call = diff.path[-2].node
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
            owner = call.func.value
            key = (owner.id if isinstance(owner, ast.Name) else "", call.func.attr, parent.node.arg)
            return "falsy-keyword" if key in TRUTH_ONLY_KEYWORDS else None
    return None


def function_sources(mutated_module: str, mutant: str) -> tuple[str, str] | None:
    """(original, mutant) source of mutmut's mutant ``...x_f__mutmut_<n>`` in its mutated module."""
    function = mutant.rpartition(".")[2]
    stem, _, _ = function.rpartition("__mutmut_")
    wanted = {f"{stem}__mutmut_orig": "original", function: "mutant"}
    found: dict[str, str] = {}
    for node in ast.walk(ast.parse(mutated_module)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in wanted:
            segment = ast.get_source_segment(mutated_module, node)
            if segment is not None:
                found[wanted[node.name]] = segment
    if set(found) != {"original", "mutant"}:
        return None
    return found["original"], found["mutant"]
