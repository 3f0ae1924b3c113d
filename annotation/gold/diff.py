"""What changed between two gold versions, per article: spans, relations, document labels.

Items are matched by content, never by id (ids are renumbered between versions): a span by
``(start, end, label)``, a relation by its two ends' keys and label, a document label by name.
An item present in both with different attributes (or value) is ``changed``; provenance alone
changing (an item confirmed by review rather than by majority) is not a change of the data.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from backchannel.annotation.annotation_set import RelKey, SpanKey, view_of
from backchannel.annotation.gold.versions import read_version, resolve_version
from backchannel.documents import Document
from backchannel.markdown import escape

__all__ = ["DocDiff", "GoldDiff", "ItemChange", "diff_docs", "diff_to_markdown", "gold_diff"]

KINDS = ("spans", "relations", "doc_labels")
CHANGES = ("added", "removed", "changed")


class ItemChange(msgspec.Struct, omit_defaults=True):
    """One item added, removed or changed; ``before``/``after`` are its attributes or value."""

    kind: str
    change: str
    item: str
    before: dict[str, str] | str | None = None
    after: dict[str, str] | str | None = None


class DocDiff(msgspec.Struct):
    """The changes of one article; ``status`` is ``added``, ``removed`` or ``changed``."""

    doc_id: str
    status: str
    changes: list[ItemChange]


class GoldDiff(msgspec.Struct):
    """``summary`` counts ``documents_<change>`` and ``<kind>_<change>`` for every kind."""

    a: str
    b: str
    summary: dict[str, int]
    documents: list[DocDiff]


def _span(text: str, key: SpanKey) -> str:
    s, e, label = key
    return f'{label} [{s},{e}) "{text[s:e]}"'


def _rel(text: str, key: RelKey) -> str:
    head, tail, label = key
    return f"{label}: {_span(text, head)} → {_span(text, tail)}"


def _diff_doc(a: Document | None, b: Document | None) -> list[ItemChange]:
    changes: list[ItemChange] = []
    text = (b or a).text  # type: ignore[union-attr]
    va = view_of(a) if a is not None else None
    vb = view_of(b) if b is not None else None
    sa = va.spans if va else {}
    sb = vb.spans if vb else {}
    for key in sorted(sa.keys() | sb.keys()):
        if key not in sb:
            changes.append(ItemChange("spans", "removed", _span(text, key), before=sa[key].attrs))
        elif key not in sa:
            changes.append(ItemChange("spans", "added", _span(text, key), after=sb[key].attrs))
        elif sa[key].attrs != sb[key].attrs:
            changes.append(
                ItemChange(
                    "spans", "changed", _span(text, key), before=sa[key].attrs, after=sb[key].attrs
                )
            )
    ra = va.relations if va else {}
    rb = vb.relations if vb else {}
    for key in sorted(ra.keys() | rb.keys()):
        if key not in rb:
            changes.append(
                ItemChange("relations", "removed", _rel(text, key), before=ra[key].attrs)
            )
        elif key not in ra:
            changes.append(ItemChange("relations", "added", _rel(text, key), after=rb[key].attrs))
        elif ra[key].attrs != rb[key].attrs:
            changes.append(
                ItemChange(
                    "relations",
                    "changed",
                    _rel(text, key),
                    before=ra[key].attrs,
                    after=rb[key].attrs,
                )
            )
    la = a.doc_labels if a else {}
    lb = b.doc_labels if b else {}
    for name in sorted(la.keys() | lb.keys()):
        if name not in lb:
            changes.append(ItemChange("doc_labels", "removed", name, before=la[name]))
        elif name not in la:
            changes.append(ItemChange("doc_labels", "added", name, after=lb[name]))
        elif la[name] != lb[name]:
            changes.append(
                ItemChange("doc_labels", "changed", name, before=la[name], after=lb[name])
            )
    return changes


def diff_docs(
    a: list[Document], b: list[Document], *, name_a: str = "a", name_b: str = "b"
) -> GoldDiff:
    """Diff two gold Document lists (articles matched by id, in ``b``'s order then ``a``'s)."""
    by_a = {d.id: d for d in a}
    by_b = {d.id: d for d in b}
    order = [d.id for d in b] + [d.id for d in a if d.id not in by_b]
    summary = {f"documents_{c}": 0 for c in CHANGES}
    summary |= {f"{k}_{c}": 0 for k in KINDS for c in CHANGES}
    docs: list[DocDiff] = []
    for doc_id in order:
        da, db = by_a.get(doc_id), by_b.get(doc_id)
        changes = _diff_doc(da, db)
        status = "added" if da is None else "removed" if db is None else "changed"
        if status == "changed" and not changes:
            continue
        summary[f"documents_{status}"] += 1
        for ch in changes:
            summary[f"{ch.kind}_{ch.change}"] += 1
        docs.append(DocDiff(doc_id=doc_id, status=status, changes=changes))
    return GoldDiff(a=name_a, b=name_b, summary=summary, documents=docs)


def gold_diff(a: str | Path, b: str | Path, *, directory: str | Path | None = None) -> GoldDiff:
    """Diff two gold versions given by name (``v0001``, looked up in ``directory``) or path.

    Raises:
        GoldError: a version does not exist.
    """
    pa, pb = resolve_version(a, directory), resolve_version(b, directory)
    return diff_docs(read_version(pa), read_version(pb), name_a=str(a), name_b=str(b))


def _cell(x: object) -> str:
    if x is None:
        return "—"
    if isinstance(x, dict):
        x = ", ".join(f"{k}={v}" for k, v in x.items()) or "(no attributes)"
    return escape(x)  # a document's text must not become HTML, a link or an image


def diff_to_markdown(diff: GoldDiff) -> str:
    """Summary table, then one table of changes per article."""
    lines = [
        f"# Gold diff: {_cell(diff.a)} → {_cell(diff.b)}",
        "",
        "| item | added | removed | changed |",
        "|---|---|---|---|",
    ]
    for kind in ("documents", *KINDS):
        row = [str(diff.summary[f"{kind}_{c}"]) for c in CHANGES]
        lines.append(f"| {kind} | " + " | ".join(row) + " |")
    if not diff.documents:
        lines += ["", "No differences."]
    for doc in diff.documents:
        lines += ["", f"## {_cell(doc.doc_id)} ({doc.status})", ""]
        if not doc.changes:
            lines.append("(no items)")
            continue
        lines += ["| kind | change | item | before | after |", "|---|---|---|---|---|"]
        for ch in doc.changes:
            lines.append(
                f"| {ch.kind} | {ch.change} | {_cell(ch.item)} | "
                f"{_cell(ch.before)} | {_cell(ch.after)} |"
            )
    return "\n".join(lines) + "\n"
