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
        )
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
