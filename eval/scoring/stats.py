"""Bootstrap intervals and paired significance over documents, from per-document count rows.

Matching runs once per document; resampling never repeats it.  A bootstrap replicate draws
``n`` documents with replacement, which is the same as weighting each document's count row by
how many times it was drawn.  So ``B`` replicates are one ``(B x n) @ (n x c)`` matrix product of
a resample-count matrix with the count array, done in blocks of :data:`BLOCK` replicates to
keep memory flat, and every figure of every replicate comes from one vectorised call of
:func:`~backchannel.eval.scoring.metrics.compute_metrics`.

Intervals are percentile intervals (2.5th and 97.5th percentiles for 95 %), ignoring replicates
where a figure is undefined.  Everything is seeded: the same seed, data and ``B`` give the same
figures on any machine.

Paired tests (``compare``) resample the same documents for both systems (paired bootstrap,
Koehn 2004; p-value by the shifted-distribution method of Berg-Kirkpatrick et al. 2012: how
often ``|delta* - delta| >= |delta|``), and approximate randomisation swaps each document's
two rows with probability 1/2 (Noreen 1989; Riezler and Maxwell 2005).  Both p-values are
``(1 + hits) / (1 + trials)`` so they are never 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

__all__ = [
    "BLOCK",
    "approximate_randomisation",
    "bootstrap_totals",
    "paired_bootstrap",
    "percentile_interval",
    "resample_blocks",
]

BLOCK = 64
MetricFn = Callable[[np.ndarray], dict[str, np.ndarray]]


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


def _matmul(weights: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Weighted sums; float32 is exact while every column total stays below 2**24."""
    if counts.dtype == np.float32:
        return (weights @ counts).astype(np.float64)
    return weights.astype(np.float64) @ counts


def _as_matrix(counts: np.ndarray) -> np.ndarray:
    exact32 = counts.size == 0 or float(np.abs(counts).sum(axis=0, dtype=np.float64).max()) < 2**24
    return counts.astype(np.float32 if exact32 else np.float64)


def bootstrap_totals(counts: np.ndarray, n_samples: int, seed: int) -> np.ndarray:
    """``(n_samples, c)`` column totals of ``n_samples`` document resamples of ``counts``."""
    if n_samples <= 0 or counts.shape[0] == 0:
        return np.zeros((0, counts.shape[1]))
    # A column that is zero in every document is zero in every replicate: skip it.
    used = np.flatnonzero(np.any(counts != 0, axis=0))
    mat = _as_matrix(counts[:, used])
    out = np.zeros((n_samples, counts.shape[1]))
    done = 0
    for w in resample_blocks(counts.shape[0], n_samples, seed):
        out[done : done + w.shape[0], used] = _matmul(w, mat)
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


def paired_bootstrap(
    counts_a: np.ndarray,
    counts_b: np.ndarray,
    metric_fn: MetricFn,
    names: list[str],
    n_samples: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Deltas ``b - a`` of each named figure over paired resamples, and the observed deltas.

    Returns:
        ``(deltas (n_samples, len(names)), observed (len(names),))``.
    """
    both = _as_matrix(np.concatenate([counts_a, counts_b], axis=1))
    c = counts_a.shape[1]
    obs_a = metric_fn(both[:, :c].astype(np.float64).sum(axis=0))
    obs_b = metric_fn(both[:, c:].astype(np.float64).sum(axis=0))
    observed = np.array([obs_b[n] - obs_a[n] for n in names], dtype=np.float64)
    if n_samples <= 0 or both.shape[0] == 0:
        return np.zeros((0, len(names))), observed
    rows = []
    for w in resample_blocks(both.shape[0], n_samples, seed):
        tot = _matmul(w, both)
        ma, mb = metric_fn(tot[:, :c]), metric_fn(tot[:, c:])
        rows.append(np.stack([mb[n] - ma[n] for n in names], axis=1))
    return np.concatenate(rows), observed


def bootstrap_p(deltas: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Two-sided paired-bootstrap p-value per figure (shifted distribution)."""
    out = np.full(observed.shape, np.nan)
    for j in range(len(observed)):
        d = deltas[:, j]
        d = d[~np.isnan(d)]
        if np.isnan(observed[j]) or len(d) == 0:
            continue
        hits = np.sum(np.abs(d - observed[j]) >= abs(observed[j]) - 1e-12)
        out[j] = (1 + hits) / (1 + len(d))
    return out


def approximate_randomisation(
    counts_a: np.ndarray,
    counts_b: np.ndarray,
    metric_fn: MetricFn,
    names: list[str],
    n_trials: int,
    seed: int,
) -> np.ndarray:
    """Two-sided approximate-randomisation p-value per figure, documents as the unit."""
    a = counts_a.astype(np.float64)
    b = counts_b.astype(np.float64)
    tot_a, tot_b = a.sum(axis=0), b.sum(axis=0)
    ma, mb = metric_fn(tot_a), metric_fn(tot_b)
    observed = np.array([mb[n] - ma[n] for n in names])
    diff = _as_matrix(b - a)
    rng = np.random.default_rng(seed)
    hits = np.zeros(len(names))
    valid = np.zeros(len(names))
    done = 0
    while done < n_trials:
        k = min(BLOCK, n_trials - done)
        swap = rng.integers(0, 2, size=(k, a.shape[0])).astype(np.float32)
        moved = _matmul(swap, diff)
        sa, sb = metric_fn(tot_a + moved), metric_fn(tot_b - moved)
        d = np.stack([sb[n] - sa[n] for n in names], axis=1)
        ok = ~np.isnan(d)
        valid += ok.sum(axis=0)
        hits += (ok & (np.abs(d) >= np.abs(observed) - 1e-12)).sum(axis=0)
        done += k
    with np.errstate(invalid="ignore", divide="ignore"):
        p = (1 + hits) / (1 + valid)
    return np.where(np.isnan(observed), np.nan, p)
