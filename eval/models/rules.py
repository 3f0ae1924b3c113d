"""The ``rules`` baseline: spaCy matchers over word lists, no training.

Why rules first: an annotation project needs pre-annotations on day one, before any gold exists,
and a transparent baseline whose every span says *why* it is there (``reason``).  The rules are
generic English news conventions, read from ``eval/models/data/`` (see
:mod:`backchannel.eval.models.lexicon`); nothing refers to a particular article.

What it finds, in order (an earlier step claims tokens, so later steps never overlap it):

* ACTOR: unnamed sources ("a senior Western official"); title plus name ("Foreign Minister Ana
  Ruiz", with a nationality adjective or a country's possessive in front); a title alone after
  "the" or an adjective (role); honorific plus name ("Mr Ruiz"); seats of government ("the
  Kremlin", metonymy); international organisations; government bodies and collectives ("the
  Russian foreign ministry", "British diplomats"); countries (state) and capitals (metonymy);
  "First Last said" persons; and every later mention of a surname already seen in a full name.
* CHANNEL: nouns and inflected verbs per ``channel_kind``; modality from cue words in the clause
  before it (and just after: "the talks were suspended"); visibility from secrecy cues.
* VENUE: places after "in"/"at" (and "to" after a visit) in a sentence with a channel.
* ISSUE: noun phrases headed by an issue word ("the Black Sea grain corridor") in a sentence with
  a channel or a stance cue.
* PARTICIPANT: actors in a channel's sentence, role from position and cue words ("X called Y":
  initiator, recipient; "through X": mediator; "X visited": visitor; "hosted": host).
* HELD_AT, ABOUT: nearest venue / issue in the channel's sentence.
* STANCE: a stance cue with the nearest actor before it (holder) and the first actor or issue
  after it (target).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backchannel.eval.models.base import Found, FoundRelation, make_prediction
from backchannel.eval.models.lexicon import Lexicon, load_lexicon
from backchannel.eval.models.registry import ModelError, TrainOptions, TrainResult

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from backchannel.documents import Document
    from backchannel.schema import Schema

__all__ = ["RuleExtractor", "RulesModel"]

_BOUNDARY = {
    ",",
    ";",
    ":",
    "(",
    ")",
    "—",
    "–",
    '"',
    "“",
    "”",
    "but",
    "although",
    "though",
    "while",
    "whereas",
    "after",
    "before",
    "because",
    "since",
    "when",
}
_SENT_END_PUNCT = {".", "!", "?"}
_DETS = {
    "the",
    "a",
    "an",
    "its",
    "their",
    "his",
    "her",
    "this",
    "that",
    "these",
    "those",
    "any",
    "our",
    "new",
}
_ROLE_DETS = {"the", "his", "her", "their", "its", "our"}
_PLACE_TITLES = {
    "ambassador",
    "envoy",
    "special envoy",
    "representative",
    "special representative",
    "high commissioner",
    "consul",
    "consul general",
}
# Cues read after the trigger too: "the talks were suspended", "the summit will be held".
_AFTER_MODALITIES = {"refused", "halted", "planned"}
_VERB_PARTICLES = {"on", "upon", "it", "itself", "out", "up", "into", "off"}
_PLACE_PARTICLES = {"of", "de", "do", "da", "del", "di", "du", "la", "le", "sur", "upon", "on"}
_QUANTIFIERS = {
    "two",
    "three",
    "four",
    "both",
    "all",
    "several",
    "rival",
    "warring",
    "opposing",
    "each",
    "other",
    "some",
    "many",
    "most",
    "visiting",
    "exiled",
    "senior",
    "top",
}
_TITLE_MODIFIERS = {
    "former",
    "acting",
    "interim",
    "outgoing",
    "incoming",
    "then",
    "deputy",
    "assistant",
    "vice",
    "senior",
    "top",
    "chief",
    "new",
    "first",
}
_ISSUE_STOP = {
    "and",
    "or",
    "but",
    "of",
    "to",
    "in",
    "on",
    "at",
    "by",
    "for",
    "with",
    "from",
    "about",
    "over",
    "as",
    "than",
    "that",
    "which",
    "who",
    "whom",
    "whose",
    "what",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "has",
    "have",
    "had",
    "do",
    "does",
    "did",
    "will",
    "would",
    "could",
    "should",
    "may",
    "might",
    "must",
    "can",
    "not",
    "no",
    "it",
    "they",
    "he",
    "she",
    "we",
    "i",
    "you",
    "them",
    "him",
    "said",
    "says",
    "say",
    "told",
    "also",
    "only",
    "just",
    "all",
    "both",
    "each",
    "if",
    "so",
    "such",
    "up",
    "out",
    "into",
    "after",
    "before",
    "while",
    "when",
    "there",
    "here",
    "very",
    "more",
    "most",
    "any",
    "some",
    "its",
    "their",
    "his",
    "her",
    "our",
    "this",
    "these",
    "those",
    "the",
    "a",
    "an",
    "between",
    "through",
    "against",
    "under",
}
_PERSON_SUFFIX_OK = {"Jr", "Jr.", "Sr", "Sr.", "II", "III"}
_VISIT_KINDS = {"visit"}
_BROADCAST_KINDS = {"speech", "press_statement", "social_media"}
_SYMMETRIC_KINDS = {"meeting", "talks", "summit", "backchannel", "other", "intelligence_sharing"}
_MEDIATOR_CUES = {"through", "via"}
_MEDIATOR_BY = {"mediated", "brokered", "facilitated", "hosted"}
_HOST_VERBS = {"hosted", "hosts", "host", "hosting", "welcomed", "received"}
_RECIPIENT_PREPS = {"to", "with"}
_MEDIA = {
    "television",
    "tv",
    "radio",
    "reporters",
    "journalists",
    "newspaper",
    "broadcaster",
    "press",
    "agency",
    "media",
    "station",
    "channel",
}
_AUDIENCE_HINTS = {
    "reporters",
    "journalists",
    "parliament",
    "lawmakers",
    "congress",
    "nation",
    "supporters",
    "students",
    "crowd",
    "audience",
    "assembly",
}

VERSION = "1.0"


class RuleExtractor:
    """Compiled matchers and the extraction logic; one per process (building it takes ~0.2 s).

    Example:
        >>> ex = RuleExtractor()  # doctest: +SKIP
        >>> spans, rels = ex.extract("The Kremlin said Ana Ruiz did not call.")  # doctest: +SKIP
    """

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        import spacy
        from spacy.matcher import PhraseMatcher

        self.lex = lexicon or load_lexicon()
        nlp = spacy.blank("en")
        # No sentencizer: _Pass splits sentences on the token texts it already holds, which is
        # a third of the cost, and also breaks at blank lines (headlines have no full stop).
        self.nlp = nlp
        self.proper = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.common = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._keys: dict[int, tuple[str, str]] = {}
        lex = self.lex

        def add(matcher: Any, cat: str, value: str, phrases: Iterable[str]) -> None:
            key = f"{cat}|{value}"
            kid = nlp.vocab.strings.add(key)
            self._keys[kid] = (cat, value)
            docs = [nlp.make_doc(p) for p in phrases]
            matcher.add(key, [d for d in docs if len(d)])

        by_kind: dict[str, list[str]] = {}
        for phrase, kind in lex.channel_nouns.items():
            by_kind.setdefault(kind, []).append(phrase)
        for kind, phrases in by_kind.items():
            add(self.common, "CHN", kind, phrases)
        by_kind = {}
        for phrase, kind in lex.channel_verbs.items():
            by_kind.setdefault(kind, []).append(phrase)
        for kind, phrases in by_kind.items():
            add(self.common, "CHV", kind, phrases)
        add(self.common, "TITLE", "", [*lex.titles, *lex.plural_titles])
        add(self.common, "GOVN", "", lex.government_nouns)
        add(self.common, "GROUPN", "", lex.group_nouns)
        add(self.common, "ORGN", "", lex.organisation_nouns)
        add(self.common, "ISSUE", "", [*lex.issue_heads, *sorted(lex.issue_of_heads)])
        for modality, cues in lex.modality_cues.items():
            add(self.common, "MOD", modality, [" ".join(c) for c in cues])
        add(self.common, "PRIV", "", [" ".join(c) for c in lex.private_cues])
        by_pol: dict[str, list[str]] = {}
        for cue, pol in lex.stance_cues.items():
            by_pol.setdefault(pol, []).append(cue)
        for pol, cues in by_pol.items():
            add(self.common, "STANCE", pol, cues)
        by_iso: dict[str, list[str]] = {}
        for phrase, iso in lex.seats.items():
            bare = phrase[4:] if phrase.startswith("the ") else phrase
            by_iso.setdefault(iso, []).append(bare)
        for iso, phrases in by_iso.items():
            add(self.proper, "SEAT", iso, sorted(set(phrases)))
        add(self.proper, "ORG", "IGO", lex.organisations)
        for table, cat in (
            (lex.country_names, "COUNTRY"),
            (lex.capitals, "CAPITAL"),
            (lex.country_adjectives, "ADJ"),
        ):
            by_iso = {}
            for phrase, iso in table.items():
                bare = phrase[4:] if phrase.startswith("the ") else phrase
                by_iso.setdefault(iso, []).append(bare)
            for iso, phrases in by_iso.items():
                add(self.proper, cat, iso, phrases)
        self.honorifics = set(lex.honorifics)

    # ------------------------------------------------------------------------------------------
    def extract(self, text: str) -> tuple[list[Found], list[FoundRelation]]:
        """Spans and relations for one text."""
        return self.extract_doc(self.nlp(text))

    def extract_doc(self, doc: Doc) -> tuple[list[Found], list[FoundRelation]]:
        """Spans and relations for one spaCy Doc made by ``self.nlp``."""
        return _Pass(self, doc).run()

    def relate(
        self,
        doc: Doc,
        items: list[tuple[int, int, str, float, str]],
        memo: dict[str, dict[str, Any]] | None = None,
    ) -> tuple[list[Found], list[FoundRelation]]:
        """Attributes and relations for spans found by another model (see ``_Pass.adopt``)."""
        p = _Pass(self, doc)
        p.run()
        return p.adopt(items, memo or {})


_TERMINAL = {".", "!", "?", "…", "...", "?!"}
_CLOSERS = {'"', "”", "’", "'", ")", "]"}


def _sentence_starts(words: list[str]) -> list[int]:
    """Token indices that begin a sentence: after . ! ? (and a closing quote) or a blank line."""
    starts = [0]
    n = len(words)
    for i in range(1, n):
        prev = words[i - 1]
        boundary = prev in _TERMINAL or (not prev.strip() and "\n" in prev)
        if not boundary and prev in _CLOSERS and i >= 2 and words[i - 2] in _TERMINAL:
            boundary = True
        if boundary and words[i] not in _CLOSERS and words[i] not in _TERMINAL:
            starts.append(i)
    return starts


class _Pass:
    """One document's worth of state: tokens, matches, claimed tokens, found spans."""

    def __init__(self, ex: RuleExtractor, doc: Doc) -> None:
        self.ex = ex
        self.lex = ex.lex
        self.doc = doc
        n = len(doc)
        self.n = n
        self.doc_text = doc.text  # Doc.text rebuilds the string on every access
        toks = list(doc)
        self.text = [t.text for t in toks]
        self.lower = [w.lower() for w in self.text]
        self.idx = [t.idx for t in toks]
        starts = _sentence_starts(self.text)
        self.sent_bounds: list[tuple[int, int]] = list(zip(starts, [*starts[1:], n], strict=True))
        self.sent = [0] * n
        for si, (a, b) in enumerate(self.sent_bounds):
            for i in range(a, b):
                self.sent[i] = si
        self.taken = bytearray(n)
        self.spans: list[Found] = []
        self.by_cat: dict[str, list[tuple[str, int, int]]] = {}
        keys = ex._keys
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

    # -- small helpers -------------------------------------------------------------------------
    def char_span(self, s: int, e: int) -> tuple[int, int]:
        return self.idx[s], self.idx[e - 1] + len(self.text[e - 1])

    def free(self, s: int, e: int) -> bool:
        return s >= 0 and e <= self.n and not any(self.taken[s:e])

    def claim(
        self, s: int, e: int, label: str, attrs: dict[str, str], score: float, reason: str
    ) -> Found:
        for i in range(s, e):
            self.taken[i] = 1
        start, end = self.char_span(s, e)
        f = Found(start, end, label, attrs, score, reason, s, e, self.sent[s])
        self.spans.append(f)
        return f

    def is_cap(self, i: int) -> bool:
        """A token that can be part of a proper name: capitalised, with a lower-case letter."""
        if i < 0 or i >= self.n:
            return False
        t = self.text[i]
        return t[:1].isupper() and any(c.islower() for c in t) and t not in self.lex.not_venues

    def sentence_start(self, i: int) -> bool:
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
        best = None
        for cat, value, e in self.proper_at.get(i, []):
            if cat in cats and (best is None or e > best[2]):
                best = (cat, value, e)
        return best

    def name_end(self, j: int, limit: int = 5) -> int:
        """Extend over a personal name starting at token ``j``; returns the end token."""
        lex = self.lex
        k = j
        while k < self.n and self.lower[k].rstrip(".") in lex.name_prefixes and self.is_cap(k):
            k += 1
        count = 0
        while k < self.n and count < limit and not self.taken[k]:
            t = self.text[k]
            if self.is_cap(k) and self.proper_match(k, ("ORG", "SEAT")) is None:
                k += 1
                count += 1
            elif (
                (
                    t.lower() in lex.name_particles
                    and count > 0
                    and self.is_cap(k + 1)
                    and self.sent[k + 1] == self.sent[j]
                )
                or (
                    t in ("-", "‑")
                    and count > 0
                    and self.is_cap(k + 1)
                    and self.idx[k] == self.idx[k - 1] + len(self.text[k - 1])
                )
                or (t in _PERSON_SUFFIX_OK and count > 0)
            ):
                k += 1
            else:
                break
            if self.sent[k - 1] != self.sent[j]:
                return j
        return k if count else j

    # -- actors --------------------------------------------------------------------------------
    def anonymous(self) -> None:
        lex = self.lex
        for i in range(self.n):
            low = self.lower[i]
            if low not in lex.anon_nouns or self.taken[i]:
                continue
            if low in ("person", "people", "figure", "figures") and not (
                i + 1 < self.n and self.lower[i + 1] in ("familiar", "close", "briefed", "with")
            ):
                continue
            k = i
            country = None
            sector = None
            while k - 1 >= 0 and i - k < 5 and not self.taken[k - 1]:
                prev = self.lower[k - 1]
                adj = self.adjective_before(k)
                if adj is not None:
                    country = adj[1]
                    k = adj[0]
                    continue
                if prev in lex.anon_modifiers:
                    sector = sector or {
                        "military": "MIL",
                        "intelligence": "SPY",
                        "security": "GOV",
                    }.get(prev)
                    k -= 1
                    continue
                seat = None
                for cat, iso, s in self.proper_end.get(k, []):
                    if cat == "SEAT":
                        seat = (s, iso)
                if seat is not None:
                    country = seat[1]
                    k = seat[0]
                    continue
                break
            det = k - 1 >= 0 and self.lower[k - 1] in lex.anon_determiners
            plural = low.endswith("s") or low == "people"
            speech = (i + 1 < self.n and self.lower[i + 1] in lex.anon_bare_before) or (
                k - 1 >= 0 and self.lower[k - 1] in lex.anon_bare_before
            )
            if det:
                k -= 1
            elif not (plural and speech):
                continue
            end = self.place_tail(i + 1)
            if not self.free(k, end):
                continue
            attrs = {"actor_kind": "group" if plural else "person", "anonymous": "yes"}
            if country:
                attrs["country"] = country
            if sector or "government" in self.lower[k:i] or "official" in self.lower[k : i + 1]:
                attrs["sector"] = sector or "GOV"
            self.claim(k, end, "ACTOR", attrs, 0.7, "anonymous source: unnamed " + low)

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

    def titles(self) -> None:
        lex = self.lex
        matches = sorted(self.by_cat.get("TITLE", []), key=lambda m: (m[1], -(m[2] - m[1])))
        last_end = -1
        for _, s, e in matches:
            if s < last_end or not self.free(s, e):
                continue
            title_words = " ".join(self.lower[s:e])
            start = s
            country = None
            while (
                start - 1 >= 0
                and self.lower[start - 1] in _TITLE_MODIFIERS
                and not self.taken[start - 1]
            ):
                start -= 1
            # "Opposition MP", "Chief Cabinet Secretary", "Presidential spokesperson"
            while (
                start - 1 >= 0
                and s - start < 2
                and self.is_cap(start - 1)
                and not self.taken[start - 1]
                and not self.proper_end.get(start)
            ):
                start -= 1
            adj = self.adjective_before(start)
            if adj is None:
                for cat, value, ps in self.proper_end.get(start, []):
                    if cat in ("SEAT", "ORG", "COUNTRY"):
                        adj = (ps, value)
                        if cat == "SEAT" and ps - 1 >= 0 and self.lower[ps - 1] == "the":
                            adj = (ps - 1, value)
            if adj is not None and self.free(adj[0], start):
                start, country = adj
            name_to = self.name_end(e)
            # "President of France": a role with a country
            if name_to == e and e + 1 < self.n and self.lower[e] == "of":
                m = self.proper_match(e + 1, ("COUNTRY",))
                if m is not None:
                    country = m[1]
                    e = m[2]
                    name_to = e
            sector = lex.title_sectors.get(title_words, "GOV")
            capital = self.text[s][:1].isupper()
            if name_to > e:
                attrs = {"actor_kind": "person", "sector": sector}
                if country:
                    attrs["country"] = country
                if self.sentence_start(start) and not capital:
                    continue
                start = self.det_before(start)
                f = self.claim(
                    start,
                    name_to,
                    "ACTOR",
                    attrs,
                    0.85,
                    f"title + name: {' '.join(self.text[s:e])!r}",
                )
                self.register_surname(f, e, name_to)
                last_end = name_to
                continue
            plural = title_words in lex.plural_titles
            while start - 1 >= 0 and self.lower[start - 1] in _QUANTIFIERS:
                start -= 1
            det = start - 1 >= 0 and self.lower[start - 1] in _ROLE_DETS | {"a", "an"}
            if not det and country is None and not plural and start == s:
                continue
            if det:
                start = self.det_before(start)
            if title_words in _PLACE_TITLES or title_words.rstrip("s") in _PLACE_TITLES:
                e = self.place_tail(e, ("to", "in", "for"))
            attrs = {"actor_kind": "group" if plural else "role", "sector": sector}
            if country:
                attrs["country"] = country
            self.claim(
                start, e, "ACTOR", attrs, 0.7, f"title without a name: {' '.join(self.text[s:e])!r}"
            )
            last_end = e

    def det_before(self, start: int) -> int:
        """Include a determiner (and one lower-case adjective after it) before ``start``."""
        if start - 1 >= 0 and self.lower[start - 1] in _ROLE_DETS | {"a", "an"}:
            return start - 1
        if (
            start - 2 >= 0
            and self.lower[start - 2] in _ROLE_DETS | {"a", "an"}
            and self.text[start - 1].isalpha()
            and self.text[start - 1].islower()
            and not self.taken[start - 1]
            and self.lower[start - 1] not in _ISSUE_STOP
        ):
            return start - 2
        return start

    def register_surname(self, f: Found, name_start: int, name_end: int) -> None:
        words = [
            w
            for w in self.text[name_start:name_end]
            if self.is_cap_word(w) and w.lower().rstrip(".") not in self.lex.name_prefixes
        ]
        if words:
            self.surnames.setdefault(words[-1], f)
            if len(words) == 2 and len(words[0]) > 2:
                # "Wang Lei" is later "Wang": family names come first in much of the world
                self.first_names.setdefault(words[0], f)
            if len(words) >= 2:
                self.fullnames.setdefault(tuple(words), f)

    @staticmethod
    def is_cap_word(w: str) -> bool:
        return w[:1].isupper() and any(c.islower() for c in w)

    def honorific_names(self) -> None:
        for i in range(self.n - 1):
            if self.text[i] in self.ex.honorifics and not self.taken[i]:
                e = self.name_end(i + 1, limit=3)
                if e > i + 1 and self.free(i, e):
                    f = self.claim(
                        i,
                        e,
                        "ACTOR",
                        {"actor_kind": "person"},
                        0.8,
                        f"honorific + name: {self.text[i]!r}",
                    )
                    self.register_surname(f, i + 1, e)

    def venue_context(self, s: int) -> bool:
        """True when the mention at token ``s`` reads as a place ("in Geneva", "visit to Oman")."""
        p = s - 1
        if p >= 0 and self.lower[p] == "the":
            p -= 1
        if p < 0:
            return False
        if self.lower[p] in self.lex.venue_prepositions:
            return True
        if self.lower[p] == "to":
            return any(
                c.attrs.get("channel_kind") in _VISIT_KINDS and 0 <= p - c.token_end <= 2
                for c in self.channels
            )
        return False

    def seats_and_orgs(self) -> None:
        for cat, label_reason in (("SEAT", "seat of government"), ("ORG", "organisation")):
            for value, s, e in sorted(self.by_cat.get(cat, []), key=lambda m: (m[1], m[1] - m[2])):
                if not self.free(s, e) or e in self.group_starts:
                    continue
                start = s
                if cat == "SEAT" and s - 1 >= 0 and self.lower[s - 1] == "the":
                    start = s - 1
                if self.venue_context(s):
                    self.venue_candidates.append((start, e, f"{label_reason} as a place"))
                    continue
                if cat == "SEAT":
                    attrs = {
                        "actor_kind": "government",
                        "country": value,
                        "metonymy": "yes",
                        "sector": "GOV",
                    }
                    self.claim(
                        start,
                        e,
                        "ACTOR",
                        attrs,
                        0.8,
                        f"seat of government: {' '.join(self.text[s:e])!r}",
                    )
                else:
                    attrs = {"actor_kind": "organisation", "country": "IGO"}
                    self.claim(
                        start,
                        e,
                        "ACTOR",
                        attrs,
                        0.75,
                        f"international organisation: {' '.join(self.text[s:e])!r}",
                    )

    def bodies(self) -> None:
        """Government bodies and collectives: "the foreign ministry", "British diplomats"."""
        for cat, kind, score in (
            ("GOVN", "government", 0.7),
            ("ORGN", "organisation", 0.6),
            ("GROUPN", "group", 0.55),
        ):
            for _, s, e in sorted(self.by_cat.get(cat, []), key=lambda m: (m[1], m[1] - m[2])):
                if not self.free(s, e):
                    continue
                start = s
                country = None
                adj = self.adjective_before(s)
                if adj is not None and self.free(adj[0], s):
                    start, country = adj
                # "Ministry of Defence"
                end = e
                if end + 1 < self.n and self.lower[end] == "of" and self.is_cap(end + 1):
                    k = end + 1
                    while k < self.n and self.is_cap(k) and k - end < 4:
                        k += 1
                    end = k
                quant = start
                while start - 1 >= 0 and self.lower[start - 1] in _QUANTIFIERS:
                    start -= 1
                if country is None and start == s:
                    for pcat, value, ps in self.proper_end.get(s, []):
                        if pcat in ("ORG", "SEAT", "COUNTRY") and self.free(ps, s):
                            start, country = ps, value  # "EU leaders", "NATO allies"
                article = start - 1 >= 0 and self.lower[start - 1] in _ROLE_DETS
                quantified = start < quant and self.lower[start] in ("both", "each", "all")
                capitalised = self.text[s][:1].isupper() and not self.sentence_start(s)
                if country is None and not (article or quantified or capitalised):
                    continue
                if article:
                    start -= 1
                end = self.place_tail(end)  # "the Iranian embassy in London"
                if not self.free(start, end):
                    continue
                attrs = {"actor_kind": kind, "sector": "GOV"}
                if kind == "organisation":
                    attrs = {"actor_kind": kind, "country": "IGO"}
                if country:
                    attrs["country"] = country
                self.claim(
                    start,
                    end,
                    "ACTOR",
                    attrs,
                    score if country else score - 0.15,
                    f"{kind} noun: {' '.join(self.text[s:e])!r}",
                )

    def places(self) -> None:
        """Countries (state actors) and capitals (metonymy), or venues after a preposition."""
        for cat in ("COUNTRY", "CAPITAL"):
            for iso, s, e in sorted(self.by_cat.get(cat, []), key=lambda m: (m[1], m[1] - m[2])):
                if not self.free(s, e):
                    continue
                start = s
                if s - 1 >= 0 and self.lower[s - 1] == "the" and cat == "COUNTRY":
                    start = s - 1
                if e < self.n and (self.is_cap(e) and not self.sentence_start(e)):
                    continue  # part of a longer name ("Mexico City", "Moscow State University")
                if self.venue_context(s):
                    self.venue_candidates.append((start, e, f"{cat.lower()} after a preposition"))
                    continue
                prev = self.lower[s - 1] if s > 0 else ""
                if prev in (
                    "of",
                    "for",
                    "across",
                    "into",
                    "towards",
                    "toward",
                    "over",
                    "around",
                    "throughout",
                    "within",
                ):
                    continue
                if prev == "to" and s >= 2 and self.taken[s - 2]:
                    continue  # "ambassador to Moscow"
                if e < self.n and (self.is_cap(e) and not self.sentence_start(e)):
                    continue  # part of a longer name ("Moscow State University")
                if cat == "COUNTRY":
                    attrs = {"actor_kind": "state", "country": iso}
                    reason = f"country: {' '.join(self.text[s:e])!r}"
                    score = 0.6
                else:
                    attrs = {
                        "actor_kind": "government",
                        "country": iso,
                        "metonymy": "yes",
                        "sector": "GOV",
                    }
                    reason = f"capital as metonymy: {' '.join(self.text[s:e])!r}"
                    score = 0.55
                self.claim(start, e, "ACTOR", attrs, score, reason)

    def said_names(self) -> None:
        """ "First Last said": an untitled person named as the subject of a speech verb."""
        for k in range(2, self.n):
            if self.lower[k] not in self.lex.speech_verbs:
                continue
            j = k
            while j - 1 >= 0 and k - j < 4 and self.is_cap(j - 1) and not self.taken[j - 1]:
                j -= 1
            if k - j >= 3 and self.sentence_start(j):
                j += 1  # "Later Ana Ruiz said": the capital may just start the sentence
            if k - j >= 2 and self.free(j, k) and self.proper_match(j, ("COUNTRY", "ADJ")) is None:
                f = self.claim(
                    j,
                    k,
                    "ACTOR",
                    {"actor_kind": "person"},
                    0.5,
                    f"capitalised name before {self.text[k]!r}",
                )
                self.register_surname(f, j, k)

    def appositive_names(self) -> None:
        """ "Australia's prime minister, Hanna Whitlock," and "Ana Ruiz, the envoy,": persons."""
        roles = [
            f for f in self.spans if f.label == "ACTOR" and f.attrs.get("actor_kind") == "role"
        ]
        for f in roles:
            c = f.token_end
            if c + 2 < self.n and self.text[c] == "," and self.sent[c + 1] == f.sent:
                e = self.name_end(c + 1, limit=4)
                if e - (c + 1) >= 2 and self.free(c + 1, e):
                    attrs = {"actor_kind": "person"}
                    for key in ("country", "sector"):
                        if key in f.attrs:
                            attrs[key] = f.attrs[key]
                    g = self.claim(
                        c + 1,
                        e,
                        "ACTOR",
                        attrs,
                        0.7,
                        f"name in apposition to {self.doc_text[f.start : f.end]!r}",
                    )
                    self.register_surname(g, c + 1, e)
        for i in range(1, self.n - 2):
            if self.text[i] != "," or self.lower[i + 1] not in ("the", "a", "an", "who", "whose"):
                continue
            j = i
            while j - 1 >= 0 and i - j < 4 and self.is_cap(j - 1) and not self.taken[j - 1]:
                j -= 1
            if self.sentence_start(j) and i - j >= 3:
                j += 1
            if (
                i - j >= 2
                and self.free(j, i)
                and not any(self.proper_at.get(k) for k in range(j, i))
            ):
                g = self.claim(
                    j,
                    i,
                    "ACTOR",
                    {"actor_kind": "person"},
                    0.55,
                    f"name before an apposition {self.text[i + 1]!r}",
                )
                self.register_surname(g, j, i)

    def repeated_surnames(self) -> None:
        if not self.surnames:
            return
        for i in range(self.n):
            w = self.text[i]
            if self.taken[i] or (w not in self.surnames and w not in self.first_names):
                continue
            first = self.surnames.get(w) or self.first_names[w]
            if first.token_start <= i < first.token_end:
                continue
            attrs = {"actor_kind": "person"}
            for key in ("country", "sector"):
                if key in first.attrs:
                    attrs[key] = first.attrs[key]
            self.claim(
                i,
                i + 1,
                "ACTOR",
                attrs,
                0.75,
                f"repeated surname of {self.doc_text[first.start : first.end]!r}",
            )

    # -- channels ------------------------------------------------------------------------------
    def find_channels(self) -> None:
        lex = self.lex
        cands = [
            (kind, s, e, cat == "CHV")
            for cat in ("CHN", "CHV")
            for kind, s, e in self.by_cat.get(cat, [])
        ]
        cands.sort(key=lambda m: (-(m[2] - m[1]), m[1]))
        used = bytearray(self.n)
        chosen = []
        for kind, s, e, is_verb in cands:
            if any(used[s:e]) or any(self.taken[s:e]):
                continue
            excl = lex.channel_exclusions.get(self.lower[e - 1]) or lex.channel_exclusions.get(
                self.lower[s]
            )
            if excl and any(
                self.lower[e : e + len(w)] == w and (is_verb or w[0] not in _VERB_PARTICLES)
                for w in excl
            ):
                continue  # "called for calm"; but a noun "call on Monday" stays
            if not self.contact_sense(kind, s, e, is_verb):
                continue
            for i in range(s, e):
                used[i] = 1
            chosen.append((kind, s, e, is_verb))
        for kind, s, e, is_verb in sorted(chosen, key=lambda m: m[1]):
            if is_verb and kind == "letter" and e - s > 1 and self.lower[e - 1] == "to":
                e -= 1  # "wrote to": the contact is "wrote"
            if not is_verb:
                while (
                    s - 1 >= 0
                    and self.lower[s - 1] in lex.channel_modifiers
                    and not (self.taken[s - 1] or used[s - 1])
                ):
                    s -= 1
                if s - 1 >= 0 and self.lower[s - 1] == "the" and not self.taken[s - 1]:
                    s -= 1
            elif kind == "meeting" and any(w in _MEDIA for w in self.lower[e : min(e + 5, self.n)]):
                kind = "press_statement"  # "speaking to state television"
            attrs = {"channel_kind": kind}
            modality, cue = self.modality(s, e)
            attrs["modality"] = modality
            private = self.private(s, e)
            if kind == "backchannel" or private:
                attrs["visibility"] = "private"
            if kind == "backchannel":
                attrs["official"] = "no"
            reason = f"{'verb' if is_verb else 'noun'} lexicon: {kind}"
            if cue:
                reason += f"; modality {modality} from {cue!r}"
            score = 0.7 if kind not in ("other", "meeting") else 0.5
            f = self.claim(s, e, "CHANNEL", attrs, score, reason)
            f.attrs = attrs
            self.channels.append(f)
            self.channel_verb[id(f)] = is_verb

    def contact_sense(self, kind: str, s: int, e: int, is_verb: bool) -> bool:
        """False for a trigger word used in another sense ("called the plan 'absurd'")."""
        first = self.lower[s]
        if is_verb and e - s == 1 and first in ("phone", "telephone", "host", "post"):
            return self.lower[s - 1] in ("to", "will", "would", "did", "and") if s else False
        if first in ("discuss", "consult") and s >= 1 and self.lower[s - 1] == "to":
            return False  # "met to discuss": the contact is "met"
        if first in ("call", "calls", "called", "calling"):
            ahead = self.text[e : min(e + 6, self.n)]
            if any(q in ahead for q in ('"', "“", "‘", "'")):
                return False  # "called the decision 'a gift'": naming, not phoning
            if s >= 1 and self.lower[s - 1] in ("-", "so"):
                return False  # "so-called"
            if s >= 2 and self.lower[s - 2] == "what":
                return False  # "what he called"
        return True

    def window(self, s: int, e: int) -> tuple[int, int]:
        ss, se = self.sent_bounds[self.sent[s]]
        lo = s
        while lo - 1 >= ss and s - lo < self.lex.modality_window:
            if self.lower[lo - 1] in _BOUNDARY:
                break
            lo -= 1
        hi = e
        while hi < se and hi - e < self.lex.modality_after:
            if self.lower[hi] in _BOUNDARY or self.lower[hi] in _SENT_END_PUNCT:
                break
            hi += 1
        return lo, hi

    def modality(self, s: int, e: int) -> tuple[str, str | None]:
        lo, hi = self.window(s, e)
        found: dict[str, str] = {}
        for modality, cs, ce in self.by_cat.get("MOD", []):
            if any(self.taken[cs:ce]):
                continue
            before = lo <= cs and ce <= s
            after = e <= cs and ce <= hi and modality in _AFTER_MODALITIES
            if before or after:
                found.setdefault(modality, " ".join(self.text[cs:ce]))
        for modality in self.lex.modality_priority:
            if modality in found:
                return modality, found[modality]
        return "actual", None

    def private(self, s: int, e: int) -> bool:
        lo, hi = self.window(s, e)
        return any(lo <= cs and ce <= hi for _, cs, ce in self.by_cat.get("PRIV", []))

    # -- venues and issues ---------------------------------------------------------------------
    def venues(self) -> None:
        channel_sents = {c.sent for c in self.channels}
        lex = self.lex
        for i in range(self.n - 1):
            if self.lower[i] not in lex.venue_prepositions:
                continue
            j = i + 1
            if self.lower[j] == "the":
                j += 1
            k = j
            while (
                k < self.n
                and k - j < 5
                and (
                    self.is_cap(k)
                    or (self.lower[k] in _PLACE_PARTICLES and k > j and self.is_cap(k + 1))
                    or (self.text[k] in ("-", "'s") and k > j and self.is_cap(k + 1))
                )
            ):
                k += 1
            if k > j and self.free(j, k):
                start = i + 1 if j > i + 1 else j
                self.venue_candidates.append((start, k, f"{self.text[i]!r} + capitalised place"))
        for s, e, reason in self.venue_candidates:
            if self.sent[s] not in channel_sents or not self.free(s, e):
                continue
            if self.text[s] == "the" and not self.text[e - 1][:1].isupper():
                continue
            near = min(abs(c.token_start - s) for c in self.channels if c.sent == self.sent[s])
            if near > 15:
                continue
            self.claim(s, e, "VENUE", {}, 0.65 if near <= 8 else 0.45, reason)

    def issues(self) -> None:
        lex = self.lex
        cue_sents = {c.sent for c in self.channels}
        cue_sents |= {self.sent[s] for _, s, _ in self.by_cat.get("STANCE", [])}
        for _, s, e in sorted(self.by_cat.get("ISSUE", []), key=lambda m: (m[1], m[1] - m[2])):
            if self.sent[s] not in cue_sents or not self.free(s, e):
                continue
            start = s
            mods = 0
            while start - 1 >= 0 and mods < 3 and not self.taken[start - 1]:
                w = self.lower[start - 1]
                if w in _ISSUE_STOP or not (w.replace("-", "").isalpha()):
                    break
                if w in lex.channel_nouns or w in lex.channel_verbs or w in lex.stance_cues:
                    break
                if self.sent[start - 1] != self.sent[s]:
                    break
                start -= 1
                mods += 1
            # a leftmost -ed/-ing modifier without a determiner is a verb ("discussed sanctions")
            while (
                start < s
                and self.lower[start].endswith(("ed", "ing"))
                and not (start - 1 >= 0 and self.lower[start - 1] in _DETS)
            ):
                start += 1
            if start - 1 >= 0 and self.lower[start - 1] in _DETS and not self.taken[start - 1]:
                start -= 1
            else:
                # without a determiner, keep capitalised modifiers and one lower-case noun
                while s - start > 1 and not self.text[start][:1].isupper():
                    start += 1
            end = e
            while end < self.n and self.lower[end] in lex.issue_tails and not self.taken[end]:
                end += 1  # "trade agreement", "aid worker"
            head = self.lower[end - 1]
            if end + 1 < self.n and self.lower[end] == "of":
                k = end + 1
                if k < self.n and self.lower[k] in _DETS:
                    k += 1
                m = k
                while (
                    m < self.n
                    and m - k < 4
                    and (
                        self.lower[m] not in _ISSUE_STOP
                        and self.lower[m].replace("-", "").isalnum()
                    )
                ):
                    m += 1
                if m > k:
                    end = m
            elif head in lex.issue_of_heads:
                continue
            if not self.free(start, end):
                continue
            self.claim(start, end, "ISSUE", {}, 0.5, f"issue noun: {' '.join(self.text[s:e])!r}")

    # -- relations -----------------------------------------------------------------------------
    def participants(self) -> list[FoundRelation]:
        rels: list[FoundRelation] = []
        actors = [f for f in self.spans if f.label == "ACTOR"]
        by_sent: dict[int, list[Found]] = {}
        for c in self.channels:
            by_sent.setdefault(c.sent, []).append(c)
        for a in actors:
            chans = by_sent.get(a.sent)
            if not chans or a.attrs.get("anonymous") == "yes":
                continue
            c = min(chans, key=lambda c: abs(c.token_start - a.token_start))
            dist = abs(c.token_start - a.token_start)
            if dist > 20:
                continue
            if self.is_reporter(a, c):
                continue
            role, why = self.role(c, a)
            score = 0.75 if dist <= 6 else 0.6 if dist <= 15 else 0.45
            rels.append(
                FoundRelation(
                    c,
                    a,
                    "PARTICIPANT",
                    {"role": role},
                    score,
                    f"actor in the channel's sentence; role {role}: {why}",
                )
            )
        return rels

    def is_reporter(self, a: Found, c: Found) -> bool:
        """True when ``a`` only reports the contact ("X said the two sides met", "…, X said")."""
        if c.attrs.get("channel_kind") in _BROADCAST_KINDS:
            return False
        nxt = self.lower[a.token_end] if a.token_end < self.n else ""
        prev = self.lower[a.token_start - 1] if a.token_start > 0 else ""
        prev2 = self.lower[a.token_start - 2] if a.token_start > 1 else ""
        if nxt in self.lex.speech_verbs and a.token_end <= c.token_start:
            return True  # "X said [that] the two sides met"
        if prev2 == "according" and prev == "to":
            return True
        return prev == "," and nxt in self.lex.speech_verbs and a.token_start > c.token_end

    def role(self, c: Found, a: Found) -> tuple[str, str]:
        kind = c.attrs.get("channel_kind", "")
        before = a.token_end <= c.token_start
        prev = self.lower[a.token_start - 1] if a.token_start > 0 else ""
        prev2 = self.lower[a.token_start - 2] if a.token_start > 1 else ""
        if prev in _MEDIATOR_CUES or (prev == "by" and prev2 in _MEDIATOR_BY | {"mediation"}):
            return "mediator", f"after {prev!r}"
        if kind == "mediation":
            if before and c.token_start - a.token_end <= 2:
                return "mediator", "just before a mediation"
            return "participant", "party to a mediated contact"
        nxt = self.lower[a.token_end] if a.token_end < self.n else ""
        if nxt in _HOST_VERBS and before:
            return "host", f"before {nxt!r}"
        if prev in _HOST_VERBS and not before:
            return "visitor", f"after {prev!r}"
        if kind in _VISIT_KINDS:
            return ("visitor", "before a visit") if before else ("host", "after a visit")
        if kind in _BROADCAST_KINDS:
            if before:
                return "initiator", "speaker"
            if prev in ("to",) or self.lower[a.token_end - 1] in _AUDIENCE_HINTS:
                return "audience", "addressed"
            return "audience", "after a broadcast"
        trigger = self.lower[c.token_start]
        directional = trigger in self.lex.directional or (
            self.channel_verb.get(id(c)) is False and kind in ("letter", "phone_call")
        )
        if directional and kind not in _SYMMETRIC_KINDS:
            if before:
                if prev == "from":
                    return "initiator", "after 'from'"
                return "initiator", f"subject of {self.text[c.token_start]!r}"
            return "recipient", f"object of {self.text[c.token_start]!r}"
        if not before and prev == "from" and kind in ("letter", "phone_call"):
            return "initiator", "after 'from'"
        if (
            not before
            and prev in _RECIPIENT_PREPS
            and kind in ("letter", "phone_call", "diplomatic_mission")
        ):
            return "recipient", f"after {prev!r}"
        return "participant", "symmetric contact"

    def held_at_about(self) -> list[FoundRelation]:
        rels: list[FoundRelation] = []
        venues = [f for f in self.spans if f.label == "VENUE"]
        issues = [f for f in self.spans if f.label == "ISSUE"]
        for c in self.channels:
            vs = [v for v in venues if v.sent == c.sent]
            if vs:
                v = min(vs, key=lambda v: abs(v.token_start - c.token_start))
                rels.append(FoundRelation(c, v, "HELD_AT", {}, 0.6, "nearest venue in sentence"))
            after = [i for i in issues if i.sent == c.sent and i.token_start >= c.token_end]
            if after:
                i = min(after, key=lambda i: i.token_start)
                if i.token_start - c.token_end <= 12:
                    rels.append(
                        FoundRelation(c, i, "ABOUT", {}, 0.55, "first issue after the channel")
                    )
        return rels

    def stances(self) -> list[FoundRelation]:
        rels: list[FoundRelation] = []
        targets = [f for f in self.spans if f.label in ("ACTOR", "ISSUE")]
        holders = [f for f in self.spans if f.label == "ACTOR"]
        for pol, s, e in self.by_cat.get("STANCE", []):
            if any(self.taken[s:e]):
                continue
            sent = self.sent[s]
            hs = [h for h in holders if h.sent == sent and h.token_end <= s]
            ts = [
                t
                for t in targets
                if t.sent == sent and t.token_start >= e and t.token_start - e <= 8
            ]
            if not hs or not ts:
                continue
            h = max(hs, key=lambda h: h.token_end)
            t = min(ts, key=lambda t: t.token_start)
            if h is t:
                continue
            ss, se = self.sent_bounds[sent]
            quoted = any(self.text[k] in ('"', "“", "”") for k in range(ss, se))
            attrs = {"polarity": pol, "expressed": "quoted" if quoted else "reported"}
            rels.append(
                FoundRelation(
                    h, t, "STANCE", attrs, 0.55, f"stance cue {' '.join(self.text[s:e])!r}"
                )
            )
        return rels

    def adopt(
        self, items: list[tuple[int, int, str, float, str]], memo: dict[str, dict[str, Any]]
    ) -> tuple[list[Found], list[FoundRelation]]:
        """Replace the rules' spans by another model's, then relate them with the same heuristics.

        ``items`` are ``(start, end, label, score, reason)`` in characters.  Attributes come from
        ``memo`` (``"LABEL|lower text"`` -> attributes seen in training), else from an
        overlapping rules span of the same label, else from defaults; a CHANNEL's modality is
        always read from its context.
        """
        rule_spans = self.spans
        new: list[Found] = []
        for start, end, label, score, reason in items:
            # token range covering [start, end): bisect, not Doc.char_span (linear per call)
            s = max(bisect_right(self.idx, start) - 1, 0)
            e = bisect_left(self.idx, end)
            if e <= s:
                continue
            attrs = dict(memo.get(f"{label}|{self.doc_text[start:end].lower()}", {}))
            if not attrs:
                best = None
                for r in rule_spans:
                    if r.label == label and r.start < end and start < r.end:
                        overlap = min(r.end, end) - max(r.start, start)
                        if best is None or overlap > best[0]:
                            best = (overlap, r)
                if best is not None:
                    attrs = dict(best[1].attrs)
            if label == "CHANNEL":
                if "channel_kind" not in attrs:
                    kinds = [
                        self.lex.channel_nouns.get(w) or self.lex.channel_verbs.get(w)
                        for w in self.lower[s:e]
                    ]
                    attrs["channel_kind"] = next((k for k in kinds if k), "other")
                attrs["modality"] = self.modality(s, e)[0]
            elif label == "ACTOR" and "actor_kind" not in attrs:
                attrs["actor_kind"] = "role" if self.lower[s] == "the" else "person"
            new.append(Found(start, end, label, attrs, score, reason, s, e, self.sent[s]))
        self.spans = new
        self.taken = bytearray(self.n)
        for f in new:
            for i in range(f.token_start, f.token_end):
                self.taken[i] = 1
        self.channels = [f for f in new if f.label == "CHANNEL"]
        self.channel_verb = {
            id(f): self.lower[f.token_start] in self.lex.channel_verbs for f in self.channels
        }
        rels = self.participants() + self.held_at_about() + self.stances()
        return new, rels

    # ------------------------------------------------------------------------------------------
    def run(self) -> tuple[list[Found], list[FoundRelation]]:
        self.group_starts = {st for _, st, _ in self.by_cat.get("GROUPN", [])}
        self.surnames: dict[str, Found] = {}
        self.first_names: dict[str, Found] = {}
        self.fullnames: dict[tuple[str, ...], Found] = {}
        self.venue_candidates: list[tuple[int, int, str]] = []
        self.channels: list[Found] = []
        self.channel_verb: dict[int, bool] = {}
        self.anonymous()
        self.titles()
        self.honorific_names()
        self.find_channels()
        self.seats_and_orgs()
        self.bodies()
        self.places()
        self.appositive_names()
        self.repeated_surnames()
        self.said_names()
        self.repeated_surnames()
        self.venues()
        self.issues()
        rels = self.participants() + self.held_at_about() + self.stances()
        return self.spans, rels


class RulesModel:
    """The ``rules`` model: :class:`RuleExtractor` behind the :class:`Model` protocol."""

    name = "rules"
    trainable = False

    def __init__(self, model_dir: Path | None = None, *, schema: Schema | None = None) -> None:
        self.schema = schema
        data_dir = None
        if model_dir is not None and (Path(model_dir) / "lexicon.yaml").is_file():
            data_dir = str(model_dir)  # a user's own word lists
        self.lexicon = load_lexicon(data_dir)
        self.version = f"{VERSION}+lex{self.lexicon.version}"
        self.extractor = RuleExtractor(self.lexicon)

    def predict(self, docs: Iterable[Document]) -> Iterator[Document]:
        """Pre-annotate Documents; spans and relations carry ``score`` and ``reason``."""
        texts = ((d.text, d) for d in docs)
        for sdoc, doc in self.extractor.nlp.pipe(texts, as_tuples=True, batch_size=64):
            spans, rels = self.extractor.extract_doc(sdoc)
            relevant = any(
                r.label == "PARTICIPANT" and r.head.attrs.get("modality") == "actual" for r in rels
            )
            yield make_prediction(
                doc,
                model=self.name,
                version=self.version,
                spans=spans,
                relations=rels,
                schema=self.schema,
                doc_labels={"relevant": "yes" if relevant else "no"},
            )

    def train(
        self, gold_path: Path, out_dir: Path, options: TrainOptions | None = None
    ) -> TrainResult:
        """The rules model learns nothing; copy ``lexicon.yaml`` into a directory to adapt it."""
        del gold_path, out_dir, options
        raise ModelError(
            "the rules model has no training step",
            hint="edit a copy of eval/models/data/ and pass it with --model-dir",
        )
