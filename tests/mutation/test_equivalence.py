"""Each equivalence class of ``make mutate`` recognises its shape and nothing next to it."""

from __future__ import annotations

import pytest

from tests.mutation.equivalence import CLASSES, classify, function_sources

MODULE = "from policies.props import same\nfrom policies.model import Violation\nimport ipaddress\n"
OTHER_SAME = "from somewhere.other import same\n"


def _pair(original: str, mutant: str) -> tuple[str, str]:
    return (f"def x_f__mutmut_orig(r, prod):\n{original}", f"def x_f__mutmut_1(r, prod):\n{mutant}")


EQUIVALENT = [
    (
        "message-literal",
        '    yield Violation("no zone group references it", r.urn)\n',
        '    yield Violation("XXno zone group references itXX", r.urn)\n',
    ),
    (
        "message-literal",
        '    yield Violation(message=f"bad {r}", urn=r.urn)\n',
        '    yield Violation(message=f"XXbad {r}", urn=r.urn)\n',
    ),
    (
        "message-local",
        '    where = " in prod" if prod else ""\n    yield Violation(f"short{where}", r.urn)\n',
        '    where = " in prod" if prod or True else ""\n    yield Violation(f"short{where}", r.urn)\n',
    ),
    (
        "message-local",
        '    shown = ", ".join(r) or "none"\n    yield Violation(f"held: {shown}", r.urn)\n',
        '    shown = "XX, XX".join(r) or "none"\n    yield Violation(f"held: {shown}", r.urn)\n',
    ),
    (
        "message-local",
        '    if r:\n        shown = str(r)\n        yield Violation(f"size {shown}")\n'
        '    shown = prod or "<none>"\n    yield Violation(f"level {shown}")\n',
        '    if r:\n        shown = str(r)\n        yield Violation(f"size {shown}")\n'
        '    shown = prod or "XX<none>XX"\n    yield Violation(f"level {shown}")\n',
    ),
    (
        "case-in-same",
        '    if not same(r.get("access"), "Deny"):\n        yield Violation("x")\n',
        '    if not same(r.get("access"), "DENY"):\n        yield Violation("x")\n',
    ),
    (
        "falsy-keyword",
        "    return ipaddress.ip_network(r, strict=False)\n",
        "    return ipaddress.ip_network(r, strict=None)\n",
    ),
]

BEHAVIOURAL = [
    (  # the urn is where the finding goes, not its words
        '    yield Violation("x", "urn:a")\n',
        '    yield Violation("x", "XXurn:aXX")\n',
    ),
    (  # more than case: a different enum value
        '    if not same(r.get("access"), "Deny"):\n        yield Violation("x")\n',
        '    if not same(r.get("access"), "XXDenyXX"):\n        yield Violation("x")\n',
    ),
    (  # a case change in an ordinary comparison is behavioural
        '    if r.get("access") == "Deny":\n        yield Violation("x")\n',
        '    if r.get("access") == "DENY":\n        yield Violation("x")\n',
    ),
    (  # the local also decides something
        '    where = " in prod" if prod else ""\n    if where:\n        return\n'
        '    yield Violation(f"short{where}")\n',
        '    where = " in prod" if prod or True else ""\n    if where:\n        return\n'
        '    yield Violation(f"short{where}")\n',
    ),
    (  # assigned twice, and one of its reads decides something
        "    shown = str(r)\n    if shown:\n        return\n"
        '    shown = prod or "<none>"\n    yield Violation(f"level {shown}")\n',
        "    shown = str(r)\n    if shown:\n        return\n"
        '    shown = prod or "XX<none>XX"\n    yield Violation(f"level {shown}")\n',
    ),
    (  # a local whose value is not only text: the join could raise
        '    shown = ", ".join(r) or "none"\n    yield Violation(f"held: {shown}")\n',
        '    shown = ", ".join(None) or "none"\n    yield Violation(f"held: {shown}")\n',
    ),
    (  # a conditional's test inside a message chooses which finding, not only its words
        '    yield Violation("a" if prod else "b")\n',
        '    yield Violation("a" if not prod else "b")\n',
    ),
    (  # a keyword not on the list
        "    return sorted(r, reverse=False)\n",
        "    return sorted(r, reverse=None)\n",
    ),
    (  # two changes at once are not one shape
        '    yield Violation("a", "u")\n    yield Violation("b", "v")\n',
        '    yield Violation("XXaXX", "u")\n    yield Violation("b", "XXvXX")\n',
    ),
    (  # a string returned, not reported
        '    return "Deny"\n',
        '    return "XXDenyXX"\n',
    ),
]


@pytest.mark.parametrize(("expected", "original", "mutant"), EQUIVALENT)
def test_each_class_recognises_its_shape(expected: str, original: str, mutant: str) -> None:
    assert classify(*_pair(original, mutant), MODULE) == expected
    assert expected in CLASSES


@pytest.mark.parametrize(("original", "mutant"), BEHAVIOURAL)
def test_near_misses_are_behavioural(original: str, mutant: str) -> None:
    assert classify(*_pair(original, mutant), MODULE) is None


def test_case_in_same_needs_the_case_insensitive_same() -> None:
    original, mutant = _pair(
        '    if not same(r.get("access"), "Deny"):\n        return 1\n',
        '    if not same(r.get("access"), "deny"):\n        return 1\n',
    )
    assert classify(original, mutant, MODULE) == "case-in-same"
    assert classify(original, mutant, OTHER_SAME) is None


def test_yielded_strings_are_messages_only_where_the_function_yields_messages() -> None:
    original = 'def x_f__mutmut_orig(r) -> Iterator[str]:\n    yield f"bad {r}"\n'
    mutant = 'def x_f__mutmut_2(r) -> Iterator[str]:\n    yield f"XXbad {r}"\n'
    assert classify(original, mutant, MODULE) == "message-literal"
    plain = original.replace(" -> Iterator[str]", ""), mutant.replace(" -> Iterator[str]", "")
    assert classify(*plain, MODULE) is None


def test_function_sources_reads_mutmuts_module() -> None:
    module = (
        "def x_f__mutmut_orig(a):\n    return a\n\n"
        "def x_f__mutmut_1(a):\n    return None\n\n"
        "def xǁCǁm__mutmut_orig(self):\n    return 1\n"
    )
    assert function_sources(module, "policies.rules.x.x_f__mutmut_1") == (
        "def x_f__mutmut_orig(a):\n    return a",
        "def x_f__mutmut_1(a):\n    return None",
    )
    assert function_sources(module, "policies.rules.x.x_f__mutmut_9") is None
