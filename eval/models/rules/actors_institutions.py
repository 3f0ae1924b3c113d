"""ACTOR recognisers for institutions and places: seats, organisations, bodies, countries.

A seat of government, a country or a capital after a preposition ("in Geneva", "at the White
House") is a place, not an actor: it is left in ``ctx.venue_candidates`` for
:func:`backchannel.eval.models.rules.venues.find_venues`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backchannel.eval.models.rules.venues import venue_context
from backchannel.eval.models.rules.words import QUANTIFIERS, ROLE_DETS, VISIT_KINDS

if TYPE_CHECKING:
    from backchannel.eval.models.rules.context import Context

__all__ = ["TOPIC_PREPS", "bodies", "places", "seats_and_orgs"]

# Words before a country that make it the topic of a clause, not a party to it.
TOPIC_PREPS = {"on", "against", "amid", "regarding", "concerning", "about"}
# Nouns after a country's possessive that make the country a topic ("Russia's war").
TOPIC_AFTER_POSSESSIVE = {
    "war",
    "invasion",
    "aggression",
    "nuclear",
    "program",
    "programme",
    "malign",
    "influence",
    "exit",
    "behaviour",
    "behavior",
    "activity",
    "activities",
    "economy",
    "territory",
    "territorial",
    "sovereignty",
    "growing",
    "ongoing",
    "brutal",
    "unprovoked",
    "full-scale",
}
# ... and where the country is a place or a possession ("the people of Syria").
NOT_ACTOR_PREPS = {
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
}


def _modifier(ctx: Context, s: int, e: int) -> bool:
    """True when the country at tokens ``s``-``e`` modifies another word and is no party.

    "the UK-Ireland relationship", "the Russia-Ukraine war", "UK/US trade", "Russia's war":
    a compound or a possessive before a topic noun.  A compound whose next word is a contact
    ("Armenia-Azerbaijan peace talks") or an "-ed" agent ("Egypt-brokered") stays a party.
    """
    hyphen_before = (
        s - 1 >= 0 and ctx.text[s - 1] in ("-", "‑", "/") and ctx.idx[s] == ctx.idx[s - 1] + 1
    )
    hyphen_after = e < ctx.n and ctx.text[e] in ("-", "‑", "/")
    if hyphen_before or hyphen_after:
        k = e
        while k < ctx.n and k - e < 4 and (ctx.text[k] in ("-", "‑", "/") or ctx.cap[k]):
            k += 1  # over the rest of the compound ("Russia-Ukraine")
        if k < ctx.n and ctx.lower[k].endswith("ed") and hyphen_after:
            return False
        return not any(k <= c.token_start <= k + 2 for c in ctx.channels)
    name = " ".join(ctx.text[s:e])
    if (
        s - 1 >= 0
        and ctx.lower[s - 1] == "the"
        and e < ctx.n
        and ctx.text[e][:1].islower()
        and ctx.text[e].isalpha()
        and not name.isupper()
        and not name.startswith("United")
        and name not in ctx.ex.the_countries
    ):
        return True  # "the Russia hoax", "the Iran nuclear deal": a modifier
    return (
        e + 1 < ctx.n
        and ctx.lower[e] in ("'s", "’s")
        and ctx.lower[e + 1] in TOPIC_AFTER_POSSESSIVE
    )


# Nouns a capital's name modifies as a place: "the official London residence".
PLACE_NOUNS = {
    "residence",
    "home",
    "hotel",
    "airport",
    "office",
    "offices",
    "headquarters",
    "station",
    "mayor",
    "police",
    "court",
    "university",
    "zoo",
    "marathon",
}


def _place_noun_after(ctx: Context, e: int) -> bool:
    """True when the capital ending at ``e`` names where something is ("London residence")."""
    return e < ctx.n and ctx.lower[e] in PLACE_NOUNS


# Nouns whose "between X and Y" names a relation, not a contact: X and Y are its topic.
RELATION_NOUNS = {
    "relations",
    "relationship",
    "ties",
    "cooperation",
    "ceasefire",
    "agreement",
    "deal",
    "trade",
    "partnership",
    "war",
    "conflict",
    "border",
    "tensions",
    "dispute",
    "peace",
    "treaty",
    "differences",
    "alliance",
}


# Nouns after an organisation's name that make the name part of an event or an agreement.
EVENT_NOUNS = {"pact", "format", "framework", "process", "treaty", "accord", "charter", "era"}


def _names_an_event(ctx: Context, e: int) -> bool:
    """True when the name ending at ``e`` modifies a contact or agreement noun ("G20 Summit")."""
    return ctx.names_event(e, EVENT_NOUNS, lower_head=True)


# Nouns of a state's deeds that a stance credits: "for Australia's support".
CREDIT_NOUNS = {
    "efforts",
    "support",
    "contributions",
    "contribution",
    "leadership",
    "assistance",
    "help",
    "hospitality",
    "partnership",
    "role",
    "solidarity",
    "generosity",
}


def _credited(ctx: Context, e: int) -> bool:
    """True when the country ending at ``e`` owns a deed a stance credits ("'s support")."""
    return e + 1 < ctx.n and ctx.lower[e] in ("'s", "’s") and ctx.lower[e + 1] in CREDIT_NOUNS


# Verbs whose "for X" names whom the act represents: "ministers attended for Argentina".
ON_BEHALF_VERBS = {"attended", "spoke", "signed", "voted", "negotiated", "acted", "appeared"}


def _on_behalf(ctx: Context, start: int) -> bool:
    """True when the country at ``start`` follows "attended for" and the like."""
    return start >= 2 and ctx.lower[start - 1] == "for" and ctx.lower[start - 2] in ON_BEHALF_VERBS


def _after_a_city(ctx: Context, start: int) -> bool:
    """ "Leuven, Belgium", "Brasília, Brazil": a country after a place and a comma locates it."""
    c = start - 1
    if c < 1 or ctx.text[c] != "," or not ctx.is_cap(c - 1) or ctx.sentence_start(c - 1):
        return False
    if any(cat == "COUNTRY" for cat, _, _ in ctx.proper_end.get(c, [])):
        return False  # "Bolivia, Brazil": a list of countries
    return not any(f.token_end == c and f.label == "ACTOR" for f in ctx.spans)


def _between_topic(ctx: Context, start: int) -> bool:
    """True for the first country of "the ceasefire between Israel and Lebanon"."""
    p = start - 1
    if p < 1 or ctx.lower[p] != "between":
        return False
    k = p - 1
    while k >= 0 and p - k <= 3 and ctx.text[k].isalpha() and ctx.text[k].islower():
        if ctx.lower[k] in RELATION_NOUNS:
            return True
        k -= 1
    return False


def _visited(ctx: Context, s: int) -> bool:
    """True when token ``s`` is the object of a visit ("will visit Kyiv"): a place."""
    return any(
        c.token_end == s and c.attrs.get("channel_kind") in VISIT_KINDS for c in ctx.channels
    )


def seats_and_orgs(ctx: Context) -> None:
    """Seats of government (metonymy) and international organisations, unless used as places."""
    for cat, label_reason in (("SEAT", "seat of government"), ("ORG", "organisation")):
        for value, s, e in sorted(ctx.by_cat.get(cat, []), key=lambda m: (m[1], m[1] - m[2])):
            if not ctx.free(s, e) or e in ctx.group_starts:
                continue
            start = s
            if cat == "SEAT" and s - 1 >= 0 and ctx.lower[s - 1] == "the":
                start = s - 1
            if venue_context(ctx, s):
                ctx.venue_candidates.append((start, e, f"{label_reason} as a place"))
                continue
            if cat == "ORG" and _names_an_event(ctx, e):
                continue  # "the G20 Summit", "the G7 meeting", "the AUKUS pact": no party
            if cat == "SEAT":
                attrs = {
                    "actor_kind": "government",
                    "country": value,
                    "metonymy": "yes",
                    "sector": "GOV",
                }
                ctx.claim(
                    start,
                    e,
                    "ACTOR",
                    attrs,
                    0.8,
                    f"seat of government: {' '.join(ctx.text[s:e])!r}",
                )
            else:
                attrs = {"actor_kind": "organisation", "country": "IGO"}
                ctx.claim(
                    start,
                    e,
                    "ACTOR",
                    attrs,
                    0.75,
                    f"international organisation: {' '.join(ctx.text[s:e])!r}",
                )


def bodies(ctx: Context) -> None:
    """Government bodies and collectives: "the foreign ministry", "British diplomats"."""
    for cat, kind, score in (
        ("GOVN", "government", 0.7),
        ("ORGN", "organisation", 0.6),
        ("GROUPN", "group", 0.55),
    ):
        for _, s, e in sorted(ctx.by_cat.get(cat, []), key=lambda m: (m[1], m[1] - m[2])):
            if not ctx.free(s, e):
                continue
            if ctx.text[s][:1].isupper() and any(
                s < pe for k in range(max(0, s - 3), s) for _, _, pe in ctx.proper_at.get(k, [])
            ):
                continue  # "States" of "United States"
            if ctx.text[s][:1].isupper() and ctx.names_event(e):
                continue  # "the Leaders' Summit": an event's name
            start = s
            country = None
            adj = ctx.adjective_before(s)
            if adj is not None and ctx.free(adj[0], s):
                start, country = adj
            # "Ministry of Defence"
            end = e
            if end + 1 < ctx.n and ctx.lower[end] == "of" and ctx.is_cap(end + 1):
                k = end + 1
                while k < ctx.n and ctx.is_cap(k) and k - end < 4:
                    k += 1
                end = k
            quant = start
            while start - 1 >= 0 and ctx.lower[start - 1] in QUANTIFIERS:
                start -= 1
            if country is None and start == s:
                for pcat, value, ps in ctx.proper_end.get(s, []):
                    if pcat in ("ORG", "SEAT", "COUNTRY") and ctx.free(ps, s):
                        start, country = ps, value  # "EU leaders", "NATO allies"
            article = start - 1 >= 0 and ctx.lower[start - 1] in ROLE_DETS
            quantified = start < quant and ctx.lower[start] in ("both", "each", "all")
            capitalised = ctx.text[s][:1].isupper() and not ctx.sentence_start(s)
            if country is None and not (article or quantified or capitalised):
                continue
            if article:
                start -= 1
            end = ctx.place_tail(end)  # "the Iranian embassy in London"
            if not ctx.free(start, end):
                continue
            attrs = {"actor_kind": kind, "sector": "GOV"}
            if kind == "organisation":
                attrs = {"actor_kind": kind, "country": "IGO"}
            if country:
                attrs["country"] = country
            ctx.claim(
                start,
                end,
                "ACTOR",
                attrs,
                score if country else score - 0.15,
                f"{kind} noun: {' '.join(ctx.text[s:e])!r}",
            )


def places(ctx: Context) -> None:
    """Countries (state actors) and capitals (metonymy), or venues after a preposition."""
    for cat in ("COUNTRY", "CAPITAL"):
        rejected_end, as_venue = -9, False
        for iso, s, e in sorted(ctx.by_cat.get(cat, []), key=lambda m: (m[1], m[1] - m[2])):
            if not ctx.free(s, e):
                continue
            start = s
            if s - 1 >= 0 and ctx.lower[s - 1] == "the" and cat == "COUNTRY":
                start = s - 1
            if e < ctx.n and (ctx.is_cap(e) and not ctx.sentence_start(e)):
                continue  # part of a longer name ("Mexico City", "Moscow State University")
            if s - 1 >= 0 and ctx.is_cap(s - 1) and not ctx.sentence_start(s - 1):
                continue  # "Latin America", "Northern Ireland"
            if _modifier(ctx, s, e) or (cat == "CAPITAL" and _place_noun_after(ctx, e)):
                rejected_end, as_venue = e, False
                continue
            if venue_context(ctx, s) or _visited(ctx, start) or _after_a_city(ctx, start):
                ctx.venue_candidates.append((start, e, f"{cat.lower()} after a preposition"))
                rejected_end, as_venue = e, True
                continue
            prev = ctx.lower[start - 1] if start > 0 else ""
            if prev in (",", "and", "or") and rejected_end in (s - 1, s - 2):
                # "travel to Egypt, Eritrea and Sudan": the list goes on as it began
                if as_venue:
                    ctx.venue_candidates.append((start, e, "country in a list of places"))
                rejected_end = e
                continue
            if _credited(ctx, e) or _on_behalf(ctx, start):
                pass  # "for Saudi Arabia's efforts", "attended for Argentina": a party
            elif (
                prev in TOPIC_PREPS
                or prev in NOT_ACTOR_PREPS
                or _between_topic(ctx, start)  # "relations between the US and Pakistan"
                or (prev == "to" and s >= 2 and ctx.taken[s - 2])  # "ambassador to Moscow"
            ):
                rejected_end, as_venue = e, False  # "war on Ukraine", "Russia-Ukraine war"
                continue
            if e < ctx.n and (ctx.is_cap(e) and not ctx.sentence_start(e)):
                continue  # part of a longer name ("Moscow State University")
            if cat == "COUNTRY":
                attrs = {"actor_kind": "state", "country": iso}
                reason = f"country: {' '.join(ctx.text[s:e])!r}"
                score = 0.6
            else:
                attrs = {
                    "actor_kind": "government",
                    "country": iso,
                    "metonymy": "yes",
                    "sector": "GOV",
                }
                reason = f"capital as metonymy: {' '.join(ctx.text[s:e])!r}"
                score = 0.55
            ctx.claim(start, e, "ACTOR", attrs, score, reason)
