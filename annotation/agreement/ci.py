"""Bootstrap intervals for Cohen's kappa and Krippendorff's alpha, over articles.

Both statistics are functions of sums over units: kappa of each pair's count of paired units,
count of equal values and the two raters' value marginals; nominal alpha of the per-value counts
``n_c`` of pairable units and the trace of the coincidence matrix,
``sum_u sum_c N_uc (N_uc - 1) / (m_u - 1)``.  So each article becomes one row of such sums, and
the resampling is the one the scorer already uses (:func:`backchannel.bootstrap.
bootstrap_totals`, a resample-count matrix times the rows), with percentile intervals from
:func:`backchannel.bootstrap.percentile_interval`.  Nothing is matched again per replicate.

Per replicate, kappa is the mean over the pairs where it is defined (as the point estimate);
a replicate where a statistic is undefined (one value only) is left out of its interval.
"""

from __future__ import annotations

import warnings
from itertools import combinations

import numpy as np

from backchannel.bootstrap import bootstrap_totals, percentile_interval

__all__ = ["alpha_from_sums", "categorical_intervals", "kappa_from_sums", "unit_sums"]


def unit_sums(matrix: np.ndarray, docs: np.ndarray, n_docs: int) -> np.ndarray:
    """Per-article sums from which kappa and alpha follow (see the module docstring).

    Args:
        matrix: raters x units integer codes, ``-1`` where a rater gave no value.
        docs: the article (row of the result) of each unit.
        n_docs: number of articles.

    Returns:
        ``(n_docs, P * (2 + 2k) + k + 1)``: per rater pair (in ``combinations`` order) the
        paired units, equal values, and the two raters' value counts; then the pairable units'
        value counts and the coincidence trace.
    """
    raters, _ = matrix.shape
    k = max(int(matrix.max()) + 1 if matrix.size else 1, 1)
    blocks = []

    def per_doc(weights: np.ndarray, cols: np.ndarray, width: int) -> np.ndarray:
        flat = np.bincount(docs * width + cols, weights=weights, minlength=n_docs * width)
        return flat.reshape(n_docs, width)

    for i, j in combinations(range(raters), 2):
        a, b = matrix[i], matrix[j]
        both = (a >= 0) & (b >= 0)
        ones = both.astype(np.float64)
        zeros = np.zeros_like(docs)
        blocks.append(per_doc(ones, zeros, 1))
        blocks.append(per_doc(ones * (a == b), zeros, 1))
        blocks.append(per_doc(ones, np.where(both, a, 0), k))
        blocks.append(per_doc(ones, np.where(both, b, 0), k))
    counts = np.zeros((matrix.shape[1], k))
    for r in range(raters):
        rated = matrix[r] >= 0
        np.add.at(counts, (np.flatnonzero(rated), matrix[r][rated]), 1.0)
    m = counts.sum(axis=1)
    pairable = (m >= 2).astype(np.float64)
    trace = (counts * (counts - 1)).sum(axis=1) / np.maximum(m - 1, 1) * pairable
    value_rows = np.zeros((n_docs, k))
    np.add.at(value_rows, docs, counts * pairable[:, None])
    blocks.append(value_rows)
    blocks.append(per_doc(trace, np.zeros_like(docs), 1))
    return np.hstack(blocks) if blocks else np.zeros((n_docs, 0))


def kappa_from_sums(sums: np.ndarray, pairs: int, k: int) -> np.ndarray:
    """Mean Cohen's kappa over pairs from ``(..., columns)`` sums; NaN where undefined."""
    width = 2 + 2 * k
    kappas = []
    with np.errstate(invalid="ignore", divide="ignore"):
        for p in range(pairs):
            block = sums[..., p * width : (p + 1) * width]
            n, equal = block[..., 0], block[..., 1]
            rows, cols = block[..., 2 : 2 + k], block[..., 2 + k :]
            expected = (rows * cols).sum(axis=-1) / (n * n)
            kappa = (equal / n - expected) / (1.0 - expected)
            kappas.append(np.where((n > 0) & (expected < 1.0), kappa, np.nan))
    if not kappas:
        return np.full(sums.shape[:-1], np.nan)
    stacked = np.stack(kappas, axis=-1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # every pair undefined: NaN
        return np.nanmean(stacked, axis=-1)


def alpha_from_sums(sums: np.ndarray, pairs: int, k: int) -> np.ndarray:
    """Nominal Krippendorff's alpha from ``(..., columns)`` sums; NaN where undefined."""
    start = pairs * (2 + 2 * k)
    n_c = sums[..., start : start + k]
    trace = sums[..., start + k]
    n = n_c.sum(axis=-1)
    expected = n * n - (n_c * n_c).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = 1.0 - (n - 1.0) * (n - trace) / expected
    return np.where((n > 1) & (expected > 0), alpha, np.nan)


def categorical_intervals(
    matrices: list[tuple[np.ndarray, np.ndarray]],
    n_docs: int,
    *,
    resamples: int,
    seed: int,
    confidence: float,
) -> list[tuple[list[float] | None, list[float] | None]]:
    """``(kappa [low, high], alpha [low, high])`` for each ``(codes matrix, unit articles)``.

    All attributes share one set of resamples (one matrix product), so their intervals come
    from the same draws of articles.  ``None`` where a bound is undefined or ``resamples`` is 0.
    """
    if not matrices:
        return []
    shapes = []
    blocks = []
    for matrix, docs in matrices:
        raters = matrix.shape[0]
        k = max(int(matrix.max()) + 1 if matrix.size else 1, 1)
        block = unit_sums(matrix, docs, n_docs)
        shapes.append((raters * (raters - 1) // 2, k, block.shape[1]))
        blocks.append(block)
    totals = bootstrap_totals(np.hstack(blocks), resamples, seed)
    out: list[tuple[list[float] | None, list[float] | None]] = []
    start = 0
    for pairs, k, width in shapes:
        sums = totals[:, start : start + width]
        start += width
        pair = []
        for stat in (kappa_from_sums(sums, pairs, k), alpha_from_sums(sums, pairs, k)):
            low, high = percentile_interval(stat[:, None], confidence)
            ok = not (np.isnan(low[0]) or np.isnan(high[0]))
            pair.append([float(low[0]), float(high[0])] if ok else None)
        out.append((pair[0], pair[1]))
    return out
