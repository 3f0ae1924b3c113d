"""Relation scoring in two modes, as multiset matches of argument tuples, vectorised.

A relation is identified by its label and its two argument spans, never by span ids (a model's
ids mean nothing in the gold):

- ``strict``: relation label, and both arguments' boundaries *and* labels, must agree;
- ``boundaries``: relation label and both arguments' boundaries must agree (argument labels
  ignored).

Both sides are multisets: two identical predicted relations against one gold relation give one
TP and one FP (a duplicate is never rewarded twice).  Counts per (document, relation label) are
``TP``, ``ACT`` (predicted) and ``POS`` (gold); FP = ACT - TP and FN = POS - TP.
"""

from __future__ import annotations

import numpy as np

__all__ = ["multiset_tp", "run_ids"]


def run_ids(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Sort the rows of ``keys`` and number the runs of identical rows.

    Non-negative keys whose columns fit together in 62 bits are packed into one int64 per row
    first: one sort of one column instead of a lexicographic sort of all of them (the usual
    case: the rows hold groups, offsets and label ids).  Runs are the same either way.

    Returns:
        ``(order, run_of_sorted_row, n_runs)``.
    """
    if len(keys) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), 0
    packed = _pack(keys)
    if packed is not None:
        order = np.argsort(packed, kind="stable")
        s = packed[order]
        new = np.ones(len(s), dtype=bool)
        new[1:] = s[1:] != s[:-1]
    else:
        order = np.lexsort(keys.T[::-1])
        s = keys[order]
        new = np.ones(len(s), dtype=bool)
        new[1:] = np.any(s[1:] != s[:-1], axis=1)
    run = np.cumsum(new) - 1
    return order, run, int(run[-1]) + 1


def _pack(keys: np.ndarray) -> np.ndarray | None:
    """One int64 per row preserving row order and equality, or None if the rows do not fit."""
    low, high = keys.min(axis=0), keys.max(axis=0)
    if (low < 0).any():
        return None
    bits = [int(h).bit_length() for h in high]
    if sum(bits) > 62:
        return None
    packed = np.zeros(len(keys), dtype=np.int64)
    for col, b in enumerate(bits):
        packed <<= b
        packed |= keys[:, col]
    return packed


def multiset_tp(gold: np.ndarray, pred: np.ndarray, group_col: int = 0) -> tuple[np.ndarray, ...]:
    """Per-run multiset intersection of two sets of key rows.

    Args:
        gold: ``(n_gold, k)`` int64 key rows.
        pred: ``(n_pred, k)`` int64 key rows (same columns).
        group_col: the column holding the group (reported for each run).

    Returns:
        ``(run_group, tp_per_run)``: the group of each run of identical keys and
        ``min(#gold, #pred)`` in it.

    Example:
        >>> import numpy as np
        >>> g = np.array([[0, 1], [0, 1], [0, 2]])
        >>> p = np.array([[0, 1], [0, 3]])
        >>> [x.tolist() for x in multiset_tp(g, p)]
        [[0, 0, 0], [1, 0, 0]]
    """
    keys = np.concatenate([gold, pred]).astype(np.int64)
    if len(keys) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    side = np.concatenate([np.zeros(len(gold), np.int64), np.ones(len(pred), np.int64)])
    order, run, n_runs = run_ids(keys)
    s_side = side[order]
    n_g = np.bincount(run[s_side == 0], minlength=n_runs)
    n_p = np.bincount(run[s_side == 1], minlength=n_runs)
    first = np.ones(len(run), dtype=bool)
    first[1:] = run[1:] != run[:-1]
    run_group = keys[order][first, group_col]
    return run_group, np.minimum(n_g, n_p)
