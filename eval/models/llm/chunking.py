"""Cut long articles into overlapping chunks and merge what the model found in them.

A model's attention (and its output budget) thins out over a long article, so an article longer
than ``chunk_chars`` is sent in chunks.  Each chunk ends at a paragraph, sentence or word
boundary when one is near, overlaps the previous chunk by ``overlap`` characters (a mention cut
by a seam is whole in one of the two), and is sent with the text just before it as *context*
the model reads but does not annotate.  Offsets found in a chunk are shifted by the chunk's
start, so they are relative to the whole article; a mention found twice in an overlap is the
same ``(start, end, label)`` and is merged by :func:`merge_found`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backchannel.eval.models.base import Found, FoundRelation

__all__ = ["Chunk", "chunk_text", "merge_found"]

_BREAKS = ("\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ")


@dataclass(frozen=True)
class Chunk:
    """One piece of an article.

    Attributes:
        start: offset of the chunk in the article.
        end: offset after its last character.
        context_start: where the context shown before it begins (``== start`` for the first).
    """

    start: int
    end: int
    context_start: int


def _cut(text: str, start: int, limit: int) -> int:
    """The best end for a chunk starting at ``start``: a boundary in the last third, else hard."""
    hard = min(len(text), start + limit)
    if hard == len(text):
        return hard
    floor = start + (2 * limit) // 3
    for sep in _BREAKS:
        pos = text.rfind(sep, floor, hard)
        if pos != -1:
            return pos + len(sep)
    return hard


def chunk_text(text: str, chunk_chars: int, overlap: int = 200, context: int = 300) -> list[Chunk]:
    """Chunks covering ``text``; one chunk when it fits.

    Args:
        text: the article.
        chunk_chars: the most characters a chunk holds (0 or less: never chunk).
        overlap: characters each chunk shares with the previous one.
        context: characters before a chunk shown to the model as context.
    """
    if chunk_chars <= 0 or len(text) <= chunk_chars:
        return [Chunk(0, len(text), 0)]
    overlap = max(0, min(overlap, chunk_chars // 3))
    chunks: list[Chunk] = []
    start = 0
    while True:
        end = _cut(text, start, chunk_chars)
        chunks.append(Chunk(start, end, max(0, start - context)))
        if end >= len(text):
            return chunks
        nxt = end - overlap
        # start the next chunk on a word boundary inside the overlap
        space = text.find(" ", nxt, end)
        nxt = space + 1 if space != -1 else nxt
        start = max(nxt, start + 1)


def merge_found(
    spans: list[Found], relations: list[FoundRelation]
) -> tuple[list[Found], list[FoundRelation]]:
    """Merge spans found twice (same offsets and label, e.g. in an overlap); keep the first.

    Relations are re-pointed at the kept span, so a relation found in the second chunk of an
    overlap still attaches.  Duplicate relations are left to
    :func:`~backchannel.eval.models.base.make_prediction`, which drops them.
    """
    kept: dict[tuple[int, int, str], Found] = {}
    out: list[Found] = []
    for f in spans:
        key = (f.start, f.end, f.label)
        if key not in kept:
            kept[key] = f
            out.append(f)
        elif not kept[key].attrs and f.attrs:
            kept[key].attrs = dict(f.attrs)
    for r in relations:
        r.head = kept[(r.head.start, r.head.end, r.head.label)]
        r.tail = kept[(r.tail.start, r.tail.end, r.tail.label)]
    return out, relations
