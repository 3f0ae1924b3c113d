"""Paired significance between two systems over documents, from per-document count rows.

Paired tests (``compare``) resample the same documents for both systems (paired bootstrap,
Koehn 2004; p-value by the shifted-distribution method of Berg-Kirkpatrick et al. 2012: how
often ``|delta* - delta| >= |delta|``), and approximate randomisation swaps each document's
two rows with probability 1/2 (Noreen 1989; Riezler and Maxwell 2005).  Both p-values are
``(1 + hits) / (1 + trials)`` so they are never 0.  Resampling is the one of
:mod:`backchannel.bootstrap`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from backchannel.bootstrap import BLOCK, as_matrix, matmul, resample_blocks

__all__ = ["MetricFn", "approximate_randomisation", "bootstrap_p", "paired_bootstrap"]

MetricFn = Callable[[np.ndarray], dict[str, np.ndarray]]


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
    both = as_matrix(np.concatenate([counts_a, counts_b], axis=1))
    c = counts_a.shape[1]
    obs_a = metric_fn(both[:, :c].astype(np.float64).sum(axis=0))
    obs_b = metric_fn(both[:, c:].astype(np.float64).sum(axis=0))
    observed = np.array([obs_b[n] - obs_a[n] for n in names], dtype=np.float64)
    if n_samples <= 0 or both.shape[0] == 0:
        return np.zeros((0, len(names))), observed
    rows = []
    for w in resample_blocks(both.shape[0], n_samples, seed):
        tot = matmul(w, both)
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
    diff = as_matrix(b - a)
    rng = np.random.default_rng(seed)
    hits = np.zeros(len(names))
    valid = np.zeros(len(names))
    done = 0
    while done < n_trials:
        k = min(BLOCK, n_trials - done)
        swap = rng.integers(0, 2, size=(k, a.shape[0])).astype(np.float32)
        moved = matmul(swap, diff)
        sa, sb = metric_fn(tot_a + moved), metric_fn(tot_b - moved)
        d = np.stack([sb[n] - sa[n] for n in names], axis=1)
        ok = ~np.isnan(d)
        valid += ok.sum(axis=0)
        hits += (ok & (np.abs(d) >= np.abs(observed) - 1e-12)).sum(axis=0)
        done += k
    with np.errstate(invalid="ignore", divide="ignore"):
        p = (1 + hits) / (1 + valid)
    return np.where(np.isnan(observed), np.nan, p)
