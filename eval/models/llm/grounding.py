"""Put the strings an LLM quotes back on exact character offsets of the article.

An LLM answers with the text of each mention, not with offsets, and it quotes imperfectly: it
changes case, straightens curly quotes, swaps dashes, collapses line breaks, drops diacritics or
transliterates a name.  Grounding finds, for each quoted string, the stretch of the article it
means, and never invents one: every :class:`Placement` satisfies ``text[start:end]`` in the
article, and a quote the article does not hold gets no placement at all (the caller drops and
counts it).

Three tiers, tried for each quote in turn (the ``method`` of the placement says which served):

``exact``
    ``text[start:end] == quote``.
``normalised``
    equal after :func:`normalise`: case folded, diacritics and other combining marks removed
    (so "Milovanovic" finds "Milovanović"), every quote mark one mark, every dash one dash,
    whitespace runs one space.  Normalising keeps a map from each normalised character back to
    the original index, so offsets stay exact with emoji, combining marks and non-Latin scripts.
``fuzzy``
    token alignment: the article's words that best align with the quote's, accepted only when at
    least :data:`MIN_COVERAGE` of the quote is matched (tokens weighted by length; a token
    matches a token at rapidfuzz similarity >= :data:`TOKEN_SIMILARITY`, so "Zelenskiy" matches
    "Zelensky").

Order matters: the model lists extractions in the order they occur and lists a repeated surface
once per occurrence meant.  So a cursor follows the previous placement, and a quote takes an
exact occurrence if there is one, else a normalised one; among those, a whole-word occurrence
("Iran", not the "Iran" of "Iranian"), the nearest unused one at or after the cursor, then the
first unused one before it, then, when every occurrence is taken, the nearest one again (a
duplicate, merged downstream).  An occurrence that would cut a character from its combining
marks comes last.  Fuzzy candidates are ranked the same way after their coverage.

Everything here is a pure function of its arguments, so it is tested exhaustively with
hypothesis without a model or a server.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import Indel

__all__ = [
    "MIN_COVERAGE",
    "TOKEN_SIMILARITY",
    "Grounder",
    "NormalisedText",
    "Placement",
    "normalise",
]

#: Share of the quote's tokens a fuzzy placement must match (langextract's threshold).
MIN_COVERAGE = 0.75
#: Similarity (0-1, rapidfuzz Indel) at which two tokens count as the same word.
TOKEN_SIMILARITY = 0.8

_QUOTES = "\"'`´‘’‚‛“”„‟‹›«»′″＂＇"
_DASHES = "-‐‑‒–—―−﹘﹣－"
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Placement:
    """Where a quote was placed.

    Attributes:
        start: offset of the first character (inclusive).
        end: offset after the last character.
        method: ``exact``, ``normalised`` or ``fuzzy``.
        coverage: share of the quote's tokens matched (1.0 for exact and normalised).
        duplicate: every occurrence was already taken by an earlier quote of the same label.
    """

    start: int
    end: int
    method: str
    coverage: float = 1.0
    duplicate: bool = False


def _fold_char(ch: str) -> str:
    """The normalised form of one character (possibly empty, possibly several characters)."""
    if ch in _QUOTES:
        return "'"
    if ch in _DASHES:
        return "-"
    if ch.isspace():
        return " "
    out = []
    for part in unicodedata.normalize("NFKD", ch):
        if unicodedata.category(part).startswith("M") or part in "\u200b\u200c\u200d\ufeff":
            continue
        out.append(part)
    return "".join(out).casefold()


class NormalisedText:
    """A string in normalised form with, for each normalised character, its original index.

    Attributes:
        original: the text as given.
        text: the normalised text.
        origin: ``origin[i]`` is the index in ``original`` of the character that produced
            ``text[i]``.
        first: ``first[i]`` is true when ``text[i]`` is the first character produced by its
            original character (a match must start on one and end before one).
    """

    def __init__(self, original: str) -> None:
        self.original = original
        chars: list[str] = []
        origin: list[int] = []
        first: list[bool] = []
        for i, ch in enumerate(original):
            folded = _fold_char(ch)
            if folded == " " and (not chars or chars[-1] == " "):
                continue  # whitespace runs collapse to one space; leading whitespace goes
            for k, part in enumerate(folded):
                chars.append(part)
                origin.append(i)
                first.append(k == 0)
        self.text = "".join(chars)
        self.origin = origin
        self.first = first

    def aligned(self, start: int, end: int) -> bool:
        """True when ``text[start:end]`` covers whole original characters."""
        if start >= end or not self.first[start]:
            return False
        return end == len(self.text) or self.first[end]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of the normalised span ``[start, end)`` (must be aligned).

        The end is extended over combining marks and zero-width characters that normalising
        removed, so "é" written as "e" + U+0301 is never cut in two.
        """
        o_start = self.origin[start]
        o_end = self.origin[end - 1] + 1
        src = self.original
        while o_end < len(src) and _fold_char(src[o_end]) == "":
            o_end += 1
        return o_start, o_end


def normalise(text: str) -> str:
    """The normalised form used by the ``normalised`` tier (trailing whitespace removed)."""
    return NormalisedText(text).text.rstrip(" ")


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


def _is_word(ch: str) -> bool:
    """Letters, digits, ``_`` and combining marks (a span never ends between "e" and U+0301)."""
    return ch.isalnum() or ch == "_" or unicodedata.category(ch).startswith("M")


class Grounder:
    """Places quotes on one article, in order, remembering which occurrences are taken.

    One Grounder per article (or chunk): call :meth:`place` for each extraction in the order
    the model listed them.

    Example:
        >>> g = Grounder("Koval met Hartley. Later koval called.")
        >>> g.place("Koval", "ACTOR"), g.place("KOVAL", "ACTOR")
        (Placement(start=0, end=5, method='exact', coverage=1.0, duplicate=False), \
Placement(start=25, end=30, method='normalised', coverage=1.0, duplicate=False))
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.norm = NormalisedText(text)
        self.cursor = 0
        self.taken: set[tuple[int, int, str]] = set()
        self._tokens: list[tuple[int, int]] | None = None

    # -- tiers -----------------------------------------------------------------------------

    def _whole(self, start: int, end: int) -> bool:
        src = self.text
        return not (
            (start > 0 and _is_word(src[start - 1]) and _is_word(src[start]))
            or (end < len(src) and _is_word(src[end]) and _is_word(src[end - 1]))
        )

    def _occurrences(self, quote: str) -> list[tuple[int, int, bool]]:
        """Every occurrence of ``quote``: exact ones, then aligned ones in normalised space.

        Returns ``(start, end, whole_word)`` tuples in original offsets, without repeats.
        """
        quote = quote.strip()
        found: dict[tuple[int, int], bool] = {}
        pos = self.text.find(quote)
        while pos != -1:
            found[(pos, pos + len(quote))] = self._whole(pos, pos + len(quote))
            pos = self.text.find(quote, pos + 1)
        needle = normalise(quote)
        hay = self.norm.text
        pos = hay.find(needle) if needle else -1
        while pos != -1:
            end = pos + len(needle)
            if self.norm.aligned(pos, end):
                o_start, o_end = self.norm.to_original(pos, end)
                found.setdefault((o_start, o_end), self._whole(o_start, o_end))
            pos = hay.find(needle, pos + 1)
        return [(s, e, w) for (s, e), w in found.items()]

    def _choose(self, quote: str, label: str, occ: list[tuple[int, int, bool]]) -> Placement | None:
        if not occ:
            return None
        quote = quote.strip()

        def rank(o: tuple[int, int, bool]) -> tuple[int, int, int, int, int]:
            start, end, whole = o
            src = self.text
            # never cut "e" from a following U+0301; then exact before normalised; whole
            # words first; the nearest at/after the cursor, then from the top
            splits = _is_mark(src[start]) or (end < len(src) and _is_mark(src[end]))
            exact = src[start:end] == quote
            after = start >= self.cursor
            return (int(splits), 0 if exact else 1, 0 if whole else 1, 0 if after else 1, start)

        free = [o for o in occ if (o[0], o[1], label) not in self.taken]
        duplicate = not free
        start, end, _ = min(free or occ, key=rank)
        method = "exact" if self.text[start:end] == quote else "normalised"
        return Placement(start, end, method, 1.0, duplicate)

    def _text_tokens(self) -> list[tuple[int, int]]:
        if self._tokens is None:
            self._tokens = [m.span() for m in _WORD.finditer(self.norm.text)]
        return self._tokens

    def _fuzzy(self, quote: str, label: str) -> Placement | None:
        """The best token alignment of ``quote``, or ``None`` below :data:`MIN_COVERAGE`.

        For each start token, the window (quote length +-2 tokens) with the best coverage,
        the closest length breaking ties; then, across starts: untaken first, then the best
        coverage, then the nearest at or after the cursor, then the first.
        """
        needle = normalise(quote)
        q_tokens = _WORD.findall(needle)
        if not q_tokens:
            return None
        tokens = self._text_tokens()
        hay = self.norm.text
        words = [hay[s:e] for s, e in tokens]
        n = len(q_tokens)
        candidates: list[tuple[tuple[int, float, int, int, int], int, int, float]] = []
        for i, word in enumerate(words):
            # a window starts on a token similar to one of the quote's first two tokens
            if not any(_similar(word, q) for q in q_tokens[:2]):
                continue
            best: tuple[float, int, int] | None = None  # coverage, -length gap, length
            for length in (n, n - 1, n + 1, n - 2, n + 2):
                if length < 1 or i + length > len(words):
                    continue
                cov = _coverage(q_tokens, words[i : i + length])
                if cov >= MIN_COVERAGE and (best is None or (cov, -abs(length - n)) > best[:2]):
                    best = (cov, -abs(length - n), length)
            if best is None:
                continue
            n_start, n_end = self._widen(needle, tokens[i][0], tokens[i + best[2] - 1][1])
            if not self.norm.aligned(n_start, n_end):
                continue
            start, end = self.norm.to_original(n_start, n_end)
            taken = (start, end, label) in self.taken
            after = 0 if start >= self.cursor else 1
            key = (int(taken), -round(best[0], 2), -best[1], after, start)
            candidates.append((key, start, end, best[0]))
        if not candidates:
            return None
        key, start, end, cov = min(candidates)
        return Placement(start, end, "fuzzy", round(cov, 4), duplicate=bool(key[0]))

    def _widen(self, needle: str, n_start: int, n_end: int) -> tuple[int, int]:
        """Take in the quote's leading and trailing punctuation ("@handle", quotes) if present."""
        hay = self.norm.text
        lead = len(needle) - len(needle.lstrip("".join(c for c in needle if not _is_word(c))))
        trail = len(needle) - len(needle.rstrip("".join(c for c in needle if not _is_word(c))))
        if lead and hay[max(0, n_start - lead) : n_start] == needle[:lead]:
            n_start -= lead
        if trail and hay[n_end : n_end + trail] == needle[len(needle) - trail :]:
            n_end += trail
        return n_start, n_end

    # -- public ----------------------------------------------------------------------------

    def place(self, quote: str, label: str) -> Placement | None:
        """Place one quote of ``label``, or return ``None`` when the article does not hold it."""
        if not isinstance(quote, str) or not quote.strip():
            return None
        found = self._choose(quote, label, self._occurrences(quote))
        if found is None:
            found = self._fuzzy(quote, label)
        if found is None:
            return None
        self.taken.add((found.start, found.end, label))
        self.cursor = found.start
        return found


def _similar(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < 4:
        return False
    return Indel.normalized_similarity(a, b) >= TOKEN_SIMILARITY


def _coverage(quote_tokens: list[str], window: list[str]) -> float:
    """Share of the quote matched, in order, by tokens of ``window`` (greedy alignment).

    Weighted by token length, so "the", "of" and "s" weigh little and a wrong name weighs a
    lot: "the Andorran foreign ministry" does not find "the Norwegian foreign ministry".  A
    token equal to its partner counts fully, a merely similar one by its similarity, so an
    exact window always beats a transliterated one.
    """
    matched = 0.0
    total = 0
    j = 0
    for q in quote_tokens:
        total += len(q)
        for k in range(j, len(window)):
            w = window[k]
            if _similar(q, w):
                matched += len(q) * (1.0 if q == w else Indel.normalized_similarity(q, w))
                j = k + 1
                break
    return matched / total if total else 0.0
