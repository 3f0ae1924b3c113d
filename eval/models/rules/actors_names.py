"""ACTOR recognisers for people named without a title: known people and given-name cues.

Real news names most people bare: "Putin's war", "Starmer, Macron and Zelensky", "Nicolás
Maduro".  Two recognisers, after the titled and honorific forms have claimed theirs:

* :func:`known_people`: a full name, variant or (unambiguous) surname of the gazetteer
  (:mod:`~backchannel.eval.models.rules.knowledge`), compared by a key that folds diacritics and
  "-yy"/"-iy" romanisations.  The country comes from the gazetteer.
* :func:`given_name_people`: a capitalised run of 2-4 words whose first word is a known given
  name ("Jeffrey Feltman"), and none of whose words is a country, organisation or seat.

A name inside a longer actor phrase is not cut out of it: "Trump administration officials" is
one actor (a group) and "the Putin government" one government, never "Trump" or "Putin".  A
name followed by another capitalised word that is not part of the name ("Trump Tower") is left
alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backchannel.eval.models.base import Found
from backchannel.eval.models.rules.knowledge import Person, name_key
from backchannel.eval.models.rules.names import name_end, plain_name, register_surname
from backchannel.eval.models.rules.words import ROLE_DETS, VISIT_KINDS

if TYPE_CHECKING:
    from backchannel.eval.models.rules.context import Context

__all__ = [
    "BODY_END",
    "BYLINE_VERBS",
    "PHRASE_HEADS",
    "contact_objects",
    "given_name_people",
    "known_people",
    "listed_names",
    "phrase_after",
]

# "Reporting by X", "editing by Y": bylines name journalists, not actors.
BYLINE_VERBS = {"reporting", "editing", "writing", "additional", "compiled", "photo", "photos"}
# Last words of outlet or company names that begin with a given name ("Han River Wire").
BODY_END = {
    "wire",
    "news",
    "times",
    "post",
    "press",
    "agency",
    "service",
    "group",
    "media",
    "class",  # "a Han Class submarine": a type, not a person
}

# Words that make a name the modifier of a longer actor phrase: head -> actor_kind.
PHRASE_HEADS: dict[str, str] = {
    "administration": "government",
    "government": "government",
    "regime": "government",
    "cabinet": "government",
    "campaign": "group",
    "camp": "group",
    "team": "group",
    "officials": "group",
    "aides": "group",
    "allies": "group",
    "envoys": "group",
    "loyalists": "group",
}


def phrase_after(ctx: Context, start: int, end: int) -> tuple[int, int, str] | None:
    """ "Trump administration (officials)": the whole phrase and its kind, or None."""
    k = end
    kind = None
    while k < ctx.n and ctx.lower[k] in PHRASE_HEADS and not ctx.taken[k] and k - end < 2:
        kind = PHRASE_HEADS[ctx.lower[k]]
        k += 1
    if kind is None:
        return None
    s = start
    if s - 1 >= 0 and ctx.lower[s - 1] in ROLE_DETS and not ctx.taken[s - 1]:
        s -= 1
    return s, k, kind


def _claim_person(
    ctx: Context, s: int, e: int, person: Person | None, score: float, reason: str
) -> None:
    """Claim a person (or the longer actor phrase around the name) and remember the surname."""
    if e < ctx.n and ctx.is_cap(e) and not ctx.sentence_start(e):
        return  # "Trump Tower", "Putin Street": part of another name
    phrase = phrase_after(ctx, s, e)
    attrs = {"actor_kind": "person"}
    if person is not None and person.country:
        attrs["country"] = person.country
        attrs["sector"] = "GOV"
    if phrase is not None:
        ps, pe, kind = phrase
        if not ctx.free(ps, pe):
            return
        pattrs = {"actor_kind": kind, "sector": "GOV"}
        if "country" in attrs:
            pattrs["country"] = attrs["country"]
        ctx.claim(ps, pe, "ACTOR", pattrs, score - 0.1, f"{reason} heading a {kind} phrase")
        return
    if not ctx.free(s, e):
        return
    f = ctx.claim(s, e, "ACTOR", attrs, score, reason)
    register_surname(ctx, f, s, e)


def known_people(ctx: Context) -> None:
    """Full names, variants and surnames of the people in the gazetteer."""
    kn = ctx.ex.knowledge
    if not kn.full and not kn.surnames:
        return
    cap, taken = ctx.cap, ctx.taken
    i = 0
    while i < ctx.n:
        if taken[i] or not cap[i]:
            i += 1
            continue
        first = name_key(ctx.text[i])
        if first not in kn.starts and first not in kn.surnames:
            i += 1
            continue
        matched = None
        for length in range(min(kn.longest, ctx.n - i), 1, -1) if first in kn.starts else ():
            key = tuple(name_key(w) for w in ctx.text[i : i + length])
            person = kn.full.get(key)
            if person is not None and ctx.free(i, i + length):
                matched = (i + length, person, "known person")
                break
        if matched is None:
            person = kn.surnames.get(first)
            if person is not None and not (i + 1 < ctx.n and ctx.is_cap(i + 1)):
                matched = (i + 1, person, "known surname")
        if matched is None:
            i += 1
            continue
        end, person, why = matched
        _claim_person(ctx, i, end, person, 0.8, f"{why}: {person.name}")
        i = end


def given_name_people(ctx: Context) -> None:
    """ "Jeffrey Feltman": a capitalised run that starts with a known given name."""
    firsts = ctx.ex.knowledge.first_names
    if not firsts:
        return
    cap, taken = ctx.cap, ctx.taken
    i = 0
    while i < ctx.n - 1:
        if taken[i] or not cap[i] or name_key(ctx.text[i]) not in firsts:
            i += 1
            continue
        if i > 0 and ctx.is_cap(i - 1) and not ctx.taken[i - 1] and not ctx.sentence_start(i):
            i += 1  # inside a longer capitalised run ("Horn of Africa Jeffrey"): not a start
            continue
        e = name_end(ctx, i, limit=4)
        if e - i < 2 or any(ctx.proper_at.get(k) or ctx.proper_end.get(k + 1) for k in range(i, e)):
            i += 1
            continue
        if i >= 2 and ctx.lower[i - 1] == "by" and ctx.lower[i - 2] in BYLINE_VERBS:
            i = e
            continue  # "(Reporting by Deniz Kaya; editing by ...)": a byline, not an actor
        if any(
            ctx.lower[k] in ctx.lex.titles or ctx.text[k].isupper() or ctx.lower[k] in BODY_END
            for k in range(i + 1, e)
        ):
            i += 1
            continue
        _claim_person(ctx, i, e, None, 0.65, f"known given name {ctx.text[i]!r}")
        i = e


# Words after a contact verb before its object: "met with", "spoke to", "hosted his ...".
OBJECT_LEADS = {"with", "by"}


def contact_objects(ctx: Context) -> None:
    """ "met with Wu Daiwei", "called Anami Koreshige": an untitled name right after a contact
    verb (or its "with") is a person, whatever its given name."""
    for c in ctx.channels:
        if not ctx.channel_verb.get(id(c)) or c.attrs.get("channel_kind") in VISIT_KINDS:
            continue  # "travel to New York": a visit's object is a place
        j = c.token_end
        if j < ctx.n and ctx.lower[j] in OBJECT_LEADS:
            j += 1
        if j >= ctx.n or ctx.taken[j] or not ctx.cap[j] or ctx.sent[j] != c.sent:
            continue
        e = name_end(ctx, j, limit=3)
        if e - j < 2 or not _plain(ctx, j, e):
            continue
        _claim_person(ctx, j, e, None, 0.6, f"name after {ctx.doc_text[c.start : c.end]!r}")


def listed_names(ctx: Context) -> None:
    """ "Roberto Rodrigues, Luiz Furlan and Celso Amorim": a capitalised run of two or three
    words listed (by a comma or "and") right beside a person is a person too."""
    people = [f for f in ctx.spans if f.label == "ACTOR" and f.attrs.get("actor_kind") == "person"]
    queue = list(people)
    while queue:
        f = queue.pop()
        for j in _list_neighbours(ctx, f):
            if ctx.taken[j] or not ctx.cap[j]:
                continue
            e = name_end(ctx, j, limit=3)
            if e - j < 2 or not _plain(ctx, j, e) or ctx.sent[j] != f.sent:
                continue
            before = len(ctx.spans)
            _claim_person(ctx, j, e, None, 0.55, "name listed beside a person")
            if len(ctx.spans) > before:
                queue.append(ctx.spans[-1])


def _list_neighbours(ctx: Context, f: Found) -> list[int]:
    """Token indices where the next item of a list begins after ``f`` (", X" or "and X"), also
    past a parenthesis ("Rodrigues (Agriculture), Furlan")."""
    k = f.token_end
    if k < ctx.n and ctx.text[k] == "(":
        while k < ctx.n and ctx.text[k] != ")" and k - f.token_end < 8:
            k += 1
        k += 1
    out = []
    if k + 1 < ctx.n and ctx.text[k] == ",":
        k += 1
    if k < ctx.n and ctx.lower[k] == "and":
        k += 1
    if k != f.token_end and k < ctx.n:
        out.append(k)
    return out


def _plain(ctx: Context, s: int, e: int) -> bool:
    """A plain name (:func:`~backchannel.eval.models.rules.names.plain_name`), not an outlet's
    and not in capitals."""
    return plain_name(ctx, s, e) and not any(
        ctx.proper_end.get(k + 1) or ctx.lower[k] in BODY_END or ctx.text[k].isupper()
        for k in range(s, e)
    )
