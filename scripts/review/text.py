"""Text from plans, configs and packs made safe to show: the one home of output escaping.

Names, URNs and messages come from files anyone can edit. Printed raw, a newline or an ANSI escape
in a URN can forge a line such as ``prod: 0 findings -> PASS`` on a terminal or in a CI log, and a
bidirectional override can make a report cell read backwards. :func:`escape` shows every such
character as a visible escape (``\\n``, ``\\x1b``, ``\\u202e``); every human-readable output (the
terminal, ``report.md``, HTML and other reports) passes values through it, adding only the escaping
its own syntax needs.
"""

from __future__ import annotations

import re
from urllib.parse import quote

_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Characters Markdown link destinations cannot hold as they are; the rest of a URL is kept.
_URL_SAFE = ":/?#[]@!$&'*+,;=%~-._"
_BACKTICKS = re.compile(r"`+")


def _escaped(char: str) -> str:
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def escape(value: str) -> str:
    """``value`` with every non-printable character (controls, bidi overrides, lone surrogates, line
    and paragraph separators, non-ASCII spaces) replaced by a visible escape; printable text is kept."""
    if value.isprintable():
        return value
    return "".join(c if c.isprintable() else _escaped(c) for c in value)


def one_line(value: str) -> str:
    """``value`` on one line: whitespace runs (newlines included) collapsed to a space, the rest escaped."""
    return escape(" ".join(value.split()))


def markdown_cell(value: str) -> str:
    """A Markdown table cell: :func:`one_line`, with ``|`` escaped so it cannot end the cell."""
    return one_line(value).replace("|", "\\|")


def markdown_code(value: str) -> str:
    """An inline code span of the escaped value, fenced with more backticks than it holds."""
    shown = escape(value)
    longest = max((len(run) for run in _BACKTICKS.findall(shown)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def markdown_url(url: str) -> str:
    """A link destination: controls escaped, then spaces, parentheses and angle brackets percent-encoded."""
    return quote(escape(url), safe=_URL_SAFE)
