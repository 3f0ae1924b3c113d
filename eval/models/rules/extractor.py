"""The rules' engine: the spaCy matchers, and the recognisers run in a fixed order.

:class:`RuleExtractor` compiles the word lists of the lexicon into two ``PhraseMatcher``s once
per process.  For each document, :func:`run` builds a
:class:`~backchannel.eval.models.rules.context.Context` and calls the recognisers of
:data:`RECOGNISERS` one after the other.  The order matters: each recogniser claims the tokens of
what it finds, and a later one never overlaps them, so the more specific patterns come first
("Foreign Minister Ana Ruiz" before "Ana Ruiz said"), channels before seats (a seat after "visit
to" is a place), and venues and issues last, on what the actors left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from backchannel.eval.models.base import Found, FoundRelation
from backchannel.eval.models.lexicon import Lexicon, load_lexicon
from backchannel.eval.models.rules.actors_institutions import bodies, places, seats_and_orgs
from backchannel.eval.models.rules.actors_names import (
    contact_objects,
    given_name_people,
    known_people,
    listed_names,
)
from backchannel.eval.models.rules.actors_people import (
    anonymous,
    appositive_names,
    honorific_names,
    repeated_surnames,
    said_names,
)
from backchannel.eval.models.rules.actors_titles import join_titles, titles
from backchannel.eval.models.rules.base_entities import base_entities
from backchannel.eval.models.rules.bystanders import drop_bystanders
from backchannel.eval.models.rules.channels import find_channels
from backchannel.eval.models.rules.context import Context
from backchannel.eval.models.rules.issues import find_issues
from backchannel.eval.models.rules.knowledge import Knowledge, load_knowledge
from backchannel.eval.models.rules.relations import held_at_about, participants
from backchannel.eval.models.rules.stances import stances
from backchannel.eval.models.rules.venues import find_venues

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["RECOGNISERS", "RuleExtractor", "run"]

# The span recognisers, in the order they run (see the module docstring for why it matters).
# repeated_surnames runs twice: once for the names found so far, once more after said_names.
RECOGNISERS: tuple[Callable[[Context], None], ...] = (
    anonymous,
    titles,
    honorific_names,
    known_people,
    given_name_people,
    join_titles,
    find_channels,
    seats_and_orgs,
    bodies,
    places,
    appositive_names,
    repeated_surnames,
    said_names,
    contact_objects,
    listed_names,
    repeated_surnames,
    base_entities,
    repeated_surnames,
    find_venues,
    find_issues,
)


def run(ctx: Context) -> tuple[list[Found], list[FoundRelation]]:
    """Run every recogniser on ``ctx`` in order, drop the bystanders, then relate the rest."""
    for recognise in RECOGNISERS:
        recognise(ctx)
    drop_bystanders(ctx)
    rels = participants(ctx) + held_at_about(ctx) + stances(ctx)
    return ctx.spans, rels


class RuleExtractor:
    """Compiled matchers and the extraction logic; one per process (building it takes ~0.2 s).

    Example:
        >>> ex = RuleExtractor()  # doctest: +SKIP
        >>> spans, rels = ex.extract("The Kremlin said Ana Ruiz did not call.")  # doctest: +SKIP
    """

    def __init__(self, lexicon: Lexicon | None = None, knowledge: Knowledge | None = None) -> None:
        import spacy
        from spacy.matcher import PhraseMatcher

        self.lex = lexicon or load_lexicon()
        self.knowledge = knowledge if knowledge is not None else load_knowledge()
        nlp = spacy.blank("en")
        # No sentencizer: Context splits sentences on the token texts it already holds, which is
        # a third of the cost, and also breaks at blank lines (headlines have no full stop).
        self.nlp = nlp
        self.proper = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.common = PhraseMatcher(nlp.vocab, attr="LOWER")
        # match id -> (category, value), e.g. "CHV|phone_call"; Context sorts hits by it
        self.keys: dict[int, tuple[str, str]] = {}
        lex = self.lex

        def add(matcher: Any, cat: str, value: str, phrases: Iterable[str]) -> None:
            key = f"{cat}|{value}"
            kid = nlp.vocab.strings.add(key)
            self.keys[kid] = (cat, value)
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
        # countries whose name takes "the" ("the Netherlands"): "the Iran deal" is a modifier
        self.the_countries = {p[4:] for p in lex.country_names if p.lower().startswith("the ")}
        # words of body and group nouns ("council", "ministry"): never part of a bare name
        self.body_words = {
            w
            for phrase in [*lex.government_nouns, *lex.organisation_nouns, *lex.group_nouns]
            for w in phrase.lower().split()
        }

    # ------------------------------------------------------------------------------------------
    def extract(self, text: str) -> tuple[list[Found], list[FoundRelation]]:
        """Spans and relations for one text."""
        return self.extract_doc(self.nlp(text))

    def extract_doc(
        self, doc: Doc, base_ents: list[tuple[int, int, str]] | None = None
    ) -> tuple[list[Found], list[FoundRelation]]:
        """Spans and relations for one spaCy Doc made by ``self.nlp``.

        ``base_ents``: ``(start_char, end_char, label)`` entities of a pretrained pipeline,
        used as extra evidence (see :mod:`~backchannel.eval.models.rules.base_entities`).
        """
        ctx = Context(self, doc)
        ctx.base_ents = base_ents or []
        return run(ctx)
