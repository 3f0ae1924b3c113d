"""Span matching: hand-worked cases for every schema, optimality, order independence."""

from __future__ import annotations

import itertools
import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scoring_helpers import LABELS, counts, match

from backchannel.eval.scoring.matching import match_per_label, match_spans


def test_semeval_table_every_schema() -> None:
    # One document, five gold spans and five predictions, one of each SemEval situation:
    #   g0 [0,5) ACTOR    <-> p0 [0,5) ACTOR     same boundaries, same label
    #   g1 [10,15) CHANNEL<-> p1 [10,15) ACTOR   same boundaries, other label
    #   g2 [20,25) ACTOR  <-> p2 [20,23) ACTOR   overlap, same label
    #   g3 [30,35) ISSUE  <-> p3 [31,36) CHANNEL overlap, other label
    #   g4 [40,45) VENUE       nothing predicted            -> MIS in every schema
    #                          p4 [50,55) ISSUE  no gold    -> SPU in every schema
    gold = [(0, 5, "ACTOR"), (10, 15, "CHANNEL"), (20, 25, "ACTOR"), (30, 35, "ISSUE"),
            (40, 45, "VENUE")]  # fmt: skip
    pred = [(0, 5, "ACTOR"), (10, 15, "ACTOR"), (20, 23, "ACTOR"), (31, 36, "CHANNEL"),
            (50, 55, "ISSUE")]  # fmt: skip
    c = counts(gold, pred)
    # strict: only p0 is right; p1-p3 overlap their gold span but miss boundary or label.
    assert c["strict"] == {"COR": 1, "INC": 3, "PAR": 0, "MIS": 1, "SPU": 1}
    # exact: boundaries only, so p0 and p1 are right; p2, p3 are wrong boundaries.
    assert c["exact"] == {"COR": 2, "INC": 2, "PAR": 0, "MIS": 1, "SPU": 1}
    # partial: p0, p1 exact boundaries (COR); p2, p3 overlap (PAR); labels ignored.
    assert c["partial"] == {"COR": 2, "INC": 0, "PAR": 2, "MIS": 1, "SPU": 1}
    # type: any overlap with the right label is COR (p0, p2); wrong label INC (p1, p3).
    assert c["type"] == {"COR": 2, "INC": 2, "PAR": 0, "MIS": 1, "SPU": 1}


def test_half_open_adjacent_spans_do_not_overlap() -> None:
    # [0,5) and [5,9) touch but share no character: MIS + SPU, never INC or PAR.
    c = counts([(0, 5, "ACTOR")], [(5, 9, "ACTOR")])
    for schema in c.values():
        assert schema == {"COR": 0, "INC": 0, "PAR": 0, "MIS": 1, "SPU": 1}


def test_duplicate_prediction_is_spurious() -> None:
    # Two identical predictions, one gold span: one COR, the copy is SPU (one-to-one).
    c = counts([(0, 5, "ACTOR")], [(0, 5, "ACTOR"), (0, 5, "ACTOR")])
    assert c["strict"] == {"COR": 1, "INC": 0, "PAR": 0, "MIS": 0, "SPU": 1}


def test_one_prediction_over_two_gold_spans_counts_once() -> None:
    # p [0,10) overlaps g0 [0,5) and g1 [6,10): it can pair with one of them only.
    c = counts([(0, 5, "ACTOR"), (6, 10, "ACTOR")], [(0, 10, "ACTOR")])
    assert c["partial"] == {"COR": 0, "INC": 0, "PAR": 1, "MIS": 1, "SPU": 0}
    assert c["type"] == {"COR": 1, "INC": 0, "PAR": 0, "MIS": 1, "SPU": 0}


def test_optimal_not_greedy_in_a_two_by_two_cluster() -> None:
    # gold g0 [0,10), g1 [5,15); predictions listed p0 [3,12) first, then p1 [0,10).
    # A greedy scan gives p0 to g0 (PAR) and then p1 can only take g1 (PAR): 0 COR, 2 PAR.
    # The best matching pairs p1-g0 exactly (COR) and p0-g1 (PAR): 1 + 0.5 > 0.5 + 0.5.
    gold = [(0, 10, "ACTOR"), (5, 15, "ACTOR")]
    pred = [(3, 12, "ACTOR"), (0, 10, "ACTOR")]
    c = counts(gold, pred)
    assert c["partial"] == {"COR": 1, "INC": 0, "PAR": 1, "MIS": 0, "SPU": 0}
    assert c["strict"] == {"COR": 1, "INC": 1, "PAR": 0, "MIS": 0, "SPU": 0}


def test_more_pairs_win_when_credit_ties() -> None:
    # g0 [0,4), g1 [6,10); p0 [2,8) overlaps both, p1 [8,12) overlaps g1 only.
    # Credit is 0 for every pair in strict; pairing p0-g0 and p1-g1 gives two INC instead
    # of one INC, one MIS and one SPU.
    c = counts([(0, 4, "ACTOR"), (6, 10, "ACTOR")], [(2, 8, "ACTOR"), (8, 12, "ACTOR")])
    assert c["strict"] == {"COR": 0, "INC": 2, "PAR": 0, "MIS": 0, "SPU": 0}


def test_type_prefers_the_same_label_partner() -> None:
    # p [0,10) ISSUE overlaps g0 [0,5) ACTOR (first) and g1 [5,10) ISSUE: type pairs it with g1.
    c = counts([(0, 5, "ACTOR"), (5, 10, "ISSUE")], [(0, 10, "ISSUE")])
    assert c["type"] == {"COR": 1, "INC": 0, "PAR": 0, "MIS": 1, "SPU": 0}


def test_groups_never_match_across_documents() -> None:
    g = [np.array(v) for v in ([0], [0], [5], [0])]
    p = [np.array(v) for v in ([1], [0], [5], [0])]
    from backchannel.eval.scoring.matching import match_spans

    res = match_spans(*g, *p, 2)
    assert res.counts[0, 0].tolist() == [0, 0, 0, 1, 0]
    assert res.counts[1, 0].tolist() == [0, 0, 0, 0, 1]


# -- properties ---------------------------------------------------------------------------------
span_st = st.tuples(st.integers(0, 30), st.integers(1, 8), st.sampled_from(LABELS)).map(
    lambda t: (t[0], t[0] + t[1], t[2])
)


def _brute_force(gold: list, pred: list) -> dict[str, tuple[float, int]]:
    """Best (credit, pairs) over every one-to-one matching of overlapping pairs, by schema."""
    best = {}
    for schema in ("strict", "exact", "partial", "type"):

        def credit(g: tuple, p: tuple, schema: str = schema) -> float:
            same_b = g[:2] == p[:2]
            same_l = g[2] == p[2]
            return {
                "strict": 1.0 if same_b and same_l else 0.0,
                "exact": 1.0 if same_b else 0.0,
                "partial": 1.0 if same_b else 0.5,
                "type": 1.0 if same_l else 0.0,
            }[schema]

        top = (0.0, 0)
        k = min(len(gold), len(pred))
        # Every injective map from the shorter side into the longer one covers every matching
        # (unmatched pairs simply do not overlap or are left out by the overlap test).
        short_is_gold = len(gold) <= len(pred)
        longer = len(pred) if short_is_gold else len(gold)
        for perm in itertools.permutations(range(longer), k):
            value, pairs = 0.0, 0
            for i, j in enumerate(perm):
                g, p = (gold[i], pred[j]) if short_is_gold else (gold[j], pred[i])
                if g[0] < p[1] and p[0] < g[1]:
                    value += credit(g, p)
                    pairs += 1
            top = max(top, (value, pairs))
        best[schema] = top
    return best


@settings(max_examples=150, deadline=None)
@given(st.lists(span_st, max_size=5), st.lists(span_st, max_size=5))
def test_matching_is_optimal(gold: list, pred: list) -> None:
    c = counts(gold, pred)
    best = _brute_force(gold, pred)
    for schema, (value, pairs) in best.items():
        got = c[schema]
        assert got["COR"] + 0.5 * got["PAR"] == value
        assert got["COR"] + got["INC"] + got["PAR"] == pairs


@settings(max_examples=150, deadline=None)
@given(st.lists(span_st, max_size=12), st.lists(span_st, max_size=12), st.randoms())
def test_counts_do_not_depend_on_list_order(gold: list, pred: list, rnd: random.Random) -> None:
    before = counts(gold, pred)
    rnd.shuffle(gold)
    rnd.shuffle(pred)
    assert counts(gold, pred) == before


@settings(max_examples=150, deadline=None)
@given(st.lists(span_st, max_size=12), st.lists(span_st, max_size=12))
def test_counts_add_up(gold: list, pred: list) -> None:
    for c in counts(gold, pred).values():
        assert c["COR"] + c["INC"] + c["PAR"] + c["MIS"] == len(gold)  # POS
        assert c["COR"] + c["INC"] + c["PAR"] + c["SPU"] == len(pred)  # ACT


@settings(max_examples=100, deadline=None)
@given(st.lists(span_st, max_size=12), st.randoms())
def test_perfect_predictions_are_all_correct(gold: list, rnd: random.Random) -> None:
    pred = list(gold)
    rnd.shuffle(pred)
    for c in counts(gold, pred).values():
        assert c == {"COR": len(gold), "INC": 0, "PAR": 0, "MIS": 0, "SPU": 0}


def test_pairs_refer_to_input_positions() -> None:
    res = match([(0, 5, "ACTOR"), (10, 15, "VENUE")], [(10, 15, "VENUE"), (0, 4, "ACTOR")])
    strict = {(int(g), int(p), int(c)) for g, p, c in res.pairs[0]}
    assert strict == {(1, 0, 0), (0, 1, 1)}  # (gold 1, pred 0) COR; (gold 0, pred 1) INC


doc_span_st = st.tuples(st.integers(0, 2), st.integers(0, 12), st.integers(1, 5), st.integers(0, 3))


def _columns(xs: list[tuple[int, int, int, int]]) -> list[np.ndarray]:
    """(document, start, end, label) columns from (document, start, length, label) tuples."""
    rows = [(d, s, s + n, lab) for d, s, n, lab in xs]
    return [np.array([r[i] for r in rows], dtype=np.int64) for i in range(4)]


@settings(max_examples=300, deadline=None)
@given(st.lists(doc_span_st, max_size=14), st.lists(doc_span_st, max_size=14))
def test_per_label_shortcut_equals_matching_each_label(gold: list, pred: list) -> None:
    """``match_per_label`` (reusing the overall matching) = ``match_spans`` by (doc, label)."""
    n_docs, n_lab = 3, len(LABELS)
    gd, gs, ge, gl = _columns(gold)
    pd, ps, pe, pl = _columns(pred)
    overall = match_spans(gd, gs, ge, gl, pd, ps, pe, pl, n_docs)
    short = match_per_label(overall, gd, gs, ge, gl, pd, ps, pe, pl, n_docs, n_lab)
    direct = match_spans(gd * n_lab + gl, gs, ge, gl, pd * n_lab + pl, ps, pe, pl, n_docs * n_lab)
    assert short.tolist() == direct.counts.tolist()


def test_per_label_shortcut_on_a_mixed_cluster() -> None:
    """A gold ACTOR and a predicted ISSUE on the same stretch: MIS for one, SPU for the other."""
    a = lambda *v: np.array(v, dtype=np.int64)  # noqa: E731 - a one-line helper
    overall = match_spans(a(0), a(0), a(5), a(0), a(0), a(0), a(5), a(3), 1)
    per = match_per_label(overall, a(0), a(0), a(5), a(0), a(0), a(0), a(5), a(3), 1, 4)
    strict = [per[lab, 0].tolist() for lab in range(4)]
    assert strict == [[0, 0, 0, 1, 0], [0] * 5, [0] * 5, [0, 0, 0, 0, 1]]
