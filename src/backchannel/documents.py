"""The one record format of backchannel: Document JSON Lines.

Corpus, annotations, gold and predictions are all files of Documents, one JSON object per line::

    {"id": "a3f9…", "text": "…", "meta": {"title": "…", "license": "CC-BY-4.0"},
     "spans": [{"id": "s1", "start": 10, "end": 23, "label": "ACTOR",
                "attrs": {"actor_kind": "person", "country": "RUS"}}],
     "relations": [{"head": "s4", "tail": "s1", "label": "PARTICIPANT",
                    "attrs": {"role": "initiator"}}],
     "doc_labels": {"relevant": "yes"}, "annotator": "alice"}

Offsets are Python ``str`` indices into ``text``, end exclusive; ``text[start:end]`` is the
mention.  Only ``annotation/labelstudio/offsets.py`` knows any other convention.  Stance is a
``STANCE`` relation from holder to target with ``attrs.polarity``.  Field order is fixed and
default values are omitted, so writing the same Documents always gives the same bytes.

Reading is a generator (memory does not grow with the file), errors name the file, the physical
line, the document and the span; writing is atomic (see :mod:`backchannel.atomic`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import msgspec

from backchannel.atomic import STDIO, atomic_write
from backchannel.errors import DocumentError, quote

if TYPE_CHECKING:
    from backchannel.schema import Schema

__all__ = [
    "AnnotationInfo",
    "Document",
    "Provenance",
    "Relation",
    "Span",
    "decode_document",
    "decode_line",
    "encode_document",
    "iter_documents",
    "open_binary",
    "read_documents",
    "validate_document",
    "write_documents",
]


class Provenance(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    """Why an item is in the gold: who proposed it, who agreed, who decided.

    Attributes:
        annotators: annotators who marked the item identically.
        method: ``majority`` (enough votes), ``review`` (an adjudicator decided) or ``single``.
        decided_by: the adjudicator, when ``method`` is ``review``.
        votes: how many annotators saw the document.
    """

    annotators: list[str] = []
    method: str | None = None
    decided_by: str | None = None
    votes: int | None = None


class Span(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    """A labelled stretch of text: ``text[start:end]``, half-open Python ``str`` offsets."""

    id: str
    start: int
    end: int
    label: str
    text: str | None = None
    attrs: dict[str, str] = {}
    score: float | None = None
    provenance: Provenance | None = None
    reason: str | None = None


class Relation(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    """A directed, labelled link from span ``head`` to span ``tail`` (span ids in the document)."""

    head: str
    tail: str
    label: str
    id: str | None = None
    attrs: dict[str, str] = {}
    score: float | None = None
    provenance: Provenance | None = None
    reason: str | None = None


class AnnotationInfo(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    """What Label Studio knew about an annotation, kept so that nothing is lost on pull."""

    ground_truth: bool | None = None
    lead_time: float | None = None
    created_at: str | None = None
    updated_at: str | None = None
    model_version: str | None = None
    prediction_id: int | None = None


class Document(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    """One article with everything one annotator (or model, or the gold) said about it."""

    id: str
    text: str
    meta: dict[str, Any] = {}
    spans: list[Span] = []
    relations: list[Relation] = []
    doc_labels: dict[str, str] = {}
    annotator: str | None = None
    source_ids: dict[str, Any] = {}
    annotation: AnnotationInfo | None = None
    score: float | None = None
    schema_version: str | None = None
    provenance: dict[str, Provenance] = {}


_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder(Document)
_BOM = b"\xef\xbb\xbf"


def encode_document(doc: Document) -> bytes:
    """One JSONL line (without the newline)."""
    return _ENCODER.encode(doc)


def decode_document(data: bytes | str) -> Document:
    """Parse one JSONL line; raises ``msgspec`` errors, see :func:`read_documents` for messages."""
    return _DECODER.decode(data)


def validate_document(doc: Document, schema: Schema | None = None) -> None:
    """Check a Document against its own text and, if given, the schema.

    Raises:
        DocumentError: with ``doc_id`` and ``span_id`` set; the caller adds path and line.
    """
    text = doc.text
    n = len(text)
    ids: set[str] = set()
    for span in doc.spans:
        sid = span.id
        if sid in ids:
            raise DocumentError(f"duplicate span id {quote(sid)}", doc_id=doc.id, span_id=sid)
        ids.add(sid)
        start, end = span.start, span.end
        if start < 0 or end > n or start > end:
            raise DocumentError(
                f"offsets [{start}, {end}) out of range for text of length {n}",
                doc_id=doc.id,
                span_id=sid,
            )
        if start == end:
            raise DocumentError(f"empty span [{start}, {end})", doc_id=doc.id, span_id=sid)
        if span.text is not None and span.text != text[start:end]:
            raise DocumentError(
                f"span text {quote(span.text)} does not match text[{start}:{end}] "
                f"{quote(text[start:end])}",
                doc_id=doc.id,
                span_id=sid,
            )
        if schema is not None:
            schema.check_span(span, doc_id=doc.id)
    rel_ids: set[str] = set()
    span_labels = {s.id: s.label for s in doc.spans} if schema is not None and doc.relations else {}
    for rel in doc.relations:
        rid = rel.id or f"{rel.head}->{rel.tail}"
        if rel.id is not None:
            if rel.id in rel_ids or rel.id in ids:
                raise DocumentError(
                    f"duplicate relation id {quote(rel.id)}", doc_id=doc.id, span_id=rid
                )
            rel_ids.add(rel.id)
        for end_name, ref in (("head", rel.head), ("tail", rel.tail)):
            if ref not in ids:
                raise DocumentError(
                    f"relation {rel.label if len(rel.label) <= 60 else quote(rel.label)} "
                    f"{end_name} points at missing span id {quote(ref)}",
                    doc_id=doc.id,
                    span_id=rid,
                )
        if schema is not None:
            schema.check_relation(rel, span_labels, doc_id=doc.id)
    if schema is not None:
        schema.check_doc_labels(doc.doc_labels, doc_id=doc.id)


def open_binary(path: str | Path, *, allow_stdin: bool = True) -> BinaryIO:
    """Open a Document JSONL file for reading bytes, with the reader's one-line errors.

    Shared by every reader of Document files (the streaming reader here, the scorer's indexed
    join), so a missing file reads the same wherever it is met.  ``-`` is stdin when allowed.
    """
    if allow_stdin and str(path) == STDIO:
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise DocumentError("no such file", path=path) from None
    except IsADirectoryError:
        raise DocumentError("is a directory, expected a Document JSONL file", path=path) from None
    except PermissionError:
        raise DocumentError("permission denied", path=path) from None


_ARTICLE_SUFFIXES = (".txt", ".html", ".htm")


def raw_article_hint(name: str, raw: bytes) -> str | None:
    """The remedy when a "Document JSONL" file is really an article: run ``ingest`` first.

    A JSONL record starts with ``{``; a line that does not (or a file named ``.txt``/``.html``)
    is almost always a raw article handed to a command that reads Documents, and msgspec's
    ``not valid JSON (... byte 0)`` alone does not tell a newcomer what to do.
    """
    if raw.lstrip().startswith(b"{") and not name.lower().endswith(_ARTICLE_SUFFIXES):
        return None
    return (
        "this looks like a raw article, not Document JSONL; turn articles into a corpus first: "
        f"backchannel ingest {name} -o corpus.jsonl"
    )


def _doc_id_hint(raw: bytes) -> str | None:
    """Best-effort document id from a line that failed to decode, for the error message."""
    try:
        obj = msgspec.json.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        return None
    if isinstance(obj, dict) and isinstance(obj.get("id"), str):
        return obj["id"][:40]
    return None


def read_documents(
    path: str | Path,
    *,
    schema: Schema | None = None,
    validate: bool = True,
    unique: bool = False,
) -> Iterator[Document]:
    """Stream Documents from a JSONL file (``-`` for stdin), validating each.

    Blank lines are skipped and a UTF-8 byte-order mark on the first line is ignored.  Line
    numbers in errors are physical line numbers, so an editor's "go to line" finds the record.

    Args:
        path: the file, or ``-``.
        schema: also check labels, attributes and relation arguments against it.
        validate: check offsets, span texts and relation ends (turn off only for trusted input).
        unique: refuse a repeated ``(id, annotator)`` pair (a corpus or gold has each once).

    Raises:
        DocumentError: naming file, line, document and span.

    Example:
        >>> for doc in read_documents("corpora/diplomacy/gold.jsonl"):  # doctest: +SKIP
        ...     print(doc.id, len(doc.spans))
    """
    fh = open_binary(path)
    try:
        yield from iter_documents(fh, str(path), schema=schema, validate=validate, unique=unique)
    finally:
        if fh is not sys.stdin.buffer:
            fh.close()


def decode_line(raw: bytes, name: str, line: int) -> Document:
    """Decode one JSONL line into a Document (not validated): the one place that does.

    Every reader of Documents comes here, so a malformed line gets the same message wherever it
    is read: msgspec's words for a record that is JSON but no Document (with the record's id
    when it has one), the line itself for text that is no JSON, and a hint to run ``backchannel
    ingest`` when the line looks like a raw article.

    Raises:
        DocumentError: naming ``name`` and ``line``.
    """
    try:
        return _DECODER.decode(raw)
    except msgspec.ValidationError as exc:
        raise DocumentError(
            f"invalid Document: {exc}", path=name, line=line, doc_id=_doc_id_hint(raw)
        ) from None
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise DocumentError(
            f"not valid JSON ({exc}): {quote(raw.decode('utf-8', 'replace').strip())}",
            path=name,
            line=line,
            hint=raw_article_hint(name, raw),
        ) from None


def iter_documents(
    lines: Iterable[bytes],
    name: str,
    *,
    schema: Schema | None = None,
    validate: bool = True,
    unique: bool = False,
) -> Iterator[Document]:
    """Stream Documents from any iterable of JSONL byte lines (an open file, an HTTP body).

    ``name`` is what errors call the source.  Options as for :func:`read_documents`.
    """
    seen: set[tuple[str, str | None]] = set()
    for lineno, raw in enumerate(lines, 1):
        if lineno == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        if not raw or raw.isspace():
            continue
        doc = decode_line(raw, name, lineno)
        if validate:
            try:
                validate_document(doc, schema)
            except DocumentError as exc:
                exc.path, exc.line = name, lineno
                exc.args = (exc.one_line(),)
                raise
        if unique:
            key = (doc.id, doc.annotator)
            if key in seen:
                who = f" by annotator {quote(doc.annotator)}" if doc.annotator else ""
                raise DocumentError(
                    f"duplicate document id{who}", path=name, line=lineno, doc_id=doc.id
                )
            seen.add(key)
        yield doc


def write_documents(docs: Iterable[Document], path: str | Path) -> int:
    """Write Documents as JSONL, atomically; returns how many were written.

    The iterable is consumed lazily, so a generator pipeline streams end to end.  If it raises,
    the target file is left as it was (absent or its previous content).
    """
    count = 0
    buf = bytearray()
    with atomic_write(path, "wb") as fh:
        for doc in docs:
            _ENCODER.encode_into(doc, buf)
            buf.extend(b"\n")
            fh.write(buf)
            count += 1
    return count
