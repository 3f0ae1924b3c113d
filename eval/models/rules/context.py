"""One document's state, shared by every recogniser: tokens, matches, claimed tokens, spans.

Why one shared object: the recognisers run in a fixed order and each *claims* the tokens of the
spans it finds (:meth:`Context.claim`), so that a later recogniser never overlaps an earlier one
(:meth:`Context.free`).  The context also holds the token bookkeeping every recogniser reads:
token texts and lower-cased forms, character offsets, sentence of each token, the matchers' hits
by category, proper names by start and end token, and what earlier recognisers left for later
ones (surnames seen, venue candidates, channels).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backchannel.eval.models.base import Found

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from backchannel.eval.models.rules.extractor import RuleExtractor

__all__ = ["Context", "sentence_starts"]

_TERMINAL = {".", "!", "?", "…", "...", "?!"}
_CLOSERS = {'"', "”", "’", "'", ")", "]"}
# Abbreviations whose full stop spaCy splits off ("Capt" "."): no sentence ends there.
_ABBREVIATIONS = {
    "Capt",
    "Col",
    "Gen",
    "Lt",
    "Maj",
    "Adm",
    "Cmdr",
    "Sgt",
    "Brig",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Prof",
    "St",
    "Sen",
    "Rep",
    "Gov",
    "Jr",
    "Sr",
}


def sentence_starts(words: list[str]) -> list[int]:
    """Token indices that begin a sentence: after . ! ? (and a closing quote) or a blank line."""
    starts = [0]
    n = len(words)
    for i in range(1, n):
        prev = words[i - 1]
        boundary = prev in _TERMINAL or (not prev.strip() and "\n" in prev)
        if boundary and prev == "." and i >= 2 and words[i - 2] in _ABBREVIATIONS:
            boundary = False  # "Capt. Jeff Davis"
        if not boundary and prev in _CLOSERS and i >= 2 and words[i - 2] in _TERMINAL:
            boundary = True
        if boundary and words[i] not in _CLOSERS and words[i] not in _TERMINAL:
            starts.append(i)
    return starts


class Context:
    """One document's worth of state: tokens, matches, claimed tokens, found spans."""

    def __init__(self, ex: RuleExtractor, doc: Doc) -> None:
        """Read ``doc``'s tokens once, run both matchers and index the proper names."""
        self.ex = ex
        self.lex = ex.lex
        self.doc = doc
        n = len(doc)
        self.n = n
        self.doc_text = doc.text  # Doc.text rebuilds the string on every access
        toks = list(doc)
        self.text = [t.text for t in toks]
        self.lower = [w.lower() for w in self.text]
        not_venues = ex.lex.not_venues
        # is_cap of every token, computed once: the name recognisers ask it of every token
        self.cap = [
            t[:1].isupper() and t not in not_venues and any(c.islower() for c in t)
            for t in self.text
        ]
        self.idx = [t.idx for t in toks]
        starts = sentence_starts(self.text)
        self.sent_bounds: list[tuple[int, int]] = list(zip(starts, [*starts[1:], n], strict=True))
        self.sent = [0] * n
        for si, (a, b) in enumerate(self.sent_bounds):
            for i in range(a, b):
                self.sent[i] = si
        self.taken = bytearray(n)
        self.spans: list[Found] = []
        self.by_cat: dict[str, list[tuple[str, int, int]]] = {}
        keys = ex.keys
        for matcher in (ex.common, ex.proper):
            for mid, s, e in matcher(doc):
                cat, value = keys[mid]
                self.by_cat.setdefault(cat, []).append((value, s, e))
        # Token -> (category, value, end) for proper-name lookups at a position.
        self.proper_at: dict[int, list[tuple[str, str, int]]] = {}
        for cat in ("COUNTRY", "CAPITAL", "ADJ", "SEAT", "ORG"):
            for value, s, e in self.by_cat.get(cat, []):
                self.proper_at.setdefault(s, []).append((cat, value, e))
        self.proper_end: dict[int, list[tuple[str, str, int]]] = {}
        for s, items in self.proper_at.items():
            for cat, value, e in items:
                self.proper_end.setdefault(e, []).append((cat, value, s))
        # Filled by the recognisers as they run (see extractor.RECOGNISERS for the order).
        self.group_starts = {st for _, st, _ in self.by_cat.get("GROUPN", [])}
        self.surnames: dict[str, Found] = {}
        self.first_names: dict[str, Found] = {}
        self.fullnames: dict[tuple[str, ...], Found] = {}
        self.venue_candidates: list[tuple[int, int, str]] = []
        # (start_char, end_char, label) of a base pipeline's entities (``--base``), if any
        self.base_ents: list[tuple[int, int, str]] = []
        self.channels: list[Found] = []
        self.channel_verb: dict[int, bool] = {}

    # -- claiming ------------------------------------------------------------------------------
    def char_span(self, s: int, e: int) -> tuple[int, int]:
        """Character offsets of tokens ``s`` to ``e`` (exclusive)."""
        return self.idx[s], self.idx[e - 1] + len(self.text[e - 1])

    def free(self, s: int, e: int) -> bool:
        """True when tokens ``s`` to ``e`` exist and no earlier recogniser claimed one."""
        return s >= 0 and e <= self.n and not any(self.taken[s:e])

    def claim(
        self, s: int, e: int, label: str, attrs: dict[str, str], score: float, reason: str
    ) -> Found:
        """Record a span over tokens ``s`` to ``e`` and claim its tokens."""
        for i in range(s, e):
            self.taken[i] = 1
        start, end = self.char_span(s, e)
        f = Found(start, end, label, attrs, score, reason, s, e, self.sent[s])
        self.spans.append(f)
        return f

    # -- reading tokens ------------------------------------------------------------------------
    def is_cap(self, i: int) -> bool:
        """A token that can be part of a proper name: capitalised, with a lower-case letter."""
        return 0 <= i < self.n and self.cap[i]

    def sentence_start(self, i: int) -> bool:
        """True when token ``i`` begins its sentence."""
        return self.sent_bounds[self.sent[i]][0] == i

    def adjective_before(self, i: int) -> tuple[int, str] | None:
        """Country adjective or country's possessive ending at token ``i``: (start, iso3)."""
        for cat, iso, s in self.proper_end.get(i, []):
            if cat == "ADJ":
                return s, iso
        if i - 1 >= 0 and self.lower[i - 1] in ("'s", "’s"):
            for cat, iso, s in self.proper_end.get(i - 1, []):
                if cat in ("COUNTRY", "CAPITAL"):
                    return s, iso
        return None

    def proper_match(self, i: int, cats: tuple[str, ...]) -> tuple[str, str, int] | None:
        """The longest proper name of one of ``cats`` starting at token ``i``: (cat, value, end)."""
        best = None
        for cat, value, e in self.proper_at.get(i, []):
            if cat in cats and (best is None or e > best[2]):
                best = (cat, value, e)
        return best

    def names_event(
        self, e: int, heads: frozenset[str] | set[str] = frozenset(), *, lower_head: bool = False
    ) -> bool:
        """True when the mention ending at token ``e`` is part of an event's name.

        An event's name ends in a capitalised contact noun (or one of ``heads``), after a
        possessive and up to three capitalised words: "the Leaders' Summit", "the NATO Foreign
        Ministers Meeting", "the UN General Assembly".  With ``lower_head`` a lower-case head
        right after the mention counts too ("the G20 summit", "the G7 meeting"); without it,
        "the President's visit" and "PM call with" keep their actor.
        """
        k = e
        if k < self.n and self.lower[k] in ("'s", "’s", "'", "’"):
            k += 1
        first = k
        while k < self.n and k - first < 4:
            low = self.lower[k]
            if low in self.lex.channel_nouns or low in heads:
                return self.text[k][:1].isupper() or (lower_head and k == first)
            if not self.cap[k]:
                return False
            k += 1
        return False

    def place_tail(self, j: int, preps: tuple[str, ...] = ("in",)) -> int:
        """End of "in Berlin" / "to London" / "for the Middle East" after token ``j``, or ``j``."""
        if j + 1 >= self.n or self.lower[j] not in preps:
            return j
        k = j + 1
        if self.lower[k] == "the" and self.is_cap(k + 1):
            k += 1
        m = k
        while m < self.n and m - k < 4 and self.is_cap(m) and self.sent[m] == self.sent[j]:
            m += 1
        return m if m > k else j
