"""The deterministic tokenizer and BIO tagger of the export.

Token-classification users need tokens and one tag per token; spaCy needs words that rebuild the
text exactly.  Both come from one rule so that they always agree:

* a token is a run of word characters (``\\w+``) or one other non-space character;
* every span boundary also cuts a token, so each span covers whole tokens (a span ending inside
  "Russian" at "Russia" splits the word into "Russia" + "n"); the rule depends only on the text
  and the span offsets, so it is reproducible, and no span is lost to misalignment;
* whitespace is never a token for BIO; for spaCy the gaps become ``spaces`` or whitespace words.

Overlapping spans cannot all be BIO-tagged.  Rule: the longest span wins, then the earliest
start, then schema label order, then span id; a span is tagged only if none of its tokens is
already taken, otherwise it is left out of the BIO tags (and out of spaCy ``doc.ents``) but kept
everywhere else (``spans`` column, ``doc.spans["sc"]``).  Spans made only of whitespace cover no
token and are left out too.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence

import msgspec

from backchannel.documents import Span

__all__ = ["BioResult", "Token", "bio_tags", "non_overlapping", "spacy_words", "tokenize"]

_TOKEN = re.compile(r"\w+|[^\w\s]")


class Token(msgspec.Struct, frozen=True, array_like=True):
    """One token: ``text[start:end]``."""

    start: int
    end: int


def tokenize(text: str, boundaries: Iterable[int] = ()) -> list[Token]:
    """Split ``text`` into tokens, also cutting at every offset in ``boundaries``.

    Example:
        >>> [(t.start, t.end) for t in tokenize("Kremlin's call", [6])]
        [(0, 6), (6, 7), (7, 8), (8, 9), (10, 14)]
    """
    cuts = sorted(set(boundaries))
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        i = bisect.bisect_right(cuts, start)
        while i < len(cuts) and cuts[i] < end:
            tokens.append(Token(start, cuts[i]))
            start = cuts[i]
            i += 1
        tokens.append(Token(start, end))
    return tokens


def non_overlapping(spans: Sequence[Span], label_order: Sequence[str]) -> list[Span]:
    """The spans kept for BIO and ``doc.ents``: longest first, then earliest (module docstring).

    Two spans overlap when they share a character (with tokens cut at span boundaries, that is
    when they would share a token).  Returned in text order.
    """
    rank = {label: i for i, label in enumerate(label_order)}
    ordered = sorted(
        spans,
        key=lambda s: (-(s.end - s.start), s.start, rank.get(s.label, len(rank)), s.id),
    )
    kept: list[Span] = []
    starts: list[int] = []  # kept spans sorted by start, non-overlapping
    ends: list[int] = []
    for span in ordered:
        i = bisect.bisect_left(starts, span.start)
        if i > 0 and ends[i - 1] > span.start:
            continue
        if i < len(starts) and starts[i] < span.end:
            continue
        starts.insert(i, span.start)
        ends.insert(i, span.end)
        kept.append(span)
    kept.sort(key=lambda s: (s.start, s.end))
    return kept


class BioResult(msgspec.Struct):
    """Tokens, their tags, and the spans that could not be tagged (overlap or no token)."""

    tokens: list[Token]
    tags: list[str]
    tagged: list[Span]
    left_out: list[Span]


def bio_tags(text: str, spans: Sequence[Span], label_order: Sequence[str]) -> BioResult:
    """Tokenize ``text`` at span boundaries and tag it BIO with the non-overlapping spans.

    Example:
        >>> s = Span(id="a", start=0, end=6, label="ACTOR")
        >>> bio_tags("Kremlin called", [s], ["ACTOR"]).tags
        ['B-ACTOR', 'I-ACTOR', 'O']
    """
    boundaries = [b for s in spans for b in (s.start, s.end)]
    tokens = tokenize(text, boundaries)
    tags = ["O"] * len(tokens)
    starts = [t.start for t in tokens]
    tagged: list[Span] = []
    left_out: list[Span] = []
    kept = non_overlapping(spans, label_order)
    kept_ids = {id(s) for s in kept}
    for span in kept:
        i = bisect.bisect_left(starts, span.start)
        j = i
        while j < len(tokens) and tokens[j].end <= span.end:
            j += 1
        if j == i:
            left_out.append(span)
            continue
        tags[i] = f"B-{span.label}"
        for k in range(i + 1, j):
            tags[k] = f"I-{span.label}"
        tagged.append(span)
    left_out.extend(s for s in spans if id(s) not in kept_ids)
    return BioResult(tokens=tokens, tags=tags, tagged=tagged, left_out=left_out)


def spacy_words(text: str, tokens: Sequence[Token]) -> tuple[list[str], list[bool]]:
    """Words and trailing-space flags that rebuild ``text`` exactly in a spaCy ``Doc``.

    A single space after a token becomes its ``spaces`` flag; any other gap (newlines, several
    spaces, leading whitespace) becomes a whitespace word, as spaCy's own tokenizer does.
    """
    words: list[str] = []
    spaces: list[bool] = []
    pos = 0
    for tok in tokens:
        if tok.start > pos:
            gap = text[pos : tok.start]
            if words and gap[0] == " " and not spaces[-1]:
                spaces[-1] = True
                gap = gap[1:]
            if gap:
                words.append(gap)
                spaces.append(False)
        words.append(text[tok.start : tok.end])
        spaces.append(False)
        pos = tok.end
    if pos < len(text):
        gap = text[pos:]
        if words and gap[0] == " ":
            spaces[-1] = True
            gap = gap[1:]
        if gap:
            words.append(gap)
            spaces.append(False)
    return words, spaces
