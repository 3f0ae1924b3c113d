"""Span alignment for SemEval-2013 Task 9.1 scoring, vectorised over many documents at once.

The four schemas (Segura-Bedmar et al. 2013; the vocabulary nervaluate uses):

=========  =================================================  =====================
schema     a gold/predicted pair of overlapping spans is ...   credit
=========  =================================================  =====================
strict     COR if boundaries and label agree, else INC         COR 1, INC 0
exact      COR if boundaries agree (label ignored), else INC   COR 1, INC 0
partial    COR if boundaries agree, else PAR (label ignored)   COR 1, PAR 0.5
type       COR if labels agree (any overlap), else INC         COR 1, INC 0
=========  =================================================  =====================

An unmatched gold span is MIS, an unmatched predicted span SPU.  Offsets are half-open Python
``str`` indices: ``[0, 5)`` and ``[5, 8)`` do not overlap.

Why not a greedy scan (nervaluate): the result of a greedy scan depends on the order of the
lists, and a prediction that overlaps two gold spans can take the "wrong" one.  Here, per group
(a document, or a document restricted to one label) and per schema, the pairing is the
one-to-one matching between overlapping spans that maximises ``COR + 0.5 PAR`` and then the
number of pairs.  Both objectives fix the counts uniquely, so COR/INC/PAR/MIS/SPU never depend
on list order; which of several equally good pairings is reported (for the error browser) is
fixed by sorting spans by ``(start, end, label)`` first.

Why vectorised: spans of a whole batch of documents sit in flat numpy arrays.  Runs of
mutually overlapping spans (clusters: the connected stretches of the union of all intervals in a
group) are found with one sort and a running maximum.  A cluster with no span on one side is all
MIS or all SPU; a cluster with exactly one span on one side (nearly all of them in practice) is
solved by taking its best edge, vectorised; only clusters with two or more spans on both sides go
to :func:`backchannel.spans.assign` (exact assignment), one small matrix each.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from backchannel.spans import assign

__all__ = [
    "CATEGORIES",
    "SCHEMAS",
    "MatchResult",
    "SpanSchema",
    "match_per_label",
    "match_spans",
]


class SpanSchema(StrEnum):
    """The four SemEval-2013 Task 9.1 evaluation schemas."""

    STRICT = "strict"
    EXACT = "exact"
    PARTIAL = "partial"
    TYPE = "type"


SCHEMAS: tuple[SpanSchema, ...] = tuple(SpanSchema)
CATEGORIES: tuple[str, ...] = ("COR", "INC", "PAR", "MIS", "SPU")
COR, INC, PAR, MIS, SPU = range(5)


@dataclass(frozen=True)
class MatchResult:
    """Counts and pairs of one call to :func:`match_spans`.

    Attributes:
        counts: ``(n_groups, 4, 5)`` int64, schema in :data:`SCHEMAS` order, category in
            :data:`CATEGORIES` order.
        pairs: per schema, an ``(n_pairs, 3)`` int64 array of ``(gold index, predicted index,
            category)`` with category COR, INC or PAR; indices refer to the input arrays.
        clusters: the cluster of each gold and of each predicted span (see
            :func:`match_per_label`).
    """

    counts: np.ndarray
    pairs: tuple[np.ndarray, ...]
    clusters: tuple[np.ndarray, np.ndarray]


def _score2(schema: SpanSchema, same_b: np.ndarray, same_l: np.ndarray) -> np.ndarray:
    """Twice the credit of an overlapping pair (2 COR, 1 PAR, 0 INC) under ``schema``."""
    if schema is SpanSchema.STRICT:
        return np.where(same_b & same_l, 2, 0)
    if schema is SpanSchema.EXACT:
        return np.where(same_b, 2, 0)
    if schema is SpanSchema.PARTIAL:
        return np.where(same_b, 2, 1)
    return np.where(same_l, 2, 0)


def _category(score2: np.ndarray) -> np.ndarray:
    return np.where(score2 == 2, COR, np.where(score2 == 1, PAR, INC))


def match_spans(
    g_group: np.ndarray,
    g_start: np.ndarray,
    g_end: np.ndarray,
    g_label: np.ndarray,
    p_group: np.ndarray,
    p_start: np.ndarray,
    p_end: np.ndarray,
    p_label: np.ndarray,
    n_groups: int,
) -> MatchResult:
    """Match gold and predicted spans group by group, in all four schemas.

    Args:
        g_group: group (document, or document x label) of each gold span, ``0 <= g < n_groups``.
        g_start: gold starts (inclusive).
        g_end: gold ends (exclusive).
        g_label: gold label ids.
        p_group: group of each predicted span.
        p_start: predicted starts.
        p_end: predicted ends.
        p_label: predicted label ids.
        n_groups: number of groups (rows of ``counts``).

    Returns:
        The per-group counts and, per schema, the matched pairs.

    Example:
        >>> import numpy as np
        >>> a = lambda *v: np.array(v, dtype=np.int64)
        >>> r = match_spans(a(0), a(0), a(5), a(1), a(0), a(0), a(4), a(1), 1)
        >>> r.counts[0, 2].tolist()  # partial: one PAR
        [0, 0, 1, 0, 0]
    """
    ng, npred = len(g_start), len(p_start)
    counts = np.zeros((n_groups, len(SCHEMAS), len(CATEGORIES)), dtype=np.int64)
    g_total = np.bincount(g_group, minlength=n_groups) if ng else np.zeros(n_groups, np.int64)
    p_total = np.bincount(p_group, minlength=n_groups) if npred else np.zeros(n_groups, np.int64)
    empty = np.zeros((0, 3), dtype=np.int64)
    if ng == 0 or npred == 0:
        counts[:, :, MIS] = g_total[:, None]
        counts[:, :, SPU] = p_total[:, None]
        alone = (np.arange(ng, dtype=np.int64), np.arange(ng, ng + npred, dtype=np.int64))
        return MatchResult(counts, tuple(empty for _ in SCHEMAS), alone)

    group = np.concatenate([g_group, p_group]).astype(np.int64)
    start = np.concatenate([g_start, p_start]).astype(np.int64)
    end = np.concatenate([g_end, p_end]).astype(np.int64)
    label = np.concatenate([g_label, p_label]).astype(np.int64)
    side = np.concatenate([np.zeros(ng, np.int8), np.ones(npred, np.int8)])
    # Canonical order: group, start, end, label, side.  Everything below depends on this order
    # only, never on the order of the input lists.
    width = int(end.max()) + 1
    n_lab = int(label.max()) + 1
    span = width * width * n_lab * 2
    if (int(group.max()) + 1) * span < 2**62:
        # One int64 key sorts several times faster than a five-key lexsort.
        order = np.argsort(
            group * span + (start * width + end) * (n_lab * 2) + label * 2 + side, kind="stable"
        )
    else:
        order = np.lexsort((side, label, end, start, group))
    key_start = group[order] * width + start[order]
    key_end = group[order] * width + end[order]
    run_end = np.maximum.accumulate(key_end)
    new = np.ones(len(order), dtype=bool)
    new[1:] = key_start[1:] >= run_end[:-1]
    cluster_sorted = np.cumsum(new) - 1
    n_clusters = int(cluster_sorted[-1]) + 1
    cluster = np.empty(len(order), dtype=np.int64)
    cluster[order] = cluster_sorted
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))

    g_cl, p_cl = cluster[:ng], cluster[ng:]
    g_rank, p_rank = rank[:ng], rank[ng:]
    n_g = np.bincount(g_cl, minlength=n_clusters)
    n_p = np.bincount(p_cl, minlength=n_clusters)

    # All gold x predicted candidate pairs inside clusters that have both sides.
    p_sorted = np.lexsort((p_rank, p_cl))  # predicted indices grouped by cluster
    p_first = np.zeros(n_clusters + 1, dtype=np.int64)
    np.cumsum(n_p, out=p_first[1:])
    reps = n_p[g_cl]
    gi = np.repeat(np.arange(ng, dtype=np.int64), reps)
    within = np.arange(len(gi), dtype=np.int64) - np.repeat(np.cumsum(reps) - reps, reps)
    pi = p_sorted[p_first[g_cl[gi]] + within]
    overlap = (g_start[gi] < p_end[pi]) & (p_start[pi] < g_end[gi])
    gi, pi = gi[overlap], pi[overlap]
    e_cl = g_cl[gi]
    same_b = (g_start[gi] == p_start[pi]) & (g_end[gi] == p_end[pi])
    same_l = g_label[gi] == p_label[pi]

    simple = np.minimum(n_g, n_p) == 1
    e_simple = simple[e_cl]
    complex_clusters = np.flatnonzero(np.minimum(n_g, n_p) >= 2)
    # Simple clusters with a single edge (nearly all) need no choice; the others take their
    # best edge, ties broken by canonical rank.
    n_edges = np.bincount(e_cl, minlength=n_clusters)
    single = np.flatnonzero(e_simple & (n_edges[e_cl] == 1))
    multi = np.flatnonzero(e_simple & (n_edges[e_cl] > 1))
    pairs: list[np.ndarray] = []
    for k, schema in enumerate(SCHEMAS):
        score2 = _score2(schema, same_b, same_l)
        # Simple clusters: the best edge (ties broken by canonical rank), vectorised.
        chosen = single
        if len(multi):
            o = np.lexsort((p_rank[pi[multi]], g_rank[gi[multi]], -score2[multi], e_cl[multi]))
            s_sorted = multi[o]
            first = np.ones(len(s_sorted), dtype=bool)
            first[1:] = e_cl[s_sorted[1:]] != e_cl[s_sorted[:-1]]
            chosen = np.concatenate([single, s_sorted[first]])
        parts = [np.stack([gi[chosen], pi[chosen], _category(score2[chosen])], axis=1)]
        if len(complex_clusters):
            parts.append(
                _solve_complex(complex_clusters, e_cl, gi, pi, score2, g_rank, p_rank, n_g, n_p)
            )
        sp = np.concatenate(parts).astype(np.int64) if parts else empty
        pairs.append(sp)
        grp = g_group[sp[:, 0]]
        for cat in (COR, INC, PAR):
            sel = sp[:, 2] == cat
            if sel.any():
                counts[:, k, cat] = np.bincount(grp[sel], minlength=n_groups)
        matched = np.bincount(grp, minlength=n_groups)
        counts[:, k, MIS] = g_total - matched
        counts[:, k, SPU] = p_total - matched
    return MatchResult(counts, tuple(pairs), (g_cl, p_cl))


def match_per_label(
    overall: MatchResult,
    g_group: np.ndarray,
    g_start: np.ndarray,
    g_end: np.ndarray,
    g_label: np.ndarray,
    p_group: np.ndarray,
    p_start: np.ndarray,
    p_end: np.ndarray,
    p_label: np.ndarray,
    n_groups: int,
    n_labels: int,
) -> np.ndarray:
    """Counts per group and label: ``match_spans`` with groups ``group * n_labels + label``.

    Why not just call :func:`match_spans` so: a cluster of the overall matching whose spans
    all carry one label is also a cluster when the spans are restricted to that label (no span
    of it left, none added), and its matching is the same (labels agree throughout, in both).
    Nearly all clusters are so; their counts come from ``overall``'s pairs by ``bincount``,
    and only the spans of mixed-label clusters are matched again.  A property test checks
    that the result equals the direct call.

    Args:
        overall: :func:`match_spans` on the same arrays, grouped by ``g_group``/``p_group``.

    Returns:
        ``(n_groups * n_labels, 4, 5)`` counts, as ``match_spans(...).counts``.
    """
    g_cl, p_cl = overall.clusters
    size = n_groups * n_labels
    gg, pg = g_group * n_labels + g_label, p_group * n_labels + p_label
    n_cl = int(max(g_cl.max(initial=-1), p_cl.max(initial=-1))) + 1
    label_of = np.zeros(n_cl, dtype=np.int64)  # the label of any one span of each cluster
    label_of[g_cl] = g_label
    label_of[p_cl] = p_label
    mixed = np.zeros(n_cl, dtype=bool)
    mixed[g_cl[g_label != label_of[g_cl]]] = True
    mixed[p_cl[p_label != label_of[p_cl]]] = True
    g_mixed, p_mixed = mixed[g_cl], mixed[p_cl]
    counts = np.zeros((size, len(SCHEMAS), len(CATEGORIES)), dtype=np.int64)
    g_total = np.bincount(gg[~g_mixed], minlength=size)
    p_total = np.bincount(pg[~p_mixed], minlength=size)
    for k, sp in enumerate(overall.pairs):
        sp = sp[~g_mixed[sp[:, 0]]]
        grp = gg[sp[:, 0]]
        for cat in (COR, INC, PAR):
            counts[:, k, cat] = np.bincount(grp[sp[:, 2] == cat], minlength=size)
        matched = np.bincount(grp, minlength=size)
        counts[:, k, MIS] = g_total - matched
        counts[:, k, SPU] = p_total - matched
    if g_mixed.any() or p_mixed.any():
        again = match_spans(
            gg[g_mixed], g_start[g_mixed], g_end[g_mixed], g_label[g_mixed],
            pg[p_mixed], p_start[p_mixed], p_end[p_mixed], p_label[p_mixed],
            size,
        )  # fmt: skip
        counts += again.counts
    return counts


def _solve_complex(
    clusters: np.ndarray,
    e_cl: np.ndarray,
    gi: np.ndarray,
    pi: np.ndarray,
    score2: np.ndarray,
    g_rank: np.ndarray,
    p_rank: np.ndarray,
    n_g: np.ndarray,
    n_p: np.ndarray,
) -> np.ndarray:
    """Exact assignment in each cluster with two or more spans on both sides.

    The weight of an edge is ``score2 * (m + 1) + 1`` with ``m`` the cluster's largest possible
    number of pairs: any gain in credit outweighs any number of extra pairs, and among equal
    credit more pairs win.  Non-edges weigh 0 and are dropped after the assignment.
    """
    want = np.zeros(len(n_g), dtype=bool)
    want[clusters] = True
    sel = np.flatnonzero(want[e_cl])
    sel = sel[np.argsort(e_cl[sel], kind="stable")]
    bounds = np.flatnonzero(np.diff(e_cl[sel])) + 1
    out: list[tuple[int, int, int]] = []
    for chunk in np.split(sel, bounds):
        if not len(chunk):
            continue
        g_items = np.unique(g_rank[gi[chunk]])
        p_items = np.unique(p_rank[pi[chunk]])
        row = np.searchsorted(g_items, g_rank[gi[chunk]])
        col = np.searchsorted(p_items, p_rank[pi[chunk]])
        m = min(len(g_items), len(p_items))
        weight = np.zeros((len(g_items), len(p_items)), dtype=np.int64)
        weight[row, col] = score2[chunk] * (m + 1) + 1
        lookup = {(int(a), int(b)): int(e) for a, b, e in zip(row, col, chunk, strict=True)}
        for a, b in assign(weight):
            e = lookup.get((a, b))
            if e is not None:
                s = int(score2[e])
                out.append((int(gi[e]), int(pi[e]), COR if s == 2 else PAR if s == 1 else INC))
    if not out:
        return np.zeros((0, 3), dtype=np.int64)
    return np.array(out, dtype=np.int64)
