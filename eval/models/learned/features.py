"""Binary features of a span (for attribute heads) and of a span pair (for relation heads).

Why hand-made bags of words rather than the span categorizer's vectors: the gold is a few
thousand spans, a linear model over readable features trains in a second and its weights can be
read (which words make a contact ``planned``?).  Context matters more than the mention itself
for most attributes (*will* visit, *refused to* meet, spoke *with*), so every feature set has
words before and after, bounded by the sentence.

The only outside knowledge is the shared country gazetteer (``backchannel/data/countries.tsv``:
names, nationality adjectives, capitals), read through
:func:`~backchannel.eval.models.lexicon.load_lexicon`: a feature, never a decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from backchannel.eval.models.learned.tokens import Mention, TokenView

__all__ = ["Gazetteer", "gazetteer", "pair_features", "span_features"]

BEFORE = 6  # words of sentence context before a span
AFTER = 4  # and after it
_QUOTES = frozenset(['"', "“", "”", "«", "»"])


class Gazetteer:
    """Country names, adjectives and capitals (case-sensitive word sequences) -> ISO code."""

    def __init__(self, phrases: dict[tuple[str, ...], str]) -> None:
        self.phrases = phrases
        self.longest = max((len(p) for p in phrases), default=0)
        self.codes = frozenset(phrases.values())

    def hits(self, words: Sequence[str]) -> list[str]:
        """ISO codes of the gazetteer phrases in ``words``, left to right, longest first."""
        out = []
        i = 0
        while i < len(words):
            for size in range(min(self.longest, len(words) - i), 0, -1):
                code = self.phrases.get(tuple(words[i : i + size]))
                if code is not None:
                    out.append(code)
                    i += size
                    break
            else:
                i += 1
        return out


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The shipped country gazetteer (read once per process)."""
    import spacy

    from backchannel.eval.models.lexicon import load_lexicon

    lex = load_lexicon()
    tokenizer = spacy.blank("en").tokenizer
    phrases: dict[tuple[str, ...], str] = {}
    for table in (lex.capitals, lex.country_adjectives, lex.country_names):
        for phrase, code in table.items():
            phrases[tuple(t.text for t in tokenizer(phrase))] = code
    return Gazetteer(phrases)


def _shape(words: Iterable[str]) -> str:
    """``Foreign Secretary Osei`` -> ``Xx Xx Xx``; digits ``d``, others kept once."""
    out = []
    for w in words:
        shape = []
        for c in w:
            k = "X" if c.isupper() else "x" if c.islower() else "d" if c.isdigit() else c
            if not shape or shape[-1] != k:
                shape.append(k)
        out.append("".join(shape))
    return " ".join(out[:6])


def _bucket(n: int) -> str:
    for limit, name in ((0, "0"), (1, "1"), (2, "2"), (4, "3-4"), (7, "5-7"), (12, "8-12")):
        if n <= limit:
            return name
    return "13-20" if n <= 20 else "21+"


def span_features(view: TokenView, m: Mention, gaz: Gazetteer) -> dict[str, float]:
    """Features of one mention: its words, shape, sentence context and gazetteer hits."""
    low = view.lower
    a, b = view.sentence_of(m)
    words = low[m.s : m.e]
    f: dict[str, float] = {
        "suffix=" + words[-1][-3:]: 1.0,
        "shape=" + _shape(view.words[m.s : m.e]): 1.0,
        "len=" + _bucket(len(words)): 1.0,
    }
    for w in words:
        f["w=" + w] = 1.0
    if len(words) > 1:  # for one word these would repeat w=, weighing the word four times
        f["text=" + " ".join(words)[:60]] = 1.0
        f["first=" + words[0]] = 1.0
        f["last=" + words[-1]] = 1.0
    prev1 = low[m.s - 1] if m.s - 1 >= a else "<s>"
    prev2 = low[m.s - 2] if m.s - 2 >= a else "<s>"
    next1 = low[m.e] if m.e < b else "</s>"
    f["prev1=" + prev1] = 1.0
    f["prev2=" + prev2 + "_" + prev1] = 1.0
    f["next1=" + next1] = 1.0
    if m.e + 1 < b:
        f["next2=" + next1 + "_" + low[m.e + 1]] = 1.0
    for w in low[max(a, m.s - BEFORE) : m.s]:
        f["before=" + w] = 1.0
    for w in low[m.e : min(b, m.e + AFTER)]:
        f["after=" + w] = 1.0
    hits = gaz.hits(view.words[m.s : m.e])
    for code in hits:
        f["gaz=" + code] = 1.0
    f["gaz_in_span" if hits else "gaz_none"] = 1.0
    for code in gaz.hits(view.words[max(a, m.s - 3) : m.s]):
        f["gaz_before=" + code] = 1.0
    return f


def pair_features(
    view: TokenView, head: Mention, tail: Mention, others: Sequence[Mention]
) -> dict[str, float]:
    """Features of an ordered pair in one sentence; ``others`` are the sentence's mentions.

    Order, distance, the words between (as a bag), the words at each end, and how many other
    mentions of each label lie between or nearer: the nearest actor to a channel is usually its
    participant, and a second channel in between usually takes it.
    """
    low = view.lower
    a, b = view.sentence_of(head)
    first, second = (head, tail) if head.s <= tail.s else (tail, head)
    order = "ht" if first is head else "th"
    gap = low[first.e : second.s]
    pair = f"{head.label}>{tail.label}"
    dist = _bucket(len(gap))
    f: dict[str, float] = {
        "pair=" + pair: 1.0,
        "order=" + order: 1.0,
        "dist=" + dist: 1.0,
        "order_dist=" + order + dist: 1.0,
        "h_last=" + low[head.e - 1]: 1.0,
        "t_last=" + low[tail.e - 1]: 1.0,
        "h_first=" + low[head.s]: 1.0,
        "t_first=" + low[tail.s]: 1.0,
        "h_prev=" + (low[head.s - 1] if head.s - 1 >= a else "<s>"): 1.0,
        "t_prev=" + (low[tail.s - 1] if tail.s - 1 >= a else "<s>"): 1.0,
        "h_next=" + (low[head.e] if head.e < b else "</s>"): 1.0,
        "t_next=" + (low[tail.e] if tail.e < b else "</s>"): 1.0,
    }
    if len(gap) > 16:
        gap = [*gap[:8], *gap[-8:]]
    for w in gap:
        f["btw=" + w] = 1.0
        if w in _QUOTES:
            f["btw_quote"] = 1.0
    if any(w in _QUOTES for w in view.words[a:b]):
        f["sent_quote"] = 1.0
    between: dict[str, int] = {}
    nearer_tail = nearer_head = 0
    d = _distance(head, tail)
    for o in others:
        if o is head or o is tail:
            continue
        if first.e <= o.s and o.e <= second.s:
            between[o.label] = between.get(o.label, 0) + 1
        if o.label == tail.label and _distance(head, o) < d:
            nearer_tail += 1
        if o.label == head.label and _distance(o, tail) < d:
            nearer_head += 1
    for label, n in between.items():
        f[f"btw_{label}={min(n, 3)}"] = 1.0
    f["tail_rank=" + str(min(nearer_tail, 3))] = 1.0
    f["head_rank=" + str(min(nearer_head, 3))] = 1.0
    f["pair_order_rank=" + order + str(min(nearer_tail, 2)) + str(min(nearer_head, 2))] = 1.0
    return f


def _distance(x: Mention, y: Mention) -> int:
    """Tokens between two mentions (0 when adjacent or overlapping)."""
    return max(0, max(x.s, y.s) - min(x.e, y.e))
