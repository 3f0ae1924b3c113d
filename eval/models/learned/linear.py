"""A linear classifier over named binary features, kept as plain arrays.

Why not keep the scikit-learn objects: a saved estimator is a pickle, and loading a pickle runs
code.  Training uses scikit-learn (``DictVectorizer`` + ``LogisticRegression``); the fitted
model is then only a feature vocabulary, a class list, a weight matrix and an intercept, which
:mod:`.store` writes as JSON and ``.npz`` and reads back with ``allow_pickle=False``.
Probabilities are the softmax of the linear scores, exactly what ``predict_proba`` gives
(a binary model's one weight row becomes two rows, ``[0, w]``, whose softmax is the sigmoid).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["LinearHead", "fit_linear"]

#: Inverse regularisation strength of every head (scikit-learn's ``C``); 4 scored a little
#: better than 1 on the real-news sources with bundled-corpus training.
C = 4.0


@dataclass(eq=False)
class LinearHead:
    """Softmax over ``classes`` of ``weights @ x + intercept`` for a bag of named features.

    Attributes:
        classes: the class names, in column order of the probabilities.
        features: feature name -> column of ``weights``.
        weights: ``(len(classes), len(features))`` float64.
        intercept: ``(len(classes),)`` float64.
        examples: how many training examples it saw (for ``meta.json`` and reports).
    """

    classes: list[str]
    features: dict[str, int]
    weights: np.ndarray
    intercept: np.ndarray
    examples: int = 0

    def proba(self, rows: Sequence[dict[str, float]]) -> np.ndarray:
        """Class probabilities, one row per feature dict; unknown features are ignored."""
        scores = np.tile(self.intercept, (len(rows), 1))
        for i, row in enumerate(rows):
            cols = [self.features[name] for name in row if name in self.features]
            if cols:
                vals = np.fromiter((row[n] for n in row if n in self.features), float, len(cols))
                scores[i] += self.weights[:, cols] @ vals
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores


def fit_linear(rows: Sequence[dict[str, float]], labels: Sequence[str], seed: int) -> LinearHead:
    """Fit a logistic regression on feature dicts; one class gives a constant head."""
    classes = sorted(set(labels))
    if len(classes) < 2:
        return LinearHead(
            classes=classes,
            features={},
            weights=np.zeros((len(classes), 0)),
            intercept=np.zeros(len(classes)),
            examples=len(labels),
        )
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = DictVectorizer()
    x = vec.fit_transform(rows)
    clf = LogisticRegression(C=C, max_iter=2000, random_state=seed)
    clf.fit(x, list(labels))
    weights = np.asarray(clf.coef_, dtype=np.float64)
    intercept = np.asarray(clf.intercept_, dtype=np.float64)
    if len(clf.classes_) == 2:  # one row w: softmax([0, w·x + b]) is the sigmoid
        weights = np.vstack([np.zeros_like(weights), weights])
        intercept = np.array([0.0, intercept[0]])
    return LinearHead(
        classes=[str(c) for c in clf.classes_],
        features={str(n): i for i, n in enumerate(vec.get_feature_names_out())},
        weights=weights,
        intercept=intercept,
        examples=len(labels),
    )
