"""Modality and secrecy of a channel, read from cue words in its clause.

The window is the trigger's clause: up to ``modality_window`` tokens before it and
``modality_after`` after it, stopping at a comma, a conjunction like "but" or the sentence end.
Cues before the trigger count ("did not call"); after it only those of ``AFTER_MODALITIES``
("the talks were suspended").  The highest-priority modality found wins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backchannel.eval.models.rules.words import AFTER_MODALITIES, BOUNDARY, SENT_END_PUNCT

if TYPE_CHECKING:
    from backchannel.eval.models.rules.context import Context

__all__ = ["is_private", "modality_of", "window"]


def window(ctx: Context, s: int, e: int) -> tuple[int, int]:
    """The clause around tokens ``s`` to ``e`` where modality and secrecy cues count."""
    ss, se = ctx.sent_bounds[ctx.sent[s]]
    lo = s
    while lo - 1 >= ss and s - lo < ctx.lex.modality_window:
        if ctx.lower[lo - 1] in BOUNDARY:
            break
        lo -= 1
    hi = e
    while hi < se and hi - e < ctx.lex.modality_after:
        if ctx.lower[hi] in BOUNDARY or ctx.lower[hi] in SENT_END_PUNCT:
            break
        hi += 1
    return lo, hi


def modality_of(ctx: Context, s: int, e: int) -> tuple[str, str | None]:
    """Modality of the channel at tokens ``s`` to ``e`` and the cue that gave it (None: actual)."""
    lo, hi = window(ctx, s, e)
    found: dict[str, str] = {}
    for modality, cs, ce in ctx.by_cat.get("MOD", []):
        if any(ctx.taken[cs:ce]):
            continue
        before = lo <= cs and ce <= s
        after = e <= cs and ce <= hi and modality in AFTER_MODALITIES
        if before or after:
            found.setdefault(modality, " ".join(ctx.text[cs:ce]))
    for modality in ctx.lex.modality_priority:
        if modality in found:
            return modality, found[modality]
    return "actual", None


def is_private(ctx: Context, s: int, e: int) -> bool:
    """True when a secrecy cue stands in the channel's clause window."""
    lo, hi = window(ctx, s, e)
    return any(lo <= cs and ce <= hi for _, cs, ce in ctx.by_cat.get("PRIV", []))
