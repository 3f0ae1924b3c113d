"""Extra evidence from a user's pretrained spaCy pipeline (``predict --model rules --base``).

Why optional: the rules ship no statistical model and download nothing, but a user who has a
pretrained pipeline installed (``en_core_web_sm`` ...) can lend its named entities to the rules.
Each entity the rules did not already claim becomes an ACTOR with the kind below, after every
rule has run on its own, so the rules' more precise phrases ("Foreign Minister Ana Ruiz") win;
a GPE after a place preposition stays a venue candidate.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING

from backchannel.eval.models.rules.names import register_surname
from backchannel.eval.models.rules.venues import venue_context

if TYPE_CHECKING:
    from backchannel.eval.models.rules.context import Context

__all__ = ["KIND_OF", "base_entities"]

# spaCy (OntoNotes) entity label -> actor_kind
KIND_OF: dict[str, str] = {
    "PERSON": "person",
    "ORG": "organisation",
    "GPE": "state",
    "NORP": "group",
}


def base_entities(ctx: Context) -> None:
    """Claim the base pipeline's PERSON, ORG, GPE and NORP entities left free by the rules."""
    if not ctx.base_ents:
        return
    ends = [i + len(t) for i, t in zip(ctx.idx, ctx.text, strict=True)]
    for start_char, end_char, label in ctx.base_ents:
        kind = KIND_OF.get(label)
        if kind is None:
            continue
        s = bisect_right(ctx.idx, start_char) - 1
        e = bisect_left(ends, end_char) + 1
        if s < 0 or e > ctx.n or not ctx.free(s, e):
            continue
        if kind == "state" and venue_context(ctx, s):
            ctx.venue_candidates.append((s, e, f"base pipeline {label} after a preposition"))
            continue
        attrs = {"actor_kind": kind}
        if kind == "state":
            m = ctx.proper_match(s, ("COUNTRY",))
            if m is not None:
                attrs["country"] = m[1]
        f = ctx.claim(s, e, "ACTOR", attrs, 0.5, f"base pipeline entity {label}")
        if kind == "person" and e - s >= 2:
            register_surname(ctx, f, s, e)
