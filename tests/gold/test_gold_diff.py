"""``gold diff``: per-article added / removed / changed items, matched by content not id."""

from __future__ import annotations

from pathlib import Path

from backchannel.annotation.gold.diff import diff_docs, diff_to_markdown, gold_diff
from backchannel.annotation.gold.versions import write_version
from backchannel.documents import Document, Relation, Span

TEXT = "Rome hosted Paris."


def _span(surface: str, sid: str, label: str, **attrs: str) -> Span:
    start = TEXT.index(surface)
    return Span(id=sid, start=start, end=start + len(surface), label=label, attrs=attrs)


OLD = [
    Document(
        id="d1",
        text=TEXT,
        spans=[
            _span("Rome", "s1", "ACTOR", actor_kind="state"),
            _span("hosted", "s2", "CHANNEL", channel_kind="visit"),
        ],
        relations=[Relation(head="s2", tail="s1", label="PARTICIPANT", attrs={"role": "host"})],
        doc_labels={"relevant": "yes"},
    ),
    Document(id="gone", text="x"),
]
NEW = [
    Document(
        id="d1",
        text=TEXT,
        spans=[  # ids renumbered: matching is by content
            _span("hosted", "a", "CHANNEL", channel_kind="meeting"),
            _span("Rome", "b", "ACTOR", actor_kind="state"),
            _span("Paris", "c", "ACTOR", actor_kind="government"),
        ],
        relations=[Relation(head="a", tail="b", label="PARTICIPANT", attrs={"role": "host"})],
        doc_labels={"relevant": "yes", "framing": "cooperative"},
    ),
    Document(id="new", text="y", doc_labels={"relevant": "no"}),
]


def test_diff_counts_and_items() -> None:
    diff = diff_docs(OLD, NEW, name_a="v1", name_b="v2")
    s = diff.summary
    assert (s["documents_added"], s["documents_removed"], s["documents_changed"]) == (1, 1, 1)
    assert (s["spans_added"], s["spans_removed"], s["spans_changed"]) == (1, 0, 1)
    assert (s["relations_added"], s["relations_removed"], s["relations_changed"]) == (0, 0, 0)
    assert (s["doc_labels_added"], s["doc_labels_changed"]) == (2, 0)  # framing, and "new"
    d1 = next(d for d in diff.documents if d.doc_id == "d1")
    changed = next(c for c in d1.changes if c.change == "changed")
    assert changed.item == 'CHANNEL [5,11) "hosted"'
    assert (changed.before, changed.after) == (
        {"channel_kind": "visit"},
        {"channel_kind": "meeting"},
    )
    assert [d.status for d in diff.documents] == ["changed", "added", "removed"]


def test_identical_versions_have_no_diff() -> None:
    diff = diff_docs(OLD, OLD)
    assert diff.documents == []
    assert set(diff.summary.values()) == {0}
    assert "No differences." in diff_to_markdown(diff)


def test_markdown_lists_each_document() -> None:
    md = diff_to_markdown(diff_docs(OLD, NEW, name_a="v0001", name_b="v0002"))
    assert md.startswith("# Gold diff: v0001 → v0002")
    assert "| spans | 1 | 0 | 1 |" in md
    assert "| spans | changed | CHANNEL [5,11) &quot;hosted&quot; | channel_kind=visit |" in md
    assert "## gone (removed)" in md


def test_gold_diff_by_version_name(tmp_path: Path) -> None:
    d = tmp_path / "gold"
    write_version(d, OLD, method="adjudicate")
    write_version(d, NEW, method="adjudicate")
    diff = gold_diff("v0001", "v0002", directory=d)
    assert diff.summary["spans_added"] == 1
    assert gold_diff("v0002", "v0001", directory=d).summary["spans_removed"] == 1


def test_markdown_escapes_document_text() -> None:
    text = "<b>Rome</b> met"
    a = [Document(id="x", text=text)]
    b = [Document(id="x", text=text, spans=[Span(id="s", start=3, end=7, label="ACTOR")])]
    md = diff_to_markdown(diff_docs(a, b))
    assert "<b>" not in md
    assert "ACTOR [3,7) &quot;Rome&quot;" in md
    c = [Document(id="x", text=text, spans=[Span(id="s", start=0, end=11, label="ACTOR")])]
    assert "&lt;b&gt;Rome&lt;/b&gt;" in diff_to_markdown(diff_docs(a, c))
