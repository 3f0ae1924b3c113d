"""The prediction score that sorts the most informative task first (docs/serve.md)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from backchannel.annotation.labelstudio.ranking import (
    confidence,
    informativeness,
    span_entropy,
    with_confidence,
)
from backchannel.documents import Document, Span


def _doc(*scores: float | None) -> Document:
    text = "x" * 40
    spans = [
        Span(id=f"s{k}", start=k, end=k + 1, label="ACTOR", score=score)
        for k, score in enumerate(scores)
    ]
    return Document(id="d", text=text, spans=spans)


def test_by_hand() -> None:
    assert span_entropy(0.5) == 1.0
    assert confidence(_doc(0.5, 0.5)) == 0.0
    assert confidence(_doc()) == 0.0  # nothing predicted: look at it
    assert confidence(_doc(None)) == 0.0
    # H(0.9) = 0.469 bits; mean with H(0.5) = 1 is 0.7345
    assert confidence(_doc(0.9, 0.5)) == round(1 - (0.4690 + 1.0) / 2, 4)
    assert confidence(_doc(1.0)) > 0.98


@given(st.lists(st.floats(0, 1), min_size=1, max_size=8), st.floats(0, 1))
def test_score_is_in_unit_interval_and_falls_as_a_span_nears_a_coin_flip(
    scores: list[float], p: float
) -> None:
    doc = _doc(*scores)
    assert 0.0 <= confidence(doc) <= 1.0
    assert 0.0 <= informativeness(doc) <= 1.0
    closer = _doc(*scores, 0.5)
    farther = _doc(*scores, 0.5 + abs(p - 0.5))
    assert confidence(closer) <= confidence(farther)


def test_with_confidence_keeps_the_spans() -> None:
    doc = _doc(0.9, 0.2)
    scored = with_confidence(doc)
    assert scored.spans == doc.spans and scored.score == confidence(doc)


def test_sorting_by_score_ascending_puts_the_coin_flips_first() -> None:
    """The documented order, by hand: H(0.5) = 1, H(0.9) = 0.469, H(0.99) = 0.081 bits."""
    docs = {
        "sure": _doc(0.99, 0.99),  # 1 - 0.081 = 0.919
        "fairly-sure": _doc(0.9),  # 1 - 0.469 = 0.531
        "mixed": _doc(0.99, 0.5),  # 1 - (0.081 + 1) / 2 = 0.460
        "coin-flip": _doc(0.5),  # 0
        "sure-it-is-wrong": _doc(0.01),  # as certain as 0.99: 0.919
    }
    ascending = sorted(docs, key=lambda k: (confidence(docs[k]), k))
    assert ascending == ["coin-flip", "mixed", "fairly-sure", "sure", "sure-it-is-wrong"]
    assert confidence(docs["sure"]) == confidence(docs["sure-it-is-wrong"]) == 0.9192
