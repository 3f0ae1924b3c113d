"""The review list: what adjudication could not decide, one JSON object per line.

Each :class:`ReviewItem` names the article, the kind of item (a span, a relation, an attribute of
a gold span or relation, a document label), why it needs a person, and the candidates with the
annotators who proposed each.  An item never carries a guess: the adjudicator sees who said what.

Format (``gold/vNNNN.review.jsonl``)::

    {"id": "9f2c…", "doc_id": "d1", "kind": "span", "reason": "1 of 3 votes (2 needed)",
     "annotators": ["alice", "bob", "carol"],
     "span": {"id": "r1", "start": 10, "end": 20, "label": "ACTOR", "text": "Anna Reyes"},
     "candidates": [{"value": "present", "annotators": ["bob"],
                     "attrs": {"actor_kind": "person"}},
                    {"value": "absent", "annotators": ["alice", "carol"]}]}
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import msgspec

from backchannel.atomic import atomic_write
from backchannel.documents import Relation, Span
from backchannel.errors import GoldError

__all__ = ["Candidate", "ReviewItem", "item_id", "read_review", "write_review"]


class Candidate(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    """One answer to a review item and the annotators who gave it.

    ``value`` is ``present``/``absent`` for span and relation items, else the attribute or
    document-label value (``None``: the annotator left it unset).
    """

    annotators: list[str]
    value: str | None = None
    attrs: dict[str, str] = {}


class ReviewItem(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    """One decision for the adjudicator.

    Attributes:
        id: stable hash of article, kind, item and attribute (the same disagreement gets the same
            id in every adjudication run).
        doc_id: the article.
        kind: ``span``, ``span_attribute``, ``relation``, ``relation_attribute``, ``doc_label``.
        reason: why it was not decided automatically.
        annotators: everyone who annotated the article.
        span: the span in question (for attributes: the gold span, with its gold id).
        relation: the relation in question; ``head_span``/``tail_span`` give its ends' offsets.
        attribute: the attribute or document-label name, for attribute and label items.
        candidates: the answers, each with who gave it.
    """

    id: str
    doc_id: str
    kind: str
    reason: str
    annotators: list[str]
    candidates: list[Candidate]
    span: Span | None = None
    relation: Relation | None = None
    head_span: Span | None = None
    tail_span: Span | None = None
    attribute: str | None = None


def item_id(*parts: object) -> str:
    """A short stable id from the parts that identify an item."""
    raw = "\x1f".join(str(p) for p in parts).encode()
    return hashlib.sha256(raw).hexdigest()[:16]


_ENC = msgspec.json.Encoder()
_DEC = msgspec.json.Decoder(ReviewItem)


def encode_review(items: Iterable[ReviewItem]) -> bytes:
    """The JSONL bytes of a review list (deterministic for the same items)."""
    buf = bytearray()
    for item in items:
        _ENC.encode_into(item, buf, len(buf))
        buf.extend(b"\n")
    return bytes(buf)


def write_review(items: Iterable[ReviewItem], path: str | Path) -> int:
    """Write a review list atomically; returns the number of items."""
    data = encode_review(items)
    with atomic_write(path, "wb") as fh:
        fh.write(data)
    return data.count(b"\n")


def read_review(path: str | Path) -> Iterator[ReviewItem]:
    """Stream a review list.

    Raises:
        GoldError: missing file or malformed line (with file and line).
    """
    if not Path(path).is_file():
        raise GoldError("no such review list", path=path)
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                yield _DEC.decode(raw)
            except (
                msgspec.DecodeError,
                msgspec.ValidationError,
                UnicodeDecodeError,
                RecursionError,
            ) as exc:
                raise GoldError(f"invalid review item: {exc}", path=path, line=lineno) from None
