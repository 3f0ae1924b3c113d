"""The bootstrap over documents, from per-document count rows: one implementation for every figure.

Scoring (:mod:`backchannel.eval.scoring`) and agreement (:mod:`backchannel.annotation.agreement`)
both report figures computed from per-document counts, with percentile intervals over documents.
Matching runs once per document; resampling never repeats it.  A bootstrap replicate draws ``n``
documents with replacement, which is the same as weighting each document's count row by how many
times it was drawn.  So ``B`` replicates are one ``(B x n) @ (n x c)`` matrix product of a
resample-count matrix with the count array, done in blocks of :data:`BLOCK` replicates to keep
memory flat.

Intervals are percentile intervals (2.5th and 97.5th percentiles for 95 %), ignoring replicates
where a figure is undefined.  Everything is seeded: the same seed, data and ``B`` give the same
figures on any machine.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__ = [
    "BLOCK",
    "as_matrix",
    "bootstrap_totals",
    "matmul",
    "percentile_interval",
    "resample_blocks",
]

BLOCK = 64


def resample_blocks(n_docs: int, n_samples: int, seed: int) -> Iterator[np.ndarray]:
    """Yield ``(b, n_docs)`` float32 matrices: how often each document is drawn per replicate.

    Example:
        >>> blocks = list(resample_blocks(5, 3, seed=13))
        >>> [int(x) for x in blocks[0].sum(axis=1)]
        [5, 5, 5]
    """
    rng = np.random.default_rng(seed)
    done = 0
    while done < n_samples:
        b = min(BLOCK, n_samples - done)
        idx = rng.integers(0, n_docs, size=(b, n_docs), dtype=np.int32)
        weights = np.empty((b, n_docs), dtype=np.float32)
        for i in range(b):
            weights[i] = np.bincount(idx[i], minlength=n_docs)
        yield weights
        done += b


def matmul(weights: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Weighted sums; float32 is exact while every column total stays below 2**24."""
    if counts.dtype == np.float32:
        return (weights @ counts).astype(np.float64)
    return weights.astype(np.float64) @ counts


def as_matrix(counts: np.ndarray) -> np.ndarray:
    exact32 = counts.size == 0 or float(np.abs(counts).sum(axis=0, dtype=np.float64).max()) < 2**24
    return counts.astype(np.float32 if exact32 else np.float64)


def bootstrap_totals(counts: np.ndarray, n_samples: int, seed: int) -> np.ndarray:
    """``(n_samples, c)`` column totals of ``n_samples`` document resamples of ``counts``."""
    if n_samples <= 0 or counts.shape[0] == 0:
        return np.zeros((0, counts.shape[1]))
    # A column that is zero in every document is zero in every replicate: skip it.
    used = np.flatnonzero(np.any(counts != 0, axis=0))
    mat = as_matrix(counts[:, used])
    out = np.zeros((n_samples, counts.shape[1]))
    done = 0
    for w in resample_blocks(counts.shape[0], n_samples, seed):
        out[done : done + w.shape[0], used] = matmul(w, mat)
        done += w.shape[0]
    return out


def percentile_interval(
    samples: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval along axis 0, NaN-aware (undefined replicates are ignored)."""
    if samples.shape[0] == 0:
        nan = np.full(samples.shape[1:], np.nan)
        return nan, nan
    tail = (1 - confidence) / 2 * 100
    ok = ~np.isnan(samples)
    lo = np.full(samples.shape[1:], np.nan)
    hi = np.full(samples.shape[1:], np.nan)
    cols = ok.any(axis=0)
    if cols.any():
        sub = samples[:, cols]
        lo[cols] = np.nanpercentile(sub, tail, axis=0)
        hi[cols] = np.nanpercentile(sub, 100 - tail, axis=0)
    return lo, hi
