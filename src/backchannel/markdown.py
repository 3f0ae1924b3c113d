"""Markdown out: escaping user text once, tables, and HTML through a kept Markdown library.

Reports, the dataset card, gold diffs and the annotator guide all put text that users or
articles wrote (names, quotes, labels) into Markdown that GitHub, the Hugging Face Hub or our
own HTML pages render.  Rendered Markdown allows inline HTML and links, so every such string
goes through :func:`escape` exactly once: HTML-escaped first, quotes included (``<script>`` and
``"onload=`` stay text even if a renderer pastes a cell into an attribute), then
the characters that would end a table cell (``|``) or open a link or image (``](``, ``![``)
are backslash-escaped, and line breaks become spaces so a cell stays one row.  Emphasis from a
stray ``*`` is left alone: it is harmless and escaping it would clutter every figure.

HTML pages are rendered from the same Markdown by markdown-it-py (CommonMark plus tables) with
raw HTML disabled, so a string that escaped escaping still cannot become markup.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from functools import cache

__all__ = ["escape", "table", "to_html"]


def escape(value: object, *, none: str = "—") -> str:
    """``value`` as safe Markdown inline text (one line); ``none`` for ``None``.

    Example:
        >>> escape('<b>x</b> | [a](http://e.x)')
        '&lt;b&gt;x&lt;/b&gt; \\\\| [a\\\\](http://e.x)'
    """
    if value is None:
        return none
    text = html.escape(str(value), quote=True).replace("|", "\\|")
    text = text.replace("](", "\\](").replace("![", "!\\[")
    return " ".join(text.split())


def table(
    head: Sequence[object], rows: Iterable[Sequence[object]], *, raw: bool = False
) -> list[str]:
    """A Markdown table as lines; every cell escaped unless ``raw`` (cells already escaped).

    Example:
        >>> table(["a", "b"], [[1, "x|y"]])
        ['| a | b |', '|---|---|', '| 1 | x\\\\|y |']
    """
    cell = (lambda c: str(c)) if raw else escape
    out = ["| " + " | ".join(cell(h) for h in head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return out


@cache
def _renderer():  # markdown-it costs ~50 ms to import: only when a page is rendered
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table")


def to_html(markdown: str) -> str:
    """Render Markdown to an HTML fragment (CommonMark + tables, raw HTML shown as text)."""
    return _renderer().render(markdown)
