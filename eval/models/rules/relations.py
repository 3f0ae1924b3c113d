"""Relations between the spans found: PARTICIPANT (with a role), HELD_AT, ABOUT."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backchannel.eval.models.base import Found, FoundRelation
from backchannel.eval.models.rules.words import (
    AUDIENCE_HINTS,
    BROADCAST_KINDS,
    HOST_VERBS,
    MEDIATOR_BY,
    MEDIATOR_CUES,
    RECIPIENT_PREPS,
    SYMMETRIC_KINDS,
    VISIT_KINDS,
)

if TYPE_CHECKING:
    from backchannel.eval.models.rules.context import Context

__all__ = ["held_at_about", "is_reporter", "participants", "role_of"]


def participants(ctx: Context) -> list[FoundRelation]:
    """PARTICIPANT relations: each actor to the nearest channel in its sentence, with a role."""
    rels: list[FoundRelation] = []
    actors = [f for f in ctx.spans if f.label == "ACTOR"]
    by_sent: dict[int, list[Found]] = {}
    for c in ctx.channels:
        by_sent.setdefault(c.sent, []).append(c)
    for a in actors:
        chans = by_sent.get(a.sent)
        if not chans or a.attrs.get("anonymous") == "yes":
            continue
        c = min(chans, key=lambda c: abs(c.token_start - a.token_start))
        dist = abs(c.token_start - a.token_start)
        if dist > 20:
            continue
        if is_reporter(ctx, a, c):
            continue
        role, why = role_of(ctx, c, a)
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


def is_reporter(ctx: Context, a: Found, c: Found) -> bool:
    """True when ``a`` only reports the contact ("X said the two sides met", "…, X said")."""
    if c.attrs.get("channel_kind") in BROADCAST_KINDS:
        return False
    nxt = ctx.lower[a.token_end] if a.token_end < ctx.n else ""
    prev = ctx.lower[a.token_start - 1] if a.token_start > 0 else ""
    prev2 = ctx.lower[a.token_start - 2] if a.token_start > 1 else ""
    if nxt in ctx.lex.speech_verbs and a.token_end <= c.token_start:
        return True  # "X said [that] the two sides met"
    if prev2 == "according" and prev == "to":
        return True
    return prev == "," and nxt in ctx.lex.speech_verbs and a.token_start > c.token_end


def role_of(ctx: Context, c: Found, a: Found) -> tuple[str, str]:
    """The participant role of actor ``a`` in channel ``c``, and why."""
    kind = c.attrs.get("channel_kind", "")
    before = a.token_end <= c.token_start
    prev = ctx.lower[a.token_start - 1] if a.token_start > 0 else ""
    prev2 = ctx.lower[a.token_start - 2] if a.token_start > 1 else ""
    if prev in MEDIATOR_CUES or (prev == "by" and prev2 in MEDIATOR_BY | {"mediation"}):
        return "mediator", f"after {prev!r}"
    if kind == "mediation":
        if before and c.token_start - a.token_end <= 2:
            return "mediator", "just before a mediation"
        return "participant", "party to a mediated contact"
    nxt = ctx.lower[a.token_end] if a.token_end < ctx.n else ""
    if nxt in HOST_VERBS and before:
        return "host", f"before {nxt!r}"
    if prev in HOST_VERBS and not before:
        return "visitor", f"after {prev!r}"
    if kind in VISIT_KINDS:
        return ("visitor", "before a visit") if before else ("host", "after a visit")
    if kind in BROADCAST_KINDS:
        if before:
            return "initiator", "speaker"
        if prev in ("to",) or ctx.lower[a.token_end - 1] in AUDIENCE_HINTS:
            return "audience", "addressed"
        return "audience", "after a broadcast"
    trigger = ctx.lower[c.token_start]
    directional = trigger in ctx.lex.directional or (
        ctx.channel_verb.get(id(c)) is False and kind in ("letter", "phone_call")
    )
    if directional and kind not in SYMMETRIC_KINDS:
        if before:
            if prev == "from":
                return "initiator", "after 'from'"
            return "initiator", f"subject of {ctx.text[c.token_start]!r}"
        return "recipient", f"object of {ctx.text[c.token_start]!r}"
    if not before and prev == "from" and kind in ("letter", "phone_call"):
        return "initiator", "after 'from'"
    if (
        not before
        and prev in RECIPIENT_PREPS
        and kind in ("letter", "phone_call", "diplomatic_mission")
    ):
        return "recipient", f"after {prev!r}"
    return "participant", "symmetric contact"


def held_at_about(ctx: Context) -> list[FoundRelation]:
    """HELD_AT (nearest venue) and ABOUT (first following issue) for every channel."""
    rels: list[FoundRelation] = []
    venues = [f for f in ctx.spans if f.label == "VENUE"]
    issues = [f for f in ctx.spans if f.label == "ISSUE"]
    for c in ctx.channels:
        vs = [v for v in venues if v.sent == c.sent]
        if vs:
            v = min(vs, key=lambda v: abs(v.token_start - c.token_start))
            rels.append(FoundRelation(c, v, "HELD_AT", {}, 0.6, "nearest venue in sentence"))
        after = [i for i in issues if i.sent == c.sent and i.token_start >= c.token_end]
        if after:
            i = min(after, key=lambda i: i.token_start)
            if i.token_start - c.token_end <= 12:
                rels.append(FoundRelation(c, i, "ABOUT", {}, 0.55, "first issue after the channel"))
    return rels
