"""Uncertainty scores that put the most informative task first in Label Studio's Data Manager.

Label Studio Community can sort tasks by *prediction score* but has no active-learning queue, so
the order is carried by the score itself.  The score of a prediction is its **confidence**::

    confidence = 1 - U,   U = mean over the predicted spans of H(p)

where ``p`` is a span's score (the model's probability that the span is right, clipped to
[0.001, 0.999]) and ``H(p) = -p log2 p - (1-p) log2 (1-p)`` is its binary entropy in bits: 0 for
a span the model is sure of either way, 1 for a coin flip.  A prediction with no scored span
gets ``U = 1`` (confidence 0): the model found nothing it could vouch for, so a person's look
tells the most there.  Sorting by prediction score *ascending* therefore shows the tasks whose
pre-annotations are closest to coin flips first (uncertainty sampling, as Prodigy's
``prefer_uncertain`` or Settles 2009, section 3.1).
"""

from __future__ import annotations

import math

import msgspec

from backchannel.documents import Document

__all__ = ["confidence", "informativeness", "span_entropy", "with_confidence"]

_EPS = 0.001


def span_entropy(p: float) -> float:
    """Binary entropy (bits) of a span score: how close the model is to a coin flip."""
    p = min(max(float(p), _EPS), 1.0 - _EPS)
    return -(p * math.log2(p) + (1.0 - p) * math.log2(1.0 - p))


def informativeness(doc: Document) -> float:
    """``U``: the mean span entropy of a prediction, 1.0 when it has no scored span."""
    scores = [s.score for s in doc.spans if s.score is not None]
    if not scores:
        return 1.0
    return sum(span_entropy(p) for p in scores) / len(scores)


def confidence(doc: Document) -> float:
    """``1 - U`` rounded to 4 places: the prediction score that sorts informative tasks first."""
    return round(1.0 - informativeness(doc), 4)


def with_confidence(doc: Document) -> Document:
    """``doc`` with its document ``score`` replaced by :func:`confidence` (spans unchanged)."""
    return msgspec.structs.replace(doc, score=confidence(doc))
