"""Chance-corrected agreement and bootstrap intervals, vectorised with numpy.

Why our own code rather than scikit-learn and the ``krippendorff`` package at run time: both are
cross-checked in ``tests/gold/`` on the same inputs, but computing alpha from a units x values
count matrix (the coincidence-matrix form of Krippendorff 2011, "Computing Krippendorff's
Alpha-Reliability") needs no annotators x units matrix with NaN padding, so it stays linear in the
number of units and never builds per-pair Python loops.

Undefined statistics (every value identical, fewer than two paired values) are returned as
``None`` rather than NaN: JSON has no NaN, and a report should say "undefined", not "0".
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from backchannel.bootstrap import bootstrap_totals, percentile_interval

__all__ = [
    "bootstrap_f1",
    "cohen_kappa",
    "encode_values",
    "krippendorff_alpha_nominal",
    "mean_over_pairs",
    "pair_f1",
    "value_counts",
]


def encode_values(*columns: Sequence[Hashable | None]) -> tuple[list[np.ndarray], list[Hashable]]:
    """Map categorical values to integer codes shared by all columns; ``None`` becomes -1.

    Returns:
        one int64 array per column, and the sorted-by-first-seen list of distinct values.
    """
    index: dict[Hashable, int] = {}
    out = []
    for col in columns:
        codes = np.empty(len(col), dtype=np.int64)
        for i, v in enumerate(col):
            if v is None:
                codes[i] = -1
            else:
                codes[i] = index.setdefault(v, len(index))
        out.append(codes)
    return out, list(index)


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float | None:
    """Cohen's kappa of two raters' integer codes on the same items (``-1`` = missing, dropped).

    Returns ``None`` when undefined: no paired items, or expected agreement 1 (both raters used
    one and the same value throughout), where scikit-learn returns NaN.

    Example:
        >>> round(cohen_kappa(np.array([0, 1, 1]), np.array([0, 1, 0])), 4)
        0.4
    """
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    keep = (a >= 0) & (b >= 0)
    a, b = a[keep], b[keep]
    n = a.size
    if n == 0:
        return None
    k = int(max(a.max(), b.max())) + 1
    confusion = np.bincount(a * k + b, minlength=k * k).reshape(k, k)
    observed = np.trace(confusion) / n
    expected = float(confusion.sum(axis=1) @ confusion.sum(axis=0)) / (n * n)
    if expected >= 1.0:
        return None
    return float((observed - expected) / (1.0 - expected))


def value_counts(matrix: np.ndarray) -> np.ndarray:
    """Units x values count matrix from a raters x units matrix of codes (``-1`` = missing)."""
    matrix = np.asarray(matrix, dtype=np.int64)
    raters, units = matrix.shape
    k = int(matrix.max()) + 1 if matrix.size else 0
    k = max(k, 1)
    unit_idx = np.broadcast_to(np.arange(units), (raters, units))
    keep = matrix >= 0
    flat = unit_idx[keep] * k + matrix[keep]
    return np.bincount(flat, minlength=units * k).reshape(units, k)


def krippendorff_alpha_nominal(counts: np.ndarray) -> float | None:
    """Krippendorff's alpha for nominal data from a units x values count matrix.

    ``counts[u, c]`` is how many raters gave value ``c`` to unit ``u``; units with fewer than two
    values are not pairable and are ignored (raters who did not rate a unit are missing, not a
    value).  The coincidence matrix is ``o = N' diag(1/(m-1)) N - diag(sum_u N[u]/(m_u-1))``.

    Returns ``None`` when fewer than two pairable values exist or only one value occurs (the
    ``krippendorff`` package raises an error there).

    Example:
        >>> round(krippendorff_alpha_nominal(np.array([[2, 0], [0, 2], [1, 1]])), 4)
        0.4444
    """
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 2 or counts.size == 0:
        return None
    m = counts.sum(axis=1)
    pairable = m >= 2
    if not pairable.any():
        return None
    counts = counts[pairable]
    weights = 1.0 / (m[pairable] - 1.0)
    coincidence = (counts * weights[:, None]).T @ counts
    coincidence -= np.diag((counts * weights[:, None]).sum(axis=0))
    n_c = coincidence.sum(axis=1)
    n = n_c.sum()
    if n <= 1:
        return None
    expected_disagreement = n * n - float(n_c @ n_c)
    if expected_disagreement <= 0:
        return None
    observed_disagreement = n - float(np.trace(coincidence))
    return float(1.0 - (n - 1.0) * observed_disagreement / expected_disagreement)


def pair_f1(inter: np.ndarray, size_a: np.ndarray, size_b: np.ndarray) -> np.ndarray:
    """Pairwise F1 = 2|A∩B| / (|A|+|B|), elementwise; NaN where both sets are empty."""
    inter = np.asarray(inter, dtype=np.float64)
    denom = np.asarray(size_a, dtype=np.float64) + np.asarray(size_b, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 0, 2.0 * inter / np.where(denom > 0, denom, 1.0), np.nan)


def mean_over_pairs(f1: np.ndarray) -> np.ndarray:
    """Mean over the last axis ignoring NaN (pairs with no items); NaN when all are NaN."""
    valid = ~np.isnan(f1)
    n_valid = valid.sum(axis=-1)
    total = np.where(valid, f1, 0.0).sum(axis=-1)
    return np.where(n_valid > 0, total / np.maximum(n_valid, 1), np.nan)


def bootstrap_f1(
    counts: np.ndarray,
    *,
    resamples: int,
    seed: int,
    confidence: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap over documents of pairwise F1 and of its mean over pairs.

    Documents are resampled with replacement by :func:`backchannel.bootstrap.bootstrap_totals`
    (the scorer's resampling); the matching is never redone, only the per-document counts are
    re-summed.

    Args:
        counts: ``(documents, 3, groups, pairs)``: intersection, ``|A|``, ``|B|`` per document,
            group (all labels pooled, or one label) and annotator pair; zeros where a pair did
            not both annotate a document.
        resamples: number of bootstrap samples (0 gives NaN bounds).
        seed: the resampling seed.
        confidence: two-sided level of the interval.

    Returns:
        ``(low, high)``, each of shape ``(groups, pairs + 1)``: each pair's F1 bounds, then the
        bounds of the mean over pairs.
    """
    docs, three, groups, pairs = counts.shape
    if three != 3:
        raise ValueError("counts must have shape (documents, 3, groups, pairs)")
    if resamples <= 0 or docs == 0:
        nan = np.full((groups, pairs + 1), np.nan)
        return nan, nan.copy()
    totals = bootstrap_totals(counts.reshape(docs, -1), resamples, seed)
    sums = totals.reshape(resamples, 3, groups, pairs)
    f1 = pair_f1(sums[:, 0], sums[:, 1], sums[:, 2])
    samples = np.concatenate([f1, mean_over_pairs(f1)[..., None]], axis=-1)
    return percentile_interval(samples, confidence)
