"""VENUE recogniser: places near a channel.

Runs after the channels and actors: a place counts only in a sentence with a channel, and only
on tokens no actor claimed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backchannel.eval.models.rules.words import PLACE_PARTICLES, VISIT_KINDS

if TYPE_CHECKING:
    from backchannel.eval.models.rules.context import Context

__all__ = ["find_venues", "venue_context"]


def venue_context(ctx: Context, s: int) -> bool:
    """True when the mention at token ``s`` reads as a place ("in Geneva", "visit to Oman")."""
    p = s - 1
    if p >= 0 and ctx.lower[p] in DIRECTIONS:
        p -= 1  # "to northeast Syria"
    if p >= 0 and ctx.lower[p] == "the":
        p -= 1
    if p < 0:
        return False
    if ctx.lower[p] in ctx.lex.venue_prepositions:
        return True
    if ctx.lower[p] == "to":
        return any(
            c.attrs.get("channel_kind") in VISIT_KINDS and 0 <= p - c.token_end <= 2
            for c in ctx.channels
        ) or _travel_before(ctx, p)
    # "Peru's capital Lima", "Canada's capital city, Ottawa"
    return ctx.lower[p] in ("capital", "city") or (
        ctx.lower[p] == "," and p >= 1 and ctx.lower[p - 1] in ("capital", "city")
    )


# Compass words before a place: "northeast Syria", "southern Lebanon".
DIRECTIONS = {
    f"{d}{suffix}"
    for d in ("north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest")
    for suffix in ("", "ern")
}

# Words of going somewhere: what follows their "to" is a place ("traveled to northeast Syria").
TRAVEL_WORDS = {
    "travel",
    "travels",
    "traveled",
    "travelled",
    "traveling",
    "travelling",
    "trip",
    "tour",
    "flew",
    "fly",
    "flies",
    "flying",
    "take",
    "takes",
    "took",
    "went",
    "go",
    "goes",
    "going",
    "head",
    "heads",
    "headed",
    "return",
    "returns",
    "returned",
    "deployed",
    "welcome",
    "welcomed",
    "welcomes",
    "invite",
    "invited",
    "invites",
}


def _travel_before(ctx: Context, p: int) -> bool:
    """A word of travel earlier in the sentence, with no full verb between it and ``p``."""
    k = p - 1
    while k >= 0 and p - k <= 12 and ctx.sent[k] == ctx.sent[p]:
        if ctx.lower[k] in TRAVEL_WORDS:
            return True
        k -= 1
    return False


def find_venues(ctx: Context) -> None:
    """Places after "in"/"at" (and candidates left by the actor recognisers) near a channel."""
    channel_sents = {c.sent for c in ctx.channels}
    lex = ctx.lex
    for i in range(ctx.n - 1):
        if ctx.lower[i] not in lex.venue_prepositions:
            continue
        j = i + 1
        if ctx.lower[j] == "the":
            j += 1
        k = j
        while (
            k < ctx.n
            and k - j < 5
            and (
                ctx.is_cap(k)
                or (ctx.lower[k] in PLACE_PARTICLES and k > j and ctx.is_cap(k + 1))
                or (ctx.text[k] in ("-", "'s") and k > j and ctx.is_cap(k + 1))
            )
        ):
            k += 1
        if k > j and ctx.free(j, k):
            start = i + 1 if j > i + 1 else j
            ctx.venue_candidates.append((start, k, f"{ctx.text[i]!r} + capitalised place"))
    for s, e, reason in ctx.venue_candidates:
        if ctx.sent[s] not in channel_sents or not ctx.free(s, e):
            continue
        if ctx.text[s] == "the" and not ctx.text[e - 1][:1].isupper():
            continue
        near = min(abs(c.token_start - s) for c in ctx.channels if c.sent == ctx.sent[s])
        if near > 15:
            continue
        ctx.claim(s, e, "VENUE", {}, 0.65 if near <= 8 else 0.45, reason)
