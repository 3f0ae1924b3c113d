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
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import msgspec

from backchannel.annotation.documents import decode_document, open_binary
from backchannel.annotation.errors import DocumentError, quote
from backchannel.annotation.schema import Schema

__all__ = ["Located", "iter_documents", "join", "lean_decoder", "reread", "text_hash"]

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


def lean_decoder(schema: Schema) -> msgspec.json.Decoder:
    """A decoder for the fields scoring reads, as strict as :class:`Document` on those.

    Why: decoding ``meta`` or ``provenance`` into dicts and structs that scoring never reads,
    and hashing attribute dicts, cost more than the scoring itself.  Here attributes decode to
    frozen (hashable) structs with one optional field per attribute name of the schema, so a
    span's ``(label, attrs)`` is a dict key validated once per distinct value; unknown fields
    are refused as by :class:`Document`; fields scoring ignores are checked to be JSON only.
    Any failure is reported by decoding the line again as a :class:`Document`.
    """
    span_attrs = sorted({a for ldef in schema.spans.values() for a in ldef.attributes})
    rel_attrs = sorted({a for rdef in schema.relations.values() for a in rdef.attributes})
    opts = {"frozen": True, "forbid_unknown_fields": True, "gc": False, "omit_defaults": True}
    sattrs = msgspec.defstruct(
        "SpanAttrs", [(a, str | msgspec.UnsetType, msgspec.UNSET) for a in span_attrs], **opts
    )
    rattrs = msgspec.defstruct(
        "RelationAttrs", [(a, str | msgspec.UnsetType, msgspec.UNSET) for a in rel_attrs], **opts
    )
    strict = {"forbid_unknown_fields": True, "gc": False}
    raw = msgspec.Raw  # any JSON, not decoded ("Raw | None" would only accept null)
    nothing = msgspec.Raw(b"null")
    span = msgspec.defstruct(
        "LeanSpan",
        [("id", str), ("start", int), ("end", int), ("label", str), ("text", str | None, None),
         ("attrs", sattrs, sattrs()), ("score", float | None, None), ("provenance", raw, nothing),
         ("reason", str | None, None)],
        **strict,
    )  # fmt: skip
    rel = msgspec.defstruct(
        "LeanRelation",
        [("head", str), ("tail", str), ("label", str), ("id", str | None, None),
         ("attrs", rattrs, rattrs()), ("score", float | None, None), ("provenance", raw, nothing),
         ("reason", str | None, None)],
        **strict,
    )  # fmt: skip
    doc = msgspec.defstruct(
        "LeanDocument",
        [("id", str), ("text", str), ("meta", raw, nothing), ("spans", list[span], []),
         ("relations", list[rel], []), ("doc_labels", dict[str, str], {}),
         ("annotator", raw, nothing), ("source_ids", raw, nothing),
         ("annotation", raw, nothing), ("score", raw, nothing),
         ("schema_version", raw, nothing), ("provenance", raw, nothing)],
        **strict,
    )  # fmt: skip
    return msgspec.json.Decoder(doc)


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
    raw: bytes, path: str, lineno: int, offset: int, lean: msgspec.json.Decoder | None = None
) -> Located:
    if lean is not None:
        try:
            return Located(lean.decode(raw), path, lineno, offset)
        except (msgspec.ValidationError, msgspec.DecodeError, UnicodeDecodeError, RecursionError):
            pass  # the full decoder below gives the message
    try:
        return Located(decode_document(raw), path, lineno, offset)
    except msgspec.ValidationError as exc:
        raise DocumentError(f"invalid Document: {exc}", path=path, line=lineno) from None
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise DocumentError(
            f"not valid JSON ({exc}): {quote(raw.decode('utf-8', 'replace').strip())}",
            path=path,
            line=lineno,
        ) from None


def iter_documents(path: str | Path, lean: msgspec.json.Decoder | None = None) -> Iterator[Located]:
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

    def __init__(self, path: str | Path, lean: msgspec.json.Decoder | None) -> None:
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
    lean: msgspec.json.Decoder | None = None,
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
