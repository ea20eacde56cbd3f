"""Markup escaping: what config and plan text becomes in a Markdown cell."""

from __future__ import annotations

import pytest

from scripts.review.markup import markdown_cell


@pytest.mark.parametrize(
    ("raw", "cell"),
    [
        ("plain text", "plain text"),
        ("a & b", "a &amp; b"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("&lt; is already an entity", "&amp;lt; is already an entity"),
        ("a | b `c` *d* [e](f)", "a \\| b \\`c\\` \\*d\\* \\[e\\](f)"),
        ("two\nlines\t and  runs", "two lines and runs"),
        ("bell \x07 and bidi \u202e", "bell \\\\x07 and bidi \\\\u202e"),  # the escape, then its backslash
    ],
)
def test_a_cell_is_one_line_of_text_with_no_markup_of_its_own(raw: str, cell: str) -> None:
    assert markdown_cell(raw) == cell
