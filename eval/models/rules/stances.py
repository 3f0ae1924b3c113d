"""STANCE recogniser: a cue verb from the nearest actor before it to the target after it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backchannel.eval.models.base import FoundRelation

if TYPE_CHECKING:
    from backchannel.eval.models.rules.context import Context

__all__ = ["stances"]


def stances(ctx: Context) -> list[FoundRelation]:
    """STANCE relations: from the nearest actor before a cue to the first actor or issue after."""
    rels: list[FoundRelation] = []
    targets = [f for f in ctx.spans if f.label in ("ACTOR", "ISSUE")]
    holders = [f for f in ctx.spans if f.label == "ACTOR"]
    for pol, s, e in ctx.by_cat.get("STANCE", []):
        if any(ctx.taken[s:e]):
            continue
        sent = ctx.sent[s]
        hs = [h for h in holders if h.sent == sent and h.token_end <= s]
        ts = [
            t for t in targets if t.sent == sent and t.token_start >= e and t.token_start - e <= 8
        ]
        if not hs or not ts:
            continue
        h = max(hs, key=lambda h: h.token_end)
        t = min(ts, key=lambda t: t.token_start)
        if h is t:
            continue
        ss, se = ctx.sent_bounds[sent]
        quoted = any(ctx.text[k] in ('"', "“", "”") for k in range(ss, se))
        attrs = {"polarity": pol, "expressed": "quoted" if quoted else "reported"}
        rels.append(
            FoundRelation(h, t, "STANCE", attrs, 0.55, f"stance cue {' '.join(ctx.text[s:e])!r}")
        )
    return rels
