"""Text from plans, configs and packs made safe to show: the one escaping function of every output.

Names, URNs and messages come from files anyone can edit. Printed raw, a newline or an ANSI escape
in a URN can forge a line such as ``prod: 0 findings -> PASS`` on a terminal or in a CI log, and a
bidirectional override can make a report cell read backwards. :func:`escape_controls` shows every
such character as a visible escape (``\\n``, ``\\x1b``, ``\\u202e``); every human-readable output
passes values through it, then adds the escaping its own syntax needs (``markup`` for Markdown and
HTML).
"""

from __future__ import annotations

_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(char: str) -> str:
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def escape_controls(value: str) -> str:
    """``value`` with every non-printable character (controls, bidi overrides, lone surrogates, line
    and paragraph separators, non-ASCII spaces) replaced by a visible escape; printable text is kept."""
    if value.isprintable():
        return value
    return "".join(c if c.isprintable() else _escaped(c) for c in value)
