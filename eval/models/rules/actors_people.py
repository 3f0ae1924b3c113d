"""ACTOR recognisers for people named without a title: unnamed sources, honorifics, names.

Each function takes the document's :class:`~backchannel.eval.models.rules.context.Context`,
claims the spans it finds and registers full names for :func:`repeated_surnames`.  They run in
the order given by :data:`backchannel.eval.models.rules.extractor.RECOGNISERS`.  Titles and the
names after them are in :mod:`~backchannel.eval.models.rules.actors_titles`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backchannel.eval.models.rules.actors_names import phrase_after
from backchannel.eval.models.rules.knowledge import name_key
from backchannel.eval.models.rules.names import name_end, plain_name, register_surname

if TYPE_CHECKING:
    from backchannel.eval.models.rules.context import Context

__all__ = [
    "anonymous",
    "appositive_names",
    "honorific_names",
    "repeated_surnames",
    "said_names",
]


# First words of an apposition after a name: "Ana Ruiz, the envoy," / "X, Former Minister".
APPOSITION_LEADS = {"the", "a", "an", "who", "whose", "former", "then"}


# Words before a capitalised run that make it a place, not a person.
PLACE_PREPS = {"in", "at", "to", "from", "near", "inside", "outside", "into"}


def anonymous(ctx: Context) -> None:
    """Unnamed sources: "a senior Western official", "people familiar with the talks"."""
    lex = ctx.lex
    for i in range(ctx.n):
        low = ctx.lower[i]
        if low not in lex.anon_nouns or ctx.taken[i]:
            continue
        if low in ("person", "people", "figure", "figures") and not (
            i + 1 < ctx.n and ctx.lower[i + 1] in ("familiar", "close", "briefed", "with")
        ):
            continue
        k = i
        country = None
        sector = None
        while k - 1 >= 0 and i - k < 5 and not ctx.taken[k - 1]:
            prev = ctx.lower[k - 1]
            adj = ctx.adjective_before(k)
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
            for cat, iso, s in ctx.proper_end.get(k, []):
                if cat == "SEAT" or (cat == "COUNTRY" and k < i):
                    seat = (s, iso)  # "a Kremlin source", "a UK Government source"
            if seat is not None:
                country = seat[1]
                k = seat[0]
                continue
            break
        if low == "official" and _official_adjective(ctx, i):
            continue  # "an official visit", "the official 26-hour visit": an adjective
        # "Trump administration officials": the name belongs to the phrase, not cut out of it
        surnames = ctx.ex.knowledge.surnames
        if (
            k - 1 >= 0
            and k < i
            and ctx.is_cap(k - 1)
            and not ctx.taken[k - 1]
            and (not ctx.sentence_start(k - 1) or name_key(ctx.text[k - 1]) in surnames)
        ):
            k -= 1
        det = k - 1 >= 0 and ctx.lower[k - 1] in lex.anon_determiners
        plural = low.endswith("s") or low == "people"
        speech = (i + 1 < ctx.n and ctx.lower[i + 1] in lex.anon_bare_before) or (
            k - 1 >= 0 and ctx.lower[k - 1] in lex.anon_bare_before
        )
        if det:
            k -= 1
        elif not (plural and speech):
            continue
        end = ctx.place_tail(i + 1)
        if not ctx.free(k, end):
            continue
        attrs = {"actor_kind": "group" if plural else "person", "anonymous": "yes"}
        if low.startswith("spokes"):
            # an unnamed spokesperson on the record is a role, not a source (guidelines 4)
            attrs = {"actor_kind": "group" if plural else "role"}
        if country:
            attrs["country"] = country
        if sector or "government" in ctx.lower[k:i] or "official" in ctx.lower[k : i + 1]:
            attrs["sector"] = sector or "GOV"
        ctx.claim(k, end, "ACTOR", attrs, 0.7, "anonymous source: unnamed " + low)


# Nouns that "official" qualifies as an adjective (besides the channel nouns).
OFFICIAL_NOUNS = {
    "residence",
    "residences",
    "website",
    "language",
    "figures",
    "data",
    "documents",
    "duties",
    "capacity",
    "trip",
    "reception",
    "ceremony",
    "dinner",
    "lunch",
    "business",
    "version",
    "name",
    "title",
    "status",
    "report",
    "records",
    "results",
    "launch",
    "opening",
    "account",
}


def _official_adjective(ctx: Context, i: int) -> bool:
    """ "official" before what it qualifies: "official visit", "official 26-hour visit"."""
    for k in range(i + 1, min(i + 6, ctx.n)):
        low = ctx.lower[k]
        if low in ctx.lex.channel_nouns or low in OFFICIAL_NOUNS:
            return True
        if not (
            ctx.is_cap(k)  # "the official London residence", "the official Kremlin website"
            or any(c.isdigit() for c in low)
            or low in ("-", "‑", "state", "two", "three", "one", "day", "hour", "week", "month")
        ):
            return False
    return False


def honorific_names(ctx: Context) -> None:
    """Honorific plus name: "Mr Ruiz", "Ms Osei"."""
    for i in range(ctx.n - 1):
        if ctx.text[i] in ctx.ex.honorifics and not ctx.taken[i]:
            e = name_end(ctx, i + 1, limit=4)  # "Mr. Luiz Inácio Lula da Silva"
            if e > i + 1 and ctx.free(i, e):
                f = ctx.claim(
                    i,
                    e,
                    "ACTOR",
                    {"actor_kind": "person"},
                    0.8,
                    f"honorific + name: {ctx.text[i]!r}",
                )
                register_surname(ctx, f, i + 1, e)


def said_names(ctx: Context) -> None:
    """ "First Last said" / "First Last met": an untitled person as the subject of a speech
    or contact verb (the channel recogniser has already claimed the contact verbs)."""
    contact = {c.token_start for c in ctx.channels if ctx.channel_verb.get(id(c))}
    titles = ctx.lex.titles
    for k in range(2, ctx.n):
        if ctx.lower[k] not in ctx.lex.speech_verbs and k not in contact:
            continue
        if ctx.lower[k] in ctx.lex.speech_verbs:
            _said_after(ctx, k)
        j = k
        while (
            j - 1 >= 0
            and k - j < 4
            and ctx.is_cap(j - 1)
            and not ctx.taken[j - 1]
            and ctx.lower[j - 1] not in titles
        ):
            j -= 1
        if k - j >= 3 and ctx.sentence_start(j):
            j += 1  # "Later Ana Ruiz said": the capital may just start the sentence
        if not plain_name(ctx, j, k):
            continue  # "Foreign Affairs Council met", "The Andean Community met": a body
        if k - j >= 2 and ctx.free(j, k) and ctx.proper_match(j, ("COUNTRY", "ADJ")) is None:
            f = ctx.claim(
                j,
                k,
                "ACTOR",
                {"actor_kind": "person"},
                0.5,
                f"capitalised name before {ctx.text[k]!r}",
            )
            register_surname(ctx, f, j, k)


def _said_after(ctx: Context, k: int) -> None:
    """'"...," said Wagner.': the speaker after the verb of an inverted attribution."""
    if not (ctx.text[k - 1] in (",", '"', "”", "'", "’") or ctx.text[k - 2] in (",", '"', "”")):
        return
    j = k + 1
    e = name_end(ctx, j, limit=3)
    if e == j or e >= ctx.n or ctx.text[e] not in (".", ",", ";", "!", "?"):
        return
    if not ctx.free(j, e) or not plain_name(ctx, j, e):
        return
    f = ctx.claim(j, e, "ACTOR", {"actor_kind": "person"}, 0.6, "speaker after 'said'")
    register_surname(ctx, f, j, e)


def appositive_names(ctx: Context) -> None:
    """ "Australia's prime minister, Hanna Whitlock," and "Ana Ruiz, the envoy,": persons."""
    roles = [f for f in ctx.spans if f.label == "ACTOR" and f.attrs.get("actor_kind") == "role"]
    for f in roles:
        c = f.token_end
        if c + 2 < ctx.n and ctx.text[c] == "," and ctx.sent[c + 1] == f.sent:
            e = name_end(ctx, c + 1, limit=4)
            if e - (c + 1) >= 2 and ctx.free(c + 1, e):
                attrs = {"actor_kind": "person"}
                for key in ("country", "sector"):
                    if key in f.attrs:
                        attrs[key] = f.attrs[key]
                g = ctx.claim(
                    c + 1,
                    e,
                    "ACTOR",
                    attrs,
                    0.7,
                    f"name in apposition to {ctx.doc_text[f.start : f.end]!r}",
                )
                register_surname(ctx, g, c + 1, e)
    for i in range(1, ctx.n - 2):
        if ctx.text[i] != "," or ctx.lower[i + 1] not in APPOSITION_LEADS:
            continue
        j = i
        while j - 1 >= 0 and i - j < 4 and ctx.is_cap(j - 1) and not ctx.taken[j - 1]:
            j -= 1
        if ctx.sentence_start(j) and i - j >= 3:
            j += 1
        if j - 1 >= 0 and ctx.lower[j - 1] in PLACE_PREPS:
            continue  # "in Carlton Gardens, the ...": a place
        if i - j >= 2 and ctx.free(j, i) and plain_name(ctx, j, i):
            g = ctx.claim(
                j,
                i,
                "ACTOR",
                {"actor_kind": "person"},
                0.55,
                f"name before an apposition {ctx.text[i + 1]!r}",
            )
            register_surname(ctx, g, j, i)


def repeated_surnames(ctx: Context) -> None:
    """Every later mention of a surname (or first-given family name) already seen in a full name."""
    if not ctx.surnames:
        return
    for i in range(ctx.n):
        if ctx.taken[i] or not ctx.text[i][:1].isupper():
            continue
        w = name_key(ctx.text[i])
        if w not in ctx.surnames and w not in ctx.first_names:
            continue
        first = ctx.surnames.get(w) or ctx.first_names[w]
        if first.token_start <= i < first.token_end:
            continue
        start = i
        if i - 1 >= 0 and ctx.lower[i - 1] in ctx.lex.name_particles and not ctx.taken[i - 1]:
            start = i - 1  # "de Mistura"
        end = i + 1
        while (  # "Nanaia Mahuta" again: the given and the family name are one mention
            end < ctx.n
            and not ctx.taken[end]
            and ctx.is_cap(end)
            and first
            in (
                ctx.surnames.get(name_key(ctx.text[end])),
                ctx.first_names.get(name_key(ctx.text[end])),
            )
        ):
            end += 1
        attrs = {"actor_kind": "person"}
        for key in ("country", "sector"):
            if key in first.attrs:
                attrs[key] = first.attrs[key]
        phrase = phrase_after(ctx, start, end)
        if phrase is not None:  # "the Bush administration": one government, not "Bush"
            ps, pe, kind = phrase
            if ctx.free(ps, pe):
                pattrs = {"actor_kind": kind, "sector": "GOV"}
                if "country" in attrs:
                    pattrs["country"] = attrs["country"]
                ctx.claim(ps, pe, "ACTOR", pattrs, 0.65, f"surname heading a {kind} phrase")
            continue
        ctx.claim(
            start,
            end,
            "ACTOR",
            attrs,
            0.75,
            f"repeated surname of {ctx.doc_text[first.start : first.end]!r}",
        )
