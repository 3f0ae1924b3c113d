"""One document's tokens and sentences, and spans placed on them.

Why a view of its own: the heads are trained on gold Documents and run on a span model's output,
and both must see the same tokens and sentence boundaries.  Tokens come from spaCy's blank
English tokenizer (the one the span categorizer is trained with); sentences from the rules'
:func:`~backchannel.eval.models.rules.context.sentence_starts`, the one sentence splitter of the
baselines.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any

from backchannel.eval.models.rules.context import sentence_starts

__all__ = ["Mention", "TokenView"]


@dataclass(eq=False)
class Mention:
    """A span on the token view: character and token offsets, label, sentence, attributes.

    Attributes:
        start: character offset (inclusive).
        end: character offset (exclusive).
        label: span label.
        s: first token index.
        e: token index after the last token.
        sent: sentence index of the first token.
        attrs: the span's attributes (gold when training, predicted when filled in).
        key: the caller's handle for the span (a gold span id, or a position).
    """

    start: int
    end: int
    label: str
    s: int
    e: int
    sent: int
    attrs: dict[str, str] = field(default_factory=dict)
    key: Any = None


class TokenView:
    """Tokens (text, lower case, character offsets) and sentence bounds of one text."""

    def __init__(self, sdoc: Any) -> None:
        """Read a spaCy ``Doc`` (tokenised only) once."""
        self.text: str = sdoc.text
        self.words: list[str] = [t.text for t in sdoc]
        self.lower: list[str] = [w.lower() for w in self.words]
        self.idx: list[int] = [t.idx for t in sdoc]
        n = len(self.words)
        starts = sentence_starts(self.words) if n else [0]
        self.bounds: list[tuple[int, int]] = list(zip(starts, [*starts[1:], n], strict=True))
        self.sent: list[int] = [0] * n
        for k, (a, b) in enumerate(self.bounds):
            for i in range(a, b):
                self.sent[i] = k

    def __len__(self) -> int:
        return len(self.words)

    def mention(self, start: int, end: int, label: str, key: Any = None) -> Mention | None:
        """The span ``[start, end)`` widened to token edges, or None when it covers no token."""
        s = max(bisect_right(self.idx, start) - 1, 0)
        e = bisect_left(self.idx, end)
        if e <= s or not self.words:
            return None
        return Mention(start, end, label, s, e, self.sent[s], key=key)

    def sentence_of(self, m: Mention) -> tuple[int, int]:
        """Token bounds ``(first, after last)`` of the mention's sentence."""
        return self.bounds[m.sent]
