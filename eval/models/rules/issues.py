"""ISSUE recogniser: noun phrases headed by an issue word ("the Black Sea grain corridor")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backchannel.eval.models.rules.words import DETS, ISSUE_STOP, ISSUE_VERBS

if TYPE_CHECKING:
    from backchannel.eval.models.rules.context import Context

__all__ = ["find_issues"]


def find_issues(ctx: Context) -> None:
    """Noun phrases headed by an issue word in a sentence with a channel or a stance cue."""
    lex = ctx.lex
    cue_sents = {c.sent for c in ctx.channels}
    cue_sents |= {ctx.sent[s] for _, s, _ in ctx.by_cat.get("STANCE", [])}
    for _, s, e in sorted(ctx.by_cat.get("ISSUE", []), key=lambda m: (m[1], m[1] - m[2])):
        if ctx.sent[s] not in cue_sents or not ctx.free(s, e):
            continue
        start = s
        mods = 0
        while start - 1 >= 0 and mods < 3 and not ctx.taken[start - 1]:
            w = ctx.lower[start - 1]
            if w in ISSUE_STOP or w in ISSUE_VERBS or not (w.replace("-", "").isalpha()):
                break
            if start - 2 >= 0 and ctx.text[start - 2] in ("-", "‑"):
                break  # "ready-made climate": never half of a hyphenated word
            if w in lex.channel_nouns or w in lex.channel_verbs or w in lex.stance_cues:
                break
            if ctx.sent[start - 1] != ctx.sent[s]:
                break
            start -= 1
            mods += 1
        # a leftmost -ed/-ing modifier without a determiner is a verb ("discussed sanctions")
        while (
            start < s
            and ctx.lower[start].endswith(("ed", "ing"))
            and not (start - 1 >= 0 and ctx.lower[start - 1] in DETS)
        ):
            start += 1
        if start - 1 >= 0 and ctx.lower[start - 1] in DETS and not ctx.taken[start - 1]:
            start -= 1
        else:
            # without a determiner, keep capitalised modifiers and one lower-case noun
            while s - start > 1 and not ctx.text[start][:1].isupper():
                start += 1
        end = e
        while end < ctx.n and ctx.lower[end] in lex.issue_tails and not ctx.taken[end]:
            end += 1  # "trade agreement", "aid worker"
        head = ctx.lower[end - 1]
        if end + 1 < ctx.n and ctx.lower[end] == "of":
            k = end + 1
            if k < ctx.n and ctx.lower[k] in DETS:
                k += 1
            m = k
            while (
                m < ctx.n
                and m - k < 4
                and (ctx.lower[m] not in ISSUE_STOP and ctx.lower[m].replace("-", "").isalnum())
            ):
                m += 1
            if m > k:
                end = m
        elif head in lex.issue_of_heads:
            continue
        if not ctx.free(start, end):
            continue
        ctx.claim(start, end, "ISSUE", {}, 0.5, f"issue noun: {' '.join(ctx.text[s:e])!r}")
