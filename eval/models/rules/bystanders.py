"""Bystanders: states and groups named in a sentence that holds no contact and no stance.

Why: the guidelines annotate an actor only where it takes part in a contact or holds or receives
a stance ("Actors that neither take part in a contact nor hold or receive a stance are left
out").  Real news names countries and groups all the time as background ("Japan's Constitution
forbids...", "China has begun modernising its navy"); the recognisers find them by their names
alone, so this last pass drops the non-person actors of sentences with no channel, no stance
cue, no speech verb and no word of reacting, hosting or representing.  People and roles stay:
the guidelines annotate every person mention, and a later sentence's pronoun may need them.

It also drops the owner of a discussion's topic ("discussed the United States' proposal",
"reaffirmed the U.S. commitment"), whatever the sentence: the owner takes no part in the talk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backchannel.eval.models.base import Found
    from backchannel.eval.models.rules.context import Context

__all__ = ["BYSTANDER_KINDS", "REACTION_WORDS", "drop_bystanders", "live_sentences"]

# Words of reacting, hosting and representing: a sentence with one is no background.
REACTION_WORDS = {
    "declined",
    "decline",
    "declines",
    "comment",
    "responded",
    "respond",
    "response",
    "hit",
    "expelled",
    "expel",
    "expels",
    "hosted",
    "host",
    "hosts",
    "represented",
    "represents",
    "urged",
    "urging",
    "urges",
    "sent",
    "led",
    "signalled",
    "signaled",
    "demanded",
    "demands",
    "insisted",
    "rejected",
    "rejects",
    "welcomed",
    "welcomes",
    "condemned",
    "condemns",
    "warned",
    "accused",
    "denied",
    "denies",
    "confirmed",
    "sceptical",
    "skeptical",
    "scathing",
    "tight-lipped",
    "agreed",
    "agree",
    "pressure",
    "considers",
    "relations",
    "allegations",
    "struck",
    "tone",
    "believes",
    "believe",
    "believed",
    "thanked",
    "thanks",
    "grateful",
    "appreciation",
    "distrust",
    "attended",
    "attend",
    "attends",
    "attending",
    "join",
    "joins",
    "joined",
    "accusing",
    "accuse",
    "accuses",
    "confront",
    "confronts",
    "appreciates",
    "appreciate",
    "appreciated",
    "observers",
    "backed",
    "supports",
    "support",
    "opposed",
    "opposes",
    "criticised",
    "criticized",
    "praised",
    "announced",
    "announces",
    "announce",
    "issued",
    "issues",
    "requested",
    "request",
    "sanctioned",
    "suspended",
}

# actor kinds that a sentence without contact or stance does not keep
BYSTANDER_KINDS = {"state", "group", "organisation", "government"}


# Verbs whose object is a topic: "discussed the United States' proposal".
TOPIC_VERBS = {
    "discussed",
    "discuss",
    "discussing",
    "reviewed",
    "reaffirmed",
    "reiterated",
    "emphasized",
    "emphasised",
    "underscored",
    "highlighted",
    "stressed",
    "noted",
}


def _topic_owner(ctx: Context, f: Found) -> bool:
    """ "discussed the United States' proposal", "reaffirmed the U.S. commitment": the actor
    owns the topic of a discussion; it takes no part in it."""
    p = f.token_start - 1
    if p < 0 or ctx.lower[p] not in TOPIC_VERBS:
        return False
    e = f.token_end
    if e >= ctx.n:
        return False
    return ctx.lower[e] in ("'s", "’s", "'", "’") or (
        ctx.text[e].isalpha() and ctx.text[e].islower() and ctx.lower[e] not in ("and", "or")
    )


def live_sentences(ctx: Context) -> set[int]:
    """Sentences with a channel, a stance cue, a speech verb or a word of reacting."""
    live = {c.sent for c in ctx.spans if c.label == "CHANNEL"}
    for _, s, _ in ctx.by_cat.get("STANCE", []):
        live.add(ctx.sent[s])
    speech = ctx.lex.speech_verbs
    for i, low in enumerate(ctx.lower):
        if low in speech or low in REACTION_WORDS:
            live.add(ctx.sent[i])
    return live


def drop_bystanders(ctx: Context) -> None:
    """Remove the state, group, organisation and government ACTORs of sentences that are not
    live (:func:`live_sentences`), and the owners of discussed topics."""
    live = live_sentences(ctx)
    ctx.spans = [
        f
        for f in ctx.spans
        if not (
            f.label == "ACTOR"
            and (
                (f.attrs.get("actor_kind") in BYSTANDER_KINDS and f.sent not in live)
                or (f.attrs.get("actor_kind") != "person" and _topic_owner(ctx, f))
            )
        )
    ]
