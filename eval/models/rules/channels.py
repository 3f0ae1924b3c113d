"""CHANNEL recogniser: contact words, their kind, modality and visibility.

Modality and visibility come from cue words in the clause around the trigger
(:mod:`backchannel.eval.models.rules.modality`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backchannel.eval.models.rules.modality import is_private, modality_of
from backchannel.eval.models.rules.words import MEDIA, VERB_PARTICLES, VISIT_KINDS

if TYPE_CHECKING:
    from backchannel.eval.models.rules.context import Context

__all__ = ["FIGURATIVE_AFTER", "contact_sense", "find_channels"]

# Words after a bare "conversation" that make it a figure of speech, not a contact.
FIGURATIVE_AFTER = {
    "about",
    "around",
    "on",
    "over",
    "of",
    "is",
    "was",
    "has",
    "had",
    "have",
    "shifted",
    "turned",
    "moved",
    "needs",
    "must",
    "should",
}


def find_channels(ctx: Context) -> None:
    """Contact words (nouns and inflected verbs per ``channel_kind``), longest first."""
    lex = ctx.lex
    cands = [
        (kind, s, e, cat == "CHV")
        for cat in ("CHN", "CHV")
        for kind, s, e in ctx.by_cat.get(cat, [])
    ]
    cands.sort(key=lambda m: (-(m[2] - m[1]), m[1]))
    used = bytearray(ctx.n)
    chosen = []
    for kind, s, e, is_verb in cands:
        if any(used[s:e]) or any(ctx.taken[s:e]):
            continue
        excl = lex.channel_exclusions.get(ctx.lower[e - 1]) or lex.channel_exclusions.get(
            ctx.lower[s]
        )
        if excl and any(
            ctx.lower[e : e + len(w)] == w and (is_verb or w[0] not in VERB_PARTICLES) for w in excl
        ):
            continue  # "called for calm"; but a noun "call on Monday" stays
        if not contact_sense(ctx, kind, s, e, is_verb):
            continue
        for i in range(s, e):
            used[i] = 1
        chosen.append((kind, s, e, is_verb))
    for kind, s, e, is_verb in sorted(chosen, key=lambda m: m[1]):
        if is_verb and kind == "letter" and e - s > 1 and ctx.lower[e - 1] == "to":
            e -= 1  # "wrote to": the contact is "wrote"
        if not is_verb:
            while (
                s - 1 >= 0
                and ctx.lower[s - 1] in lex.channel_modifiers
                and not (ctx.taken[s - 1] or used[s - 1])
            ):
                s -= 1
            if s - 1 >= 0 and ctx.lower[s - 1] == "the" and not ctx.taken[s - 1]:
                s -= 1
        elif kind == "meeting" and any(w in MEDIA for w in ctx.lower[e : min(e + 5, ctx.n)]):
            kind = "press_statement"  # "speaking to state television"
        attrs = {"channel_kind": kind}
        modality, cue = modality_of(ctx, s, e)
        attrs["modality"] = modality
        private = is_private(ctx, s, e)
        if kind == "backchannel" or private:
            attrs["visibility"] = "private"
        if kind == "backchannel":
            attrs["official"] = "no"
        reason = f"{'verb' if is_verb else 'noun'} lexicon: {kind}"
        if cue:
            reason += f"; modality {modality} from {cue!r}"
        score = 0.7 if kind not in ("other", "meeting") else 0.5
        f = ctx.claim(s, e, "CHANNEL", attrs, score, reason)
        f.attrs = attrs
        ctx.channels.append(f)
        ctx.channel_verb[id(f)] = is_verb


def contact_sense(ctx: Context, kind: str, s: int, e: int, is_verb: bool) -> bool:
    """False for a trigger word used in another sense ("called the plan 'absurd'")."""
    first = ctx.lower[s]
    if is_verb and e - s == 1 and first in ("phone", "telephone", "host", "post"):
        return ctx.lower[s - 1] in ("to", "will", "would", "did", "and") if s else False
    if is_verb and first.startswith("welcom"):
        # "welcomed Prime Minister Marape": a visit; "welcomed the agreement": a stance
        k = e + 1 if e < ctx.n and ctx.lower[e] == "the" else e
        return k < ctx.n and ctx.is_cap(k)
    if is_verb and first.startswith("host"):
        ahead = ctx.lower[e : min(e + 5, ctx.n)]
        if ahead[:1] == ["by"] or any(w in ctx.lex.channel_nouns for w in ahead):
            return False  # "hosted indirect talks", "hosted by": the talks are the contact
    if first in ("discuss", "consult") and s >= 1 and ctx.lower[s - 1] == "to":
        # "met with officials to discuss": the contact is "met"; but "will travel to Berlin to
        # discuss" and "the opportunity to discuss" are contacts of their own
        return not any(
            c.sent == ctx.sent[s]
            and 0 <= s - c.token_end <= 6
            and c.attrs.get("channel_kind") not in VISIT_KINDS
            for c in ctx.channels
        )
    if (
        not is_verb
        and e - s == 1
        and first in ("conversation", "conversations")
        and e < ctx.n
        and ctx.lower[e] in FIGURATIVE_AFTER
    ):
        return False  # "the conversation about Ukraine", "the conversation has shifted"
    if first in ("call", "calls", "called", "calling"):
        ahead = ctx.text[e : min(e + 6, ctx.n)]
        if any(q in ahead for q in ('"', "“", "‘", "'")):
            return False  # "called the decision 'a gift'": naming, not phoning
        if s >= 1 and ctx.lower[s - 1] in ("-", "so"):
            return False  # "so-called"
        if s >= 2 and ctx.lower[s - 2] == "what":
            return False  # "what he called"
    return True
