"""Markdown out: one escaping rule, tables, and HTML through markdown-it-py."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from backchannel.markdown import escape, table, to_html


def test_escape_html_cells_and_links() -> None:
    assert escape("<img src=x onerror=alert(1)>|*x*") == "&lt;img src=x onerror=alert(1)&gt;\\|*x*"
    assert escape('say "hi"') == "say &quot;hi&quot;"
    assert escape("[click](https://evil.example) ![i](x.png)") == (
        "[click\\](https://evil.example) !\\[i\\](x.png)"
    )
    assert escape("two\nlines") == "two lines"
    assert escape(None) == "—"
    assert escape(None, none="n/a") == "n/a"


def test_table_escapes_every_cell_unless_raw() -> None:
    assert table(["a", "b|c"], [[1, "<x>"]]) == ["| a | b\\|c |", "|---|---|", "| 1 | &lt;x&gt; |"]
    assert table(["a"], [["**bold**"]], raw=True)[-1] == "| **bold** |"


def test_html_renders_tables_and_keeps_raw_html_as_text() -> None:
    page = to_html("## T\n\n" + "\n".join(table(["k", "v"], [["x", "<script>alert(1)</script>"]])))
    assert "<h2>T</h2>" in page
    assert "<table>" in page and "<td>x</td>" in page
    assert "<script>" not in page
    assert to_html("<b>raw</b>").count("<b>") == 0


@given(st.text())
def test_an_escaped_cell_never_adds_markup_or_a_column(text: str) -> None:
    cell = escape(text)
    assert "<" not in cell and ">" not in cell and "\n" not in cell
    page = to_html("\n".join(table(["h"], [[text]])))
    assert page.count("<td") == 1
    assert "<a " not in page and "<img" not in page
