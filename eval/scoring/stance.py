"""Stance polarity on matched holder-target pairs.

Stance is a relation (``schema.stance.relation``) from a holder to a target with a polarity
attribute (``schema.stance.attribute``).  As a relation it is scored by
:mod:`~backchannel.eval.scoring.relations`.  On top of that, the gold and predicted stance
relations whose
holder and target agree *strictly* (boundaries and labels of both arguments) are paired, and
their polarities fill a confusion matrix from which per-polarity F1, macro-F1 and F_avg (the mean
F1 of the schema's ``stance.favg`` polarities, SemEval-2016 Task 6) are derived.

When one holder-target pair carries several stance relations on a side (rare), equal polarities
are paired first, then the rest in polarity order, so the pairing never depends on list order.
"""

from __future__ import annotations

import numpy as np

from backchannel.eval.scoring.relations import run_ids

__all__ = ["polarity_confusion"]


def polarity_confusion(
    gold_keys: np.ndarray,
    gold_pol: np.ndarray,
    pred_keys: np.ndarray,
    pred_pol: np.ndarray,
    n_docs: int,
    n_pol: int,
) -> np.ndarray:
    """Per-document polarity confusion on matched holder-target pairs.

    Args:
        gold_keys: ``(n, k)`` rows whose first column is the document index and whose other
            columns identify holder and target (strict).
        gold_pol: polarity id of each gold row; ``n_pol`` means absent.
        pred_keys: the same for predictions.
        pred_pol: polarity ids of predictions.
        n_docs: documents in the batch.
        n_pol: number of polarities; the matrix is ``(n_pol + 1) x (n_pol + 1)``.

    Returns:
        ``(n_docs, n_pol + 1, n_pol + 1)`` counts, gold polarity on rows.
    """
    k = n_pol + 1
    out = np.zeros((n_docs, k, k), dtype=np.int64)
    keys = np.concatenate([gold_keys, pred_keys]).astype(np.int64)
    if len(gold_keys) == 0 or len(pred_keys) == 0:
        return out
    pol = np.concatenate([gold_pol, pred_pol]).astype(np.int64)
    side = np.concatenate([np.zeros(len(gold_keys), np.int64), np.ones(len(pred_keys), np.int64)])
    order, run, n_runs = run_ids(keys)
    s_side, s_pol, s_doc = side[order], pol[order], keys[order, 0]
    n_g = np.bincount(run[s_side == 0], minlength=n_runs)
    n_p = np.bincount(run[s_side == 1], minlength=n_runs)
    one = (n_g == 1) & (n_p == 1)
    is_one = one[run]
    # Runs with one relation on each side: sorted rows are (gold, pred) when sides tie on keys.
    g_rows = np.flatnonzero(is_one & (s_side == 0))
    p_rows = np.flatnonzero(is_one & (s_side == 1))
    g_rows = g_rows[np.argsort(run[g_rows], kind="stable")]
    p_rows = p_rows[np.argsort(run[p_rows], kind="stable")]
    np.add.at(out, (s_doc[g_rows], s_pol[g_rows], s_pol[p_rows]), 1)
    many = np.flatnonzero((n_g >= 1) & (n_p >= 1) & ~one)
    for r in many:
        rows = np.flatnonzero(run == r)
        g = sorted(int(x) for x in s_pol[rows][s_side[rows] == 0])
        p = sorted(int(x) for x in s_pol[rows][s_side[rows] == 1])
        doc = int(s_doc[rows[0]])
        rest_g, rest_p = [], list(p)
        for x in g:
            if x in rest_p:
                rest_p.remove(x)
                out[doc, x, x] += 1
            else:
                rest_g.append(x)
        for x, y in zip(rest_g, rest_p, strict=False):
            out[doc, x, y] += 1
    return out
