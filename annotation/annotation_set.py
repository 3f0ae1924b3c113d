"""Several annotators' Documents grouped by article: the input of agreement and adjudication.

An annotations JSONL holds one Document per (article, annotator).  Agreement, adjudication and
quality all need the same view: for each article, each annotator's version, with spans and
relations reduced to comparable keys.  Spans are compared by ``(start, end, label)`` and
relations by the keys of their two ends plus their label, never by span ids, because ids are
local to one annotator's Document.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from backchannel.annotation.documents import Document, Relation, Span, read_documents
from backchannel.annotation.errors import DocumentError, quote
from backchannel.annotation.schema import Schema

__all__ = [
    "AnnotatedDoc",
    "AnnotationSet",
    "RelKey",
    "SpanKey",
    "View",
    "group_documents",
    "load_annotation_set",
    "view_of",
]

SpanKey = tuple[int, int, str]
"""``(start, end, label)``: two spans are the same item when these are equal."""

RelKey = tuple[SpanKey, SpanKey, str]
"""``(head key, tail key, label)``."""


@dataclass(slots=True)
class View:
    """One annotator's Document reduced to comparable keys (first occurrence wins on repeats)."""

    doc: Document
    spans: dict[SpanKey, Span]
    relations: dict[RelKey, Relation]


def view_of(doc: Document) -> View:
    """Key a Document's spans and relations; relations with a dangling end are skipped."""
    by_id: dict[str, SpanKey] = {}
    spans: dict[SpanKey, Span] = {}
    for span in doc.spans:
        key = (span.start, span.end, span.label)
        by_id[span.id] = key
        spans.setdefault(key, span)
    relations: dict[RelKey, Relation] = {}
    for rel in doc.relations:
        head, tail = by_id.get(rel.head), by_id.get(rel.tail)
        if head is None or tail is None:
            continue
        relations.setdefault((head, tail, rel.label), rel)
    return View(doc=doc, spans=spans, relations=relations)


@dataclass(slots=True)
class AnnotatedDoc:
    """One article and every annotator's version of it, keyed by annotator name (sorted)."""

    id: str
    text: str
    views: dict[str, View]

    @property
    def annotators(self) -> list[str]:
        return list(self.views)


@dataclass(slots=True)
class AnnotationSet:
    """All articles of an annotations file, in first-seen order.

    Attributes:
        docs: every article, including those only one annotator completed.
        annotators: every annotator name, sorted.
        path: where it was read from (for manifests and messages).
    """

    docs: list[AnnotatedDoc]
    annotators: list[str]
    path: str | None = None
    documents_read: int = 0

    def multi(self, min_annotators: int = 2) -> list[AnnotatedDoc]:
        """Articles that at least ``min_annotators`` annotators completed."""
        return [d for d in self.docs if len(d.views) >= min_annotators]


def group_documents(docs: Iterable[Document], *, path: str | Path | None = None) -> AnnotationSet:
    """Group Documents by article id, checking each has an annotator and one text per article.

    Raises:
        DocumentError: a Document without ``annotator``, the same annotator twice on one article,
            or two versions of one article whose texts differ (their offsets cannot be compared).
    """
    grouped: dict[str, AnnotatedDoc] = {}
    names: set[str] = set()
    count = 0
    for doc in docs:
        count += 1
        if not doc.annotator:
            raise DocumentError(
                "annotation has no 'annotator': agreement needs to know who made it",
                path=path,
                doc_id=doc.id,
            )
        entry = grouped.get(doc.id)
        if entry is None:
            entry = grouped[doc.id] = AnnotatedDoc(id=doc.id, text=doc.text, views={})
        elif doc.text != entry.text:
            raise DocumentError(
                f"annotator {quote(doc.annotator)} has a different text for this document than "
                f"{quote(next(iter(entry.views)))}: offsets cannot be compared",
                path=path,
                doc_id=doc.id,
            )
        doc.text = entry.text  # equal strings: keep one copy per article, not one per annotator
        if doc.annotator in entry.views:
            raise DocumentError(
                f"annotator {quote(doc.annotator)} appears twice for this document",
                path=path,
                doc_id=doc.id,
            )
        entry.views[doc.annotator] = view_of(doc)
        names.add(doc.annotator)
    for entry in grouped.values():
        entry.views = dict(sorted(entry.views.items()))
    return AnnotationSet(
        docs=list(grouped.values()),
        annotators=sorted(names),
        path=str(path) if path is not None else None,
        documents_read=count,
    )


def load_annotation_set(path: str | Path, schema: Schema | None = None) -> AnnotationSet:
    """Read and validate an annotations JSONL (``-`` for stdin) and group it by article.

    Raises:
        DocumentError: naming file, line and document for malformed records (from
            :func:`~backchannel.annotation.documents.read_documents`) and for the grouping
            problems of :func:`group_documents`.
    """
    return group_documents(read_documents(path, schema=schema, unique=True), path=path)
