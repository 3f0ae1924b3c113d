"""Stream gold and prediction Documents side by side, joined by document id and text.

Memory is one document per side (plus a map from id to file offset when the two files are not
in the same order).  The common case, predictions written in gold order, is a lockstep read of
both files.  At the first id that differs, the prediction file is indexed once (id -> byte
offset and line number, decoding only the ``id`` field) and the rest is fetched by ``seek``,
so an unordered prediction file costs one extra light pass, never its whole content in memory.

The join checks, for every pair, that the texts are identical (the article a model saw is the
article that was annotated): a mismatch names both files' SHA-256 text hashes.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from itertools import accumulate, islice, repeat
from operator import attrgetter
from pathlib import Path
from typing import Annotated, Any, BinaryIO, Literal, NamedTuple, Union

import msgspec

from backchannel.documents import (
    decode_line,
    open_binary,
    validate_document,
)
from backchannel.errors import DocumentError
from backchannel.schema import Schema

__all__ = [
    "Block",
    "LeanDecoder",
    "Located",
    "NotLockstep",
    "iter_documents",
    "join",
    "lean_decoder",
    "lockstep",
    "reread",
    "text_hash",
]

_BOM = b"\xef\xbb\xbf"


class Located(NamedTuple):
    """A Document and where it came from (file, physical line, byte offset of the line).

    While scoring, ``doc`` is a lean record (see :func:`lean_decoder`); for messages and the
    error browser the line is read again as a full :class:`Document`.
    """

    doc: Any
    path: str
    line: int
    offset: int


class LeanDecoder:
    """Decodes a Document line into the lean records scoring reads, checked against the schema.

    Why: decoding ``meta`` or ``provenance`` into dicts and structs that scoring never reads,
    allocating a label string per span and hashing attribute dicts cost more than the scoring
    itself.  Here a span or relation decodes to a struct of its label's own type (a tagged union
    on ``label``), whose ``attrs`` is a frozen struct with one optional field per attribute of
    that label, typed as the ``Literal`` of its allowed values.  So msgspec checks labels,
    attribute names and attribute values while parsing, in C; ``type(span.attrs)`` carries the
    label (:attr:`label_of`), and an ``attrs`` value is a dict key turned into value ids once per
    distinct value.  Unknown fields are refused as by :class:`Document`; fields scoring ignores
    are checked to be JSON only.

    A line the lean types refuse is decoded again as a full :class:`Document` and validated
    against the schema (see :func:`_decode`), so that the message names the problem.
    """

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        #: attrs struct type -> (kind, label), kind "span" or "relation".
        self.label_of: dict[type, tuple[str, str]] = {}
        opts = {"frozen": True, "forbid_unknown_fields": True, "gc": False}
        strict = {"forbid_unknown_fields": True, "gc": False}
        raw = msgspec.Raw  # any JSON, not decoded ("Raw | None" would only accept null)
        nothing = msgspec.Raw(b"null")

        def attrs_type(kind: str, label: str, attributes: dict[str, Any]) -> type:
            fields = []
            for name, adef in attributes.items():
                allowed = tuple(adef.values)
                typ = (Literal[allowed] | msgspec.UnsetType) if allowed else msgspec.UnsetType
                fields.append((name, typ, msgspec.UNSET))
            cls = msgspec.defstruct(f"Lean{kind.title()}Attrs", fields, **opts)
            self.label_of[cls] = (kind, label)
            return cls

        span_types: list[type] = []
        for label, ldef in schema.spans.items():
            a = attrs_type("span", label, ldef.attributes)
            span_types.append(
                msgspec.defstruct(
                    "LeanSpan",
                    [
                        ("id", str),
                        ("start", int),
                        ("end", int),
                        ("text", _NonEmpty | None, None),
                        ("attrs", a, a()),
                        ("score", float | None, None),
                        ("provenance", raw, nothing),
                        ("reason", str | None, None),
                    ],
                    tag_field="label",
                    tag=label,
                    **strict,
                )
            )
        rel_types: list[type] = []
        for label, rdef in schema.relations.items():
            a = attrs_type("relation", label, rdef.attributes)
            rel_types.append(
                msgspec.defstruct(
                    "LeanRelation",
                    [
                        ("head", str),
                        ("tail", str),
                        ("id", str | None, None),
                        ("attrs", a, a()),
                        ("score", float | None, None),
                        ("provenance", raw, nothing),
                        ("reason", str | None, None),
                    ],
                    tag_field="label",
                    tag=label,
                    **strict,
                )
            )
        doc = msgspec.defstruct(
            "LeanDocument",
            [("id", str), ("text", str), ("meta", raw, nothing),
             ("spans", _list_of(span_types), []), ("relations", _list_of(rel_types), []),
             ("doc_labels", dict[str, str], {}), ("annotator", raw, nothing),
             ("source_ids", raw, nothing), ("annotation", raw, nothing), ("score", raw, nothing),
             ("schema_version", raw, nothing), ("provenance", raw, nothing)],
            **strict,
        )  # fmt: skip
        self._decoder = msgspec.json.Decoder(doc)
        #: A document with no spans and no relations (the prediction of a missing document).
        self.empty = self._decoder.decode(b'{"id": "", "text": ""}')

    def decode(self, raw: bytes) -> Any:
        """The lean record of one line; raises msgspec's errors as they come."""
        return self._decoder.decode(raw)


#: A span's ``text`` is never empty (spans are): so ``any(texts)`` finds every span with one.
_NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]


class _Never(msgspec.Struct, tag_field="label", tag="\x00never", gc=False):
    """A tag no record carries: with it a union of one label still requires ``label``."""


def _list_of(types: list[type]) -> Any:
    """``list[Union[types]]``: a tagged union needs two members to insist on the tag."""
    if not types:
        return tuple[()]  # no label in the schema: only an empty list is valid
    members = tuple(types) if len(types) > 1 else (types[0], _Never)
    return list[Union[members]]  # noqa: UP007 - a Union built from a runtime tuple


def lean_decoder(schema: Schema) -> LeanDecoder:
    """The :class:`LeanDecoder` of a schema."""
    return LeanDecoder(schema)


class _IdOnly(msgspec.Struct):
    id: str


_ID_DECODER = msgspec.json.Decoder(_IdOnly)


def text_hash(text: str) -> str:
    """First 16 hex digits of the SHA-256 of the text (what error messages show)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _lines(fh: BinaryIO, start_line: int = 0) -> Iterator[tuple[int, int, bytes]]:
    """``(line number, byte offset, raw)`` of each non-blank line."""
    offset = fh.tell()
    for lineno, raw in enumerate(fh, start_line + 1):
        here = offset
        offset += len(raw)
        if lineno == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
            here += len(_BOM)
        if raw and not raw.isspace():  # isspace, unlike strip, does not copy the line
            yield lineno, here, raw


def _decode(
    raw: bytes, path: str, lineno: int, offset: int, lean: LeanDecoder | None = None
) -> Located:
    """Decode one line: a lean record if ``lean`` is given, else a full :class:`Document`.

    A line the lean types refuse is decoded as a full Document, whose decoding or validation
    against the schema names the problem.  Should the Document pass both (the lean types are
    meant to refuse exactly what they do), the line is still refused, with msgspec's words.
    """
    lean_error: Exception | None = None
    if lean is not None:
        try:
            return Located(lean.decode(raw), path, lineno, offset)
        except _DECODE_ERRORS as exc:
            lean_error = exc  # the full decoder below gives the message
    doc = decode_line(bytes(raw), path, lineno)  # the one decoder names the problem
    if lean is None:
        return Located(doc, path, lineno, offset)
    try:
        validate_document(doc, lean.schema)
    except DocumentError as exc:
        exc.path, exc.line = path, lineno
        exc.args = (exc.one_line(),)
        raise
    raise DocumentError(
        f"cannot be scored: {lean_error}", path=path, line=lineno, doc_id=doc.id
    ) from None


_DECODE_ERRORS = (msgspec.ValidationError, msgspec.DecodeError, UnicodeDecodeError, RecursionError)


def iter_documents(path: str | Path, lean: LeanDecoder | None = None) -> Iterator[Located]:
    """Decode every Document of a JSONL file with its line number (no validation here)."""
    p = str(path)
    with open_binary(path, allow_stdin=False) as fh:
        for lineno, offset, raw in _lines(fh):
            yield _decode(raw, p, lineno, offset, lean)


def reread(path: str, line: int, offset: int) -> Located:
    """Decode the Document at a known byte offset again (for error messages and reports)."""
    with open_binary(path, allow_stdin=False) as fh:
        fh.seek(offset)
        return _decode(fh.readline(), path, line, offset)


class _Predictions:
    """Predictions by id: lockstep while the order agrees with the gold, then by seek."""

    def __init__(self, path: str | Path, lean: LeanDecoder | None) -> None:
        self.path = str(path)
        self.lean = lean
        self.fh = open_binary(path, allow_stdin=False)
        self.it = _lines(self.fh)
        self.head: tuple[int, int, bytes] | None = next(self.it, None)
        self.head_doc: Located | None = None
        self.index: dict[str, tuple[int, int]] | None = None
        self.used: set[str] = set()
        self.lockstep_ids: set[str] = set()

    def close(self) -> None:
        self.fh.close()

    def _head(self) -> Located | None:
        if self.head is None:
            return None
        if self.head_doc is None:
            lineno, offset, raw = self.head
            self.head_doc = _decode(raw, self.path, lineno, offset, self.lean)
        return self.head_doc

    def get(self, doc_id: str) -> Located | None:
        if self.index is None:
            head = self._head()
            if head is not None and head.doc.id == doc_id:
                self.head = next(self.it, None)
                self.head_doc = None
                self.lockstep_ids.add(doc_id)
                return head
            self._build_index()
        assert self.index is not None
        where = self.index.get(doc_id)
        if where is None:
            return None
        if doc_id in self.used:
            return None
        self.used.add(doc_id)
        offset, lineno = where
        self.fh.seek(offset)
        raw = self.fh.readline()
        return _decode(raw, self.path, lineno, offset, self.lean)

    def _build_index(self) -> None:
        index: dict[str, tuple[int, int]] = {}
        self.fh.seek(0)
        for lineno, offset, raw in _lines(self.fh):
            try:
                doc_id = _ID_DECODER.decode(raw).id
            except (
                msgspec.ValidationError,
                msgspec.DecodeError,
                UnicodeDecodeError,
                RecursionError,
            ):
                _decode(raw, self.path, lineno, offset)  # raises the full message
                raise
            if doc_id in index:
                raise DocumentError(
                    "duplicate document id in predictions", path=self.path, line=lineno,
                    doc_id=doc_id,
                )  # fmt: skip
            index[doc_id] = (offset, lineno)
        self.index = index
        self.used = set(self.lockstep_ids)
        self.lockstep_ids = set()

    def extra(self) -> tuple[str, int] | None:
        """The first prediction whose document the gold does not have, as (id, line)."""
        if self.index is None:
            head = self._head()
            return (head.doc.id, head.line) if head is not None else None
        for doc_id, (_, lineno) in sorted(self.index.items(), key=lambda kv: kv[1][1]):
            if doc_id not in self.used:
                return doc_id, lineno
        return None


def join(
    gold_path: str | Path,
    pred_path: str | Path,
    *,
    allow_missing: bool = False,
    lean: LeanDecoder | None = None,
) -> Iterator[tuple[Located, Located | None]]:
    """Yield ``(gold, prediction or None)`` for every gold document, in gold order.

    Args:
        gold_path: gold Document JSONL.
        pred_path: predicted Document JSONL (any order).
        allow_missing: a gold document without prediction yields ``None`` (all missed) instead
            of an error, and predictions for documents outside the gold are ignored.
        lean: decode with this (see :func:`lean_decoder`) instead of as full Documents.

    Raises:
        DocumentError: duplicate ids, a missing or extra document, or a text mismatch.
    """
    preds = _Predictions(pred_path, lean)
    seen: set[str] = set()
    try:
        for gold in iter_documents(gold_path, lean):
            doc_id = gold.doc.id
            if doc_id in seen:
                raise DocumentError(
                    "duplicate document id in gold", path=gold.path, line=gold.line, doc_id=doc_id
                )
            seen.add(doc_id)
            pred = preds.get(doc_id)
            if pred is None:
                if not allow_missing:
                    raise DocumentError(
                        f"no prediction for this gold document in {pred_path}",
                        path=gold.path,
                        line=gold.line,
                        doc_id=doc_id,
                        hint="pass --allow-missing to count it as all missed",
                    )
            elif pred.doc.text != gold.doc.text:
                raise DocumentError(
                    f"text differs from the gold (gold {gold.path}:{gold.line} text sha256 "
                    f"{text_hash(gold.doc.text)}, prediction {text_hash(pred.doc.text)})",
                    path=pred.path,
                    line=pred.line,
                    doc_id=doc_id,
                    hint="predict on the same normalised text as the gold",
                )
            yield gold, pred
        if not allow_missing:
            extra = preds.extra()
            if extra is not None:
                raise DocumentError(
                    f"prediction for a document that is not in the gold {gold_path}",
                    path=pred_path,
                    line=extra[1],
                    doc_id=extra[0],
                    hint="pass --allow-missing to ignore it",
                )
    finally:
        preds.close()


class Block(NamedTuple):
    """Consecutive records of one file: lean records and where each came from."""

    docs: list[Any]
    where: list[tuple[str, int, int]]


class NotLockstep(Exception):
    """The two files are not the same documents in the same order: use :func:`join`."""


#: A byte range of a file, ``(start, end, number of its first line)``: a chunk of a cluster run.
Range = tuple[int, int, int]


def _raw_blocks(
    path: str | Path, size: int, span: Range | None = None
) -> Iterator[tuple[list[bytes], list[Any]]]:
    """Non-blank lines of a file (or of ``span`` of it) ``size`` at a time, with ``(path, line,
    offset)`` of each."""
    p = str(path)
    with open_binary(path, allow_stdin=False) as fh:
        lineno, offset = 0, 0
        lines: Any = fh
        if span is not None:
            start, end, first = span
            fh.seek(start)
            lines = io.BytesIO(fh.read(end - start))  # iterates on b"\n", as the file does
            lineno, offset = first - 1, start
        while raws := list(islice(lines, size)):
            offsets = list(accumulate(map(len, raws), initial=offset))
            numbers = list(range(lineno + 1, lineno + 1 + len(raws)))
            lineno, offset = numbers[-1], offsets.pop()
            if numbers[0] == 1 and raws[0].startswith(_BOM):
                raws[0] = raws[0][len(_BOM) :]
                offsets[0] += len(_BOM)
            if any(map(bytes.isspace, raws)):  # blank lines are skipped, as by _lines
                keep = [k for k, raw in enumerate(raws) if not raw.isspace()]
                raws = [raws[k] for k in keep]
                numbers, offsets = [numbers[k] for k in keep], [offsets[k] for k in keep]
            yield raws, list(zip(repeat(p), numbers, offsets, strict=False))


def _decode_block(raws: list[bytes], where: list[Any], lean: LeanDecoder) -> list[Any]:
    try:
        return list(map(lean.decode, raws))
    except _DECODE_ERRORS:
        for raw, (path, lineno, offset) in zip(raws, where, strict=True):
            _decode(raw, path, lineno, offset, lean)  # raises the message of the first bad line
        raise


def lockstep(
    gold_path: str | Path,
    pred_path: str | Path,
    lean: LeanDecoder,
    size: int,
    spans: tuple[Range, Range] | None = None,
) -> Iterator[tuple[Block, Block]]:
    """Both files ``size`` records at a time, when they hold the same documents in order.

    ``spans`` restricts the reading to a byte range of each file (the chunks a cluster counts,
    :mod:`backchannel.eval.scoring.parallel`): one reader for the serial and the cluster run.

    Why: scoring a model's output usually reads files written in gold order, and doing that a
    block at a time (decoding with ``map``, comparing ids and texts as lists) costs a fraction
    of the record-by-record :func:`join`.  Anything else (another order, a missing, extra or
    duplicate document, a text mismatch, a blank line on one side only) raises
    :class:`NotLockstep`: the caller starts again with :func:`join`, which handles or reports it.
    A malformed record raises its :class:`DocumentError` here.
    """
    seen: set[str] = set()
    g_span, p_span = spans or (None, None)
    golds, preds = _raw_blocks(gold_path, size, g_span), _raw_blocks(pred_path, size, p_span)
    try:
        for g_raws, g_where in golds:
            p_raws, p_where = next(preds, ([], []))
            if len(p_raws) != len(g_raws):
                raise NotLockstep
            g_docs = _decode_block(g_raws, g_where, lean)
            p_docs = _decode_block(p_raws, p_where, lean)
            ids = list(map(_ID, g_docs))
            if ids != list(map(_ID, p_docs)) or list(map(_TEXT, g_docs)) != list(
                map(_TEXT, p_docs)
            ):
                raise NotLockstep
            before = len(seen)
            seen.update(ids)
            if len(seen) != before + len(ids):
                raise NotLockstep
            yield Block(g_docs, g_where), Block(p_docs, p_where)
        if next(preds, None) is not None:
            raise NotLockstep
    finally:
        golds.close()
        preds.close()


_ID, _TEXT = attrgetter("id"), attrgetter("text")
