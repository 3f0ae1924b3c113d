"""ACTOR recognisers for titles: a title and the name after it, or a title alone.

"Foreign Minister Ana Ruiz" is one person, "the Japanese ambassador to China Anami Koreshige"
too (guidelines: titles before a name are inside the span, however long); "the Prime Minister"
alone is a role and "EU foreign ministers" a group.  :func:`titles` runs first among the actor
recognisers; :func:`join_titles` runs after the name recognisers and joins a role to the name
found right after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backchannel.eval.models.rules.knowledge import name_key
from backchannel.eval.models.rules.names import (
    det_before,
    is_initial,
    name_end,
    plain_name,
    register_surname,
)
from backchannel.eval.models.rules.words import (
    FUNCTION_WORDS,
    ORG_HEADS,
    PLACE_TITLES,
    QUANTIFIERS,
    ROLE_DETS,
    TITLE_MODIFIERS,
)

if TYPE_CHECKING:
    from backchannel.eval.models.rules.context import Context

__all__ = ["join_titles", "titles"]


def titles(ctx: Context) -> None:
    """Title plus name (a person) or a title alone after a determiner (a role or group)."""
    lex = ctx.lex
    matches = sorted(ctx.by_cat.get("TITLE", []), key=lambda m: (m[1], -(m[2] - m[1])))
    last_end = -1
    for _, s, e in matches:
        if s < last_end or not ctx.free(s, e):
            continue
        title_words = " ".join(ctx.lower[s:e])
        if title_words == "premier" and ctx.text[s] == "premier" and _noun_after(ctx, e):
            continue  # "Argentina's premier agriculture exposition": an adjective
        if _in_event_complement(ctx, s):
            continue  # "the G20 Meetings of Agriculture Ministers": the event's name
        after_org = any(  # "the G20 Foreign Minister's meeting"
            cat == "ORG"
            for k in range(max(0, s - 2), s + 1)
            for cat, _, _ in ctx.proper_end.get(k, [])
        )
        if ctx.names_event(e, ORG_HEADS, lower_head=after_org):
            continue  # "the UN General Assembly", "the G20 Foreign Minister's meeting"
        start = s
        country = None
        while (
            start - 1 >= 0 and ctx.lower[start - 1] in TITLE_MODIFIERS and not ctx.taken[start - 1]
        ):
            start -= 1
        # "Opposition MP", "Chief Cabinet Secretary", "Presidential spokesperson"
        while (
            start - 1 >= 0
            and s - start < 2
            and ctx.is_cap(start - 1)
            and not ctx.taken[start - 1]
            and not ctx.proper_end.get(start)
            and not (  # "Following President Biden": a sentence's first word
                ctx.sentence_start(start - 1)
                and (ctx.lower[start - 1].endswith("ing") or ctx.lower[start - 1] in FUNCTION_WORDS)
            )
        ):
            start -= 1
        adj = ctx.adjective_before(start)
        if adj is None:
            for cat, value, ps in ctx.proper_end.get(start, []):
                if cat in ("SEAT", "ORG", "COUNTRY"):
                    adj = (ps, value)
                    if cat == "SEAT" and ps - 1 >= 0 and ctx.lower[ps - 1] == "the":
                        adj = (ps - 1, value)
        if adj is not None and ctx.free(adj[0], start):
            start, country = adj
            while (  # "Deputy United States Trade Representative"
                start - 1 >= 0
                and ctx.lower[start - 1] in TITLE_MODIFIERS
                and not ctx.taken[start - 1]
            ):
                start -= 1
        name_to = name_end(ctx, e)
        if name_to == e and _pronoun_name(ctx, e):
            name_to = name_end(ctx, e + 1)  # "Vice Premier He Lifeng"
        # "President of France", "President of the Republic of Korea": a role with a country
        if name_to == e and e + 1 < ctx.n and ctx.lower[e] == "of":
            m = ctx.proper_match(e + 1, ("COUNTRY",))
            if m is None and ctx.lower[e + 1] == "the" and e + 2 < ctx.n:
                m = ctx.proper_match(e + 2, ("COUNTRY",))
            if m is not None:
                country = m[1]
                e = m[2]
                name_to = e
                if _pronoun_name(ctx, e):
                    name_to = name_end(ctx, e + 1)  # "... of China He Lifeng"
                elif (
                    ctx.lower[e] == "the"
                    and e + 1 < ctx.n
                    and ctx.lower[e + 1].rstrip(".") in lex.name_prefixes
                ):
                    name_to = name_end(ctx, e + 1)  # "... of Papua New Guinea the Honourable X"
                elif name_end(ctx, e, limit=4) - e >= 2:
                    name_to = name_end(ctx, e, limit=4)  # "President of France Emmanuel Macron"
        if name_to == e:
            e, name_to = _name_after_office(ctx, e)
        if title_words == "pm" and (ctx.text[s] != "PM" or _after_time(ctx, s)):
            continue  # "5 pm", "at 5:30 PM"
        if any(
            ctx.lower[k] in lex.channel_nouns
            or ctx.lower[k] in ctx.ex.body_words
            or ctx.lower[k] in ORG_HEADS
            for k in range(e, name_to)
        ):
            name_to = e  # "the NATO Foreign Ministers Meeting": an event, not a name
        sector = lex.title_sectors.get(title_words, "GOV")
        capital = ctx.text[s][:1].isupper()
        if name_to > e:
            attrs = {"actor_kind": "person", "sector": sector}
            if country:
                attrs["country"] = country
            if ctx.sentence_start(start) and not capital and country is None:
                continue  # but "US president Bush visits Canada" (a headline) is a person
            start = det_before(ctx, start)
            f = ctx.claim(
                start,
                name_to,
                "ACTOR",
                attrs,
                0.85,
                f"title + name: {' '.join(ctx.text[s:e])!r}",
            )
            register_surname(ctx, f, e, name_to)
            last_end = name_to
            continue
        plural = title_words in lex.plural_titles
        while start - 1 >= 0 and ctx.lower[start - 1] in QUANTIFIERS:
            start -= 1
        det = start - 1 >= 0 and ctx.lower[start - 1] in ROLE_DETS | {"a", "an"}
        if not det and country is None and not plural and start == s and ctx.text[s] != "PM":
            continue
        if det:
            start = det_before(ctx, start)
        if title_words in PLACE_TITLES or title_words.rstrip("s") in PLACE_TITLES:
            e = _place_of_title(ctx, e)
            name_to = name_end(ctx, e, limit=4)
            if name_to - e >= 2 and not plural and plain_name(ctx, e, name_to):
                # "the Japanese ambassador to China Anami Koreshige": title + name
                attrs = {"actor_kind": "person", "sector": sector}
                if country:
                    attrs["country"] = country
                start = det_before(ctx, start)
                f = ctx.claim(start, name_to, "ACTOR", attrs, 0.8, f"title + name: {title_words!r}")
                register_surname(ctx, f, e, name_to)
                last_end = name_to
                continue
        attrs = {"actor_kind": "group" if plural else "role", "sector": sector}
        if country:
            attrs["country"] = country
        ctx.claim(
            start, e, "ACTOR", attrs, 0.7, f"title without a name: {' '.join(ctx.text[s:e])!r}"
        )
        last_end = e


def _noun_after(ctx: Context, e: int) -> bool:
    """A lower-case word right after token ``e - 1`` that a title would not take."""
    return (
        e < ctx.n
        and ctx.text[e].isalpha()
        and ctx.text[e].islower()
        and ctx.lower[e] not in ctx.lex.speech_verbs
        and ctx.lower[e] not in FUNCTION_WORDS
        and not ctx.lower[e].endswith(("ed", "s"))
    )


def _in_event_complement(ctx: Context, s: int) -> bool:
    """True when the title at ``s`` follows a capitalised contact noun and "of"."""
    k = s - 1
    while k >= 0 and s - k <= 2 and ctx.is_cap(k) and ctx.lower[k] not in ctx.lex.channel_nouns:
        k -= 1  # "Meeting of Foreign [Ministers]"
    return (
        k >= 1
        and ctx.lower[k] == "of"
        and ctx.text[k - 1][:1].isupper()
        and ctx.lower[k - 1] in ctx.lex.channel_nouns
    )


def _place_of_title(ctx: Context, e: int) -> int:
    """End of "ambassador [to China]": a known place if one starts there, else a capitalised
    run; a known place ends the title, so that a name after it ("to China Anami Koreshige")
    is not swallowed."""
    if e + 1 < ctx.n and ctx.lower[e] in ("to", "in", "for"):
        k = e + 1
        if ctx.lower[k] == "the" and k + 1 < ctx.n:
            k += 1
        m = ctx.proper_match(k, ("COUNTRY", "CAPITAL", "SEAT", "ORG"))
        if m is not None:
            return m[2]
    return ctx.place_tail(e, ("to", "in", "for"))


def _pronoun_name(ctx: Context, e: int) -> bool:
    """ "He Lifeng" right after a title: a capitalised word the name lists leave out (a pronoun
    that is also a family name) followed by a name in the same sentence."""
    return (
        e + 1 < ctx.n
        and not ctx.taken[e]
        and not ctx.cap[e]
        and ctx.text[e][:1].isupper()
        and ctx.text[e].isalpha()
        and not ctx.sentence_start(e)
        and ctx.is_cap(e + 1)
        and ctx.sent[e + 1] == ctx.sent[e]
        and ctx.idx[e + 1] == ctx.idx[e] + len(ctx.text[e]) + 1
    )


def _after_time(ctx: Context, s: int) -> bool:
    """ "5:30 PM", "8 PM": the title "PM" after a clock time is the time of day."""
    return s - 1 >= 0 and any(c.isdigit() for c in ctx.text[s - 1])


def _name_after_office(ctx: Context, e: int) -> tuple[int, int]:
    """ "Minister of Defense Andrey Belousov": (start, end) of the name after "of/for ...".

    The office's complement is a capitalised run ("of Defense", "for Political and Security
    Affairs"); the name is its tail from the first known given name or person.  Returns
    ``(e, e)`` when there is none.
    """
    if e + 1 >= ctx.n or ctx.lower[e] not in ("of", "for"):
        return e, e
    k = e + 1
    while (
        k < ctx.n
        and k - e < 14
        and not ctx.taken[k]
        and ctx.sent[k] == ctx.sent[e]
        and (
            ctx.is_cap(k)
            or is_initial(ctx, k)
            or ctx.lower[k] in ("and", "the", "of", "for", "-", "&", "'s", "’s")
        )
    ):
        k += 1
    kn = ctx.ex.knowledge
    prefixes = ctx.lex.name_prefixes
    for j in range(e + 2, k - 1):
        if not ctx.is_cap(j):
            continue
        low = ctx.lower[j].rstrip(".")
        # a given name, an honorific ("the Honourable James Marape"), or the first word after
        # the office's country ("Prime Minister of Papua New Guinea James Marape")
        if (
            name_key(ctx.text[j]) in kn.first_names
            or low in prefixes
            or any(cat in ("COUNTRY", "SEAT") for cat, _, _ in ctx.proper_end.get(j, []))
        ):
            end = name_end(ctx, j, limit=4)
            if end - j >= 2 and not ctx.proper_at.get(j):
                return j, end
    # "Vice Premier of the People's Republic of China He Lifeng": a family name the name lists
    # leave out, right after the office's country
    if k < ctx.n and ctx.proper_end.get(k) and _pronoun_name(ctx, k):
        end = name_end(ctx, k + 1)
        if end > k + 1:
            return k, end
    return e, e


def join_titles(ctx: Context) -> None:
    """ "the President of Türkiye Recep Tayyip Erdoğan": a role and the name right after it are
    one person (guidelines: titles before a name are inside the span, however long).

    The title recogniser finds the role and, later, the gazetteer or a given name finds the
    person; this joins the two when nothing but the office's complement ("for Defense") lies
    between them.
    """
    by_start = {f.token_start: f for f in ctx.spans if f.label == "ACTOR"}
    for role in [f for f in ctx.spans if f.attrs.get("actor_kind") == "role"]:
        k = role.token_end
        if k < ctx.n and ctx.lower[k] in ("of", "for") and not ctx.taken[k]:
            k += 1
            while (
                k < ctx.n
                and not ctx.taken[k]
                and ctx.sent[k] == role.sent
                and (ctx.is_cap(k) or ctx.lower[k] in ("and", "the", "of", "for", "&", "a"))
            ):
                k += 1
        while (
            k < ctx.n
            and ctx.lower[k].rstrip(".") in ctx.lex.name_prefixes
            and by_start.get(k) is None
        ):
            k += 1  # "Pentagon spokesman Capt. Jeff Davis"
        person = by_start.get(k)
        if (
            person is None
            or person.attrs.get("actor_kind") != "person"
            or person.sent != role.sent
            or k - role.token_end > 8
        ):
            continue
        attrs = dict(person.attrs)
        for key in ("country", "sector"):
            if key in role.attrs:
                attrs.setdefault(key, role.attrs[key])
        ctx.spans.remove(role)
        ctx.spans.remove(person)
        joined = ctx.claim(
            role.token_start,
            person.token_end,
            "ACTOR",
            attrs,
            max(role.score, person.score),
            f"title + name: {ctx.doc_text[role.start : role.end]!r} and {person.reason}",
        )
        for registry in (ctx.surnames, ctx.first_names, ctx.fullnames):
            for key, value in list(registry.items()):
                if value is person:
                    registry[key] = joined
        by_start[joined.token_start] = joined
