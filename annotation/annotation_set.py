"""Several annotators' Documents grouped by article: the input of agreement and adjudication.

An annotations JSONL holds one Document per (article, annotator).  Agreement, adjudication and
quality all need the same view: for each article, each annotator's version, with spans and
relations reduced to comparable keys.  Spans are compared by ``(start, end, label)`` and
relations by the keys of their two ends plus their label, never by span ids, because ids are
local to one annotator's Document.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from backchannel.documents import Document, Relation, Span, read_documents
from backchannel.errors import DocumentError, quote
from backchannel.schema import Schema

__all__ = [
    "AnnotatedDoc",
    "AnnotationSet",
    "AnnotationSource",
    "AnnotationStream",
    "RelKey",
    "SpanKey",
    "View",
    "group_documents",
    "load_annotation_set",
    "open_annotations",
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
    """One article and every annotator's version of it, keyed by annotator name (sorted).

    ``position`` is where the article first appears in its file, so that outputs keep the
    file's order whatever order the articles are completed in.
    """

    id: str
    text: str
    views: dict[str, View]
    position: int = 0

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

    def articles(self, min_annotators: int = 1) -> int:
        """How many articles at least ``min_annotators`` annotators completed."""
        return sum(1 for d in self.docs if len(d.views) >= min_annotators)

    def article_annotators(self, min_annotators: int = 2) -> list[str]:
        """Annotators of the articles that at least ``min_annotators`` completed, sorted."""
        return sorted({a for d in self.docs if len(d.views) >= min_annotators for a in d.views})

    def iter_docs(self, min_annotators: int = 1) -> Iterator[AnnotatedDoc]:
        """The articles that at least ``min_annotators`` annotators completed."""
        return iter(self.multi(min_annotators))


class AnnotationSource(Protocol):
    """What agreement, adjudication and quality need: an :class:`AnnotationSet` in memory, or
    an :class:`AnnotationStream` that reads one article at a time."""

    annotators: list[str]
    path: str | None
    documents_read: int

    def articles(self, min_annotators: int = 1) -> int: ...

    def article_annotators(self, min_annotators: int = 2) -> list[str]: ...

    def iter_docs(self, min_annotators: int = 1) -> Iterator[AnnotatedDoc]: ...


def _no_annotator(doc: Document, path: str | Path | None) -> DocumentError:
    return DocumentError(
        "annotation has no 'annotator': agreement needs to know who made it",
        path=path,
        doc_id=doc.id,
    )


def _other_text(doc: Document, first: str, path: str | Path | None) -> DocumentError:
    return DocumentError(
        f"annotator {quote(doc.annotator)} has a different text for this document than "
        f"{quote(first)}: offsets cannot be compared",
        path=path,
        doc_id=doc.id,
    )


def _twice(doc: Document, path: str | Path | None) -> DocumentError:
    return DocumentError(
        f"annotator {quote(doc.annotator)} appears twice for this document",
        path=path,
        doc_id=doc.id,
    )


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
            raise _no_annotator(doc, path)
        entry = grouped.get(doc.id)
        if entry is None:
            entry = grouped[doc.id] = AnnotatedDoc(
                id=doc.id, text=doc.text, views={}, position=len(grouped)
            )
        elif doc.text != entry.text:
            raise _other_text(doc, next(iter(entry.views)), path)
        doc.text = entry.text  # equal strings: keep one copy per article, not one per annotator
        if doc.annotator in entry.views:
            raise _twice(doc, path)
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
            :func:`~backchannel.documents.read_documents`) and for the grouping
            problems of :func:`group_documents`.
    """
    return group_documents(read_documents(path, schema=schema, unique=True), path=path)


class AnnotationStream:
    """An annotations file read in two passes, so that memory holds one article at a time.

    The first pass validates every record (with the same errors as :func:`load_annotation_set`)
    and keeps only each article's annotator names and a digest of its text.  The second pass
    (each call of :meth:`iter_docs`) decodes again and yields an article as soon as all its
    annotators' versions have been read: in a file grouped by article (as ``pull`` writes it)
    only one article is in memory; in any other order, those not yet complete.

    Raises:
        DocumentError: as :func:`load_annotation_set`, and when the file changes between passes.
    """

    def __init__(self, path: str | Path, schema: Schema | None = None) -> None:
        self.path: str | None = str(path)
        self._file = Path(path)
        expected: dict[str, list[str]] = {}
        digests: dict[str, bytes] = {}
        count = 0
        stat_before = self._stat_of()  # None when missing: read_documents says so properly
        for doc in read_documents(path, schema=schema, unique=True):
            count += 1
            if not doc.annotator:
                raise _no_annotator(doc, path)
            digest = hashlib.blake2b(doc.text.encode("utf-8"), digest_size=16).digest()
            names = expected.get(doc.id)
            if names is None:
                expected[doc.id] = [doc.annotator]
                digests[doc.id] = digest
                continue
            if digests[doc.id] != digest:
                raise _other_text(doc, names[0], path)
            if doc.annotator in names:
                raise _twice(doc, path)
            names.append(doc.annotator)
        self._stat = stat_before or self._stat_of()
        self._expected = expected
        self._position = {doc_id: i for i, doc_id in enumerate(expected)}
        self._digests = digests
        self.documents_read = count
        self.annotators = sorted({a for names in expected.values() for a in names})

    def _stat_of(self) -> tuple[int, int] | None:
        try:
            stat = self._file.stat()
        except OSError:
            return None
        return stat.st_size, stat.st_mtime_ns

    def articles(self, min_annotators: int = 1) -> int:
        return sum(1 for names in self._expected.values() if len(names) >= min_annotators)

    def article_annotators(self, min_annotators: int = 2) -> list[str]:
        return sorted(
            {a for names in self._expected.values() if len(names) >= min_annotators for a in names}
        )

    def _changed(self) -> DocumentError:
        return DocumentError(
            "the file changed while it was being read", path=self.path, hint="run again"
        )

    def iter_docs(self, min_annotators: int = 1) -> Iterator[AnnotatedDoc]:
        """Articles with at least ``min_annotators`` annotators, each once all versions are read."""
        if self._stat_of() != self._stat:
            raise self._changed()
        pending: dict[str, AnnotatedDoc] = {}
        for doc in read_documents(self._file, validate=False):
            names = self._expected.get(doc.id)
            if names is None or doc.annotator not in names:
                raise self._changed()
            entry = pending.get(doc.id)
            if entry is None:
                entry = pending[doc.id] = AnnotatedDoc(
                    id=doc.id, text=doc.text, views={}, position=self._position[doc.id]
                )
            doc.text = entry.text
            entry.views[doc.annotator] = view_of(doc)  # type: ignore[index]
            if len(entry.views) == len(names):
                del pending[doc.id]
                if len(names) >= min_annotators:
                    entry.views = dict(sorted(entry.views.items()))
                    yield entry
        if pending or self._stat_of() != self._stat:
            raise self._changed()


def open_annotations(path: str | Path, schema: Schema | None = None) -> AnnotationSource:
    """A stream for a file, an in-memory set for ``-`` (standard input cannot be read twice)."""
    if str(path) == "-":
        return load_annotation_set(path, schema)
    return AnnotationStream(path, schema)
