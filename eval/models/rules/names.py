"""Personal names: where one ends, and the surnames remembered for later mentions.

Shared by the person recognisers in :mod:`~backchannel.eval.models.rules.actors_people`: a name
is a run of capitalised tokens in one sentence (with particles like "de", hyphens and "Jr"), and
each full name found registers its last word so that a bare "Ruiz" later becomes the same person.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backchannel.eval.models.base import Found
from backchannel.eval.models.rules.knowledge import name_key
from backchannel.eval.models.rules.words import (
    ISSUE_STOP,
    NOT_NAME_WORDS,
    PERSON_SUFFIX_OK,
    ROLE_DETS,
)

if TYPE_CHECKING:
    from backchannel.eval.models.rules.context import Context

__all__ = [
    "det_before",
    "is_cap_word",
    "is_initial",
    "name_end",
    "plain_name",
    "register_surname",
]


def is_initial(ctx: Context, k: int) -> bool:
    """A middle initial such as "J." in "Antony J. Blinken"."""
    t = ctx.text[k] if 0 <= k < ctx.n else ""
    return len(t) == 2 and t[0].isupper() and t[1] == "."


def name_end(ctx: Context, j: int, limit: int = 5) -> int:
    """Extend over a personal name starting at token ``j``; returns the end token."""
    lex = ctx.lex
    k = j
    while k < ctx.n and ctx.lower[k].rstrip(".") in lex.name_prefixes and ctx.is_cap(k):
        k += 1
        if k < ctx.n and ctx.text[k] == ".":
            k += 1  # "Capt" "." as spaCy splits some abbreviations
    count = 0
    while k < ctx.n and count < limit and not ctx.taken[k]:
        t = ctx.text[k]
        if ctx.lower[k] in NOT_NAME_WORDS or ctx.lower[k] in ctx.ex.body_words:
            break  # "Andean Community", "Pacific Islands Forum": no person's name
        country = ctx.proper_match(k, ("COUNTRY",))
        if country is not None and country[2] - k >= 2:
            break  # "Deputy United States Trade Representative": no name in "United States"
        if ctx.is_cap(k) and ctx.proper_match(k, ("ORG", "SEAT")) is None:
            k += 1
            count += 1
        elif (
            (
                t.lower() in lex.name_particles
                and count > 0
                and (ctx.is_cap(k + 1) or _hyphen_then_cap(ctx, k + 1))
                and ctx.sent[k + 1] == ctx.sent[j]
            )
            or (  # "Roh Moo-hyun", "Moon Jae-in": a hyphen inside a word, either case after it
                t in ("-", "‑")
                and count > 0
                and k + 1 < ctx.n
                and ctx.text[k + 1][:1].isalpha()
                and ctx.idx[k] == ctx.idx[k - 1] + len(ctx.text[k - 1])
                and ctx.idx[k + 1] == ctx.idx[k] + len(t)
                and (ctx.is_cap(k + 1) or _hyphen_tail(ctx, k + 1))
            )
            or (t in PERSON_SUFFIX_OK and count > 0)
            or (  # "Joseph R. Biden, Jr."
                t == ","
                and count > 0
                and k + 1 < ctx.n
                and ctx.text[k + 1] in ("Jr", "Jr.", "Sr", "Sr.")
            )
            or (  # a middle initial: "Antony J. Blinken"
                count > 0
                and is_initial(ctx, k)
                and ctx.is_cap(k + 1)
                and ctx.sent[k + 1] == ctx.sent[j]
            )
        ):
            k += 1
            if t in ("-", "‑") and not ctx.is_cap(k):
                k += 1  # the lower-case tail of "Moo-hyun"
        else:
            break
        if ctx.sent[k - 1] != ctx.sent[j]:
            return j
    return k if count else j


def plain_name(ctx: Context, s: int, e: int) -> bool:
    """Tokens ``s`` to ``e`` can be a personal name: no country, seat or organisation, no word
    of a body, place, portfolio or title case ("Andean Community", "For")."""
    return not any(
        ctx.proper_at.get(k)
        or ctx.lower[k] in NOT_NAME_WORDS
        or ctx.lower[k] in ctx.ex.body_words
        or ctx.lower[k] in ctx.lex.titles
        for k in range(s, e)
    )


def _hyphen_then_cap(ctx: Context, k: int) -> bool:
    """ "el-Sisi": a hyphen at ``k`` joined to a capitalised word."""
    return (
        k + 1 < ctx.n
        and ctx.text[k] in ("-", "‑")
        and ctx.is_cap(k + 1)
        and ctx.idx[k + 1] == ctx.idx[k] + 1
    )


def _hyphen_tail(ctx: Context, k: int) -> bool:
    """A lower-case syllable after a hyphen that ends the word ("Moo-hyun", not "Kim-led")."""
    t = ctx.text[k]
    return t.isalpha() and t.islower() and len(t) <= 4 and t not in ("led", "era", "run")


def det_before(ctx: Context, start: int) -> int:
    """Include a determiner (and one lower-case adjective after it) before ``start``."""
    if start - 1 >= 0 and ctx.lower[start - 1] in ROLE_DETS | {"a", "an"}:
        return start - 1
    if (
        start - 2 >= 0
        and ctx.lower[start - 2] in ROLE_DETS | {"a", "an"}
        and ctx.text[start - 1].isalpha()
        and ctx.text[start - 1].islower()
        and not ctx.taken[start - 1]
        and ctx.lower[start - 1] not in ISSUE_STOP
    ):
        return start - 2
    return start


def register_surname(ctx: Context, f: Found, name_start: int, name_end: int) -> None:
    """Remember a full name's surname (and given name) so that later bare mentions link to it."""
    words = [
        w
        for w in ctx.text[name_start:name_end]
        if is_cap_word(w)
        and w.lower() not in NOT_NAME_WORDS
        and w.lower().rstrip(".") not in ctx.lex.name_prefixes
        and w not in PERSON_SUFFIX_OK
    ]
    if words:
        ctx.surnames.setdefault(name_key(words[-1]), f)  # "Zelenskyy" is later "Zelensky"
        if len(words) == 2 and len(words[0]) > 2:
            # "Wang Lei" is later "Wang": family names come first in much of the world
            ctx.first_names.setdefault(name_key(words[0]), f)
        if len(words) >= 2:
            ctx.fullnames.setdefault(tuple(words), f)


def is_cap_word(w: str) -> bool:
    """A word that can be part of a name: capitalised, with a lower-case letter."""
    return w[:1].isupper() and any(c.islower() for c in w)
