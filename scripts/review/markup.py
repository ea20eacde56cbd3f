"""Escaping for the reports' markups: Markdown cells and code, link targets, one-line terminal text.

Everything a report prints comes from config or the plan, so none of it may add structure (a table
column, a link, HTML) or terminal control: control characters become visible escapes first
(:func:`visible`), then the markup's own metacharacters are escaped.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from scripts.review.text import escape_controls

_MARKDOWN_META = re.compile(r"([\\`*_\[\]{}|#~!])")


def visible(value: str) -> str:
    """``value`` with control characters shown as escapes: it cannot move the cursor or forge a line."""
    return escape_controls(value)


def oneline(value: str) -> str:
    """Whitespace runs (newlines included) as one space, then control characters made visible."""
    return visible(" ".join(value.split()))


def markdown_cell(value: str) -> str:
    """Text for a Markdown table cell or list item: one line, no Markdown or HTML of its own."""
    escaped = _MARKDOWN_META.sub(r"\\\1", oneline(value))
    # "&" first, so the entities the other two become are not escaped again.
    return escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def markdown_code(value: str) -> str:
    """An inline code span holding ``value`` (backticks replaced, pipes escaped for tables)."""
    return "`" + oneline(value).replace("`", "'").replace("|", "\\|") + "`"


def markdown_url(url: str) -> str:
    """A link target: only https URLs, with the characters that would end the link percent-encoded."""
    if not url.startswith("https://"):
        return ""
    return quote(oneline(url), safe=":/?#@!$&'*+,;=%-._~")
