"""Cross-check against nervaluate (the pinned release, 1.2.1 here) on generated inputs.

Deliberate differences, also listed in docs/scoring.md:

1. Offsets: nervaluate treats ``end`` as inclusive (its overlap test is ``pred.start > true.end
   or pred.end < true.start``); ours are half-open.  We give it ``end - 1``.
2. Matching: nervaluate scans predictions greedily in list order, so its counts can depend on the
   order of the lists and miss the better pairing inside a cluster of overlapping spans; ours is
   the optimal one-to-one matching.  The cross-check therefore uses inputs where every
   prediction overlaps at most one gold span and vice versa (greedy and optimal agree); a
   second test shows a case where they differ.
3. Per-label tables: nervaluate only reports labels that occur; we report every schema label and
   give ``null`` figures for a label with nothing on either side.

Checked for 1.2.1 and found *not* to apply (tests below): it sums counts over documents before
computing partial precision (micro), and a prediction overlapping two gold spans is counted once.
"""

from __future__ import annotations

import random
from importlib.metadata import version

import pytest
from nervaluate import Evaluator
from scoring_helpers import LABELS, counts

SCHEMA_NAMES = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}


def _nerv(gold_docs: list, pred_docs: list) -> dict:
    conv = [
        [[{"label": lab, "start": s, "end": e - 1} for s, e, lab in d] for d in docs]
        for docs in (gold_docs, pred_docs)
    ]
    return Evaluator(conv[0], conv[1], tags=LABELS, loader="dict").evaluate()


def _generate(rnd: random.Random) -> tuple[list, list]:
    """Slots 12 characters apart; each slot may hold a gold span and/or a prediction.

    Inside a slot the two may or may not overlap, never across slots, so each cluster has at
    most one span per side and greedy and optimal matching agree.
    """
    gold, pred = [], []
    for k in range(rnd.randint(0, 12)):
        base = 12 * k
        if rnd.random() < 0.8:
            s = base + rnd.randint(0, 4)
            gold.append((s, s + rnd.randint(1, 6), rnd.choice(LABELS)))
        if rnd.random() < 0.8:
            if gold and gold[-1][0] >= base and rnd.random() < 0.5:
                pred.append(gold[-1] if rnd.random() < 0.6 else (*gold[-1][:2], rnd.choice(LABELS)))
            else:
                s = base + rnd.randint(0, 6)
                pred.append((s, s + rnd.randint(1, 5), rnd.choice(LABELS)))
    rnd.shuffle(gold)
    rnd.shuffle(pred)
    return gold, pred


def test_pinned_version() -> None:
    assert version("nervaluate") == "1.2.1"


@pytest.mark.parametrize("seed", range(25))
def test_counts_match_nervaluate_where_greedy_is_optimal(seed: int) -> None:
    rnd = random.Random(seed)
    docs = [_generate(rnd) for _ in range(8)]
    gold_docs = [g for g, _ in docs]
    pred_docs = [p for _, p in docs]
    ref = _nerv(gold_docs, pred_docs)
    ours = {s: {"COR": 0, "INC": 0, "PAR": 0, "MIS": 0, "SPU": 0} for s in SCHEMA_NAMES}
    per_label: dict = {}
    for g, p in docs:
        for schema, c in counts(g, p).items():
            for k, v in c.items():
                ours[schema][k] += v
        for lab in LABELS:
            gl = [x for x in g if x[2] == lab]
            pl = [x for x in p if x[2] == lab]
            for schema, c in counts(gl, pl).items():
                slot = per_label.setdefault(lab, {}).setdefault(schema, dict.fromkeys(c, 0))
                for k, v in c.items():
                    slot[k] += v
    for schema, name in SCHEMA_NAMES.items():
        r = ref["overall"][name]
        theirs = {"COR": r.correct, "INC": r.incorrect, "PAR": r.partial, "MIS": r.missed,
                  "SPU": r.spurious}  # fmt: skip
        assert ours[schema] == theirs, schema
        # Their micro precision/recall come from the summed counts, as ours do.
        act = sum(ours[schema][k] for k in ("COR", "INC", "PAR", "SPU"))
        hit = ours[schema]["COR"] + 0.5 * ours[schema]["PAR"]
        assert r.precision == pytest.approx(hit / act if act else 0)
        for lab, res in ref["entities"].items():
            t = res[name]
            assert per_label[lab][schema] == {
                "COR": t.correct, "INC": t.incorrect, "PAR": t.partial, "MIS": t.missed,
                "SPU": t.spurious,
            }, (lab, schema)  # fmt: skip


def test_greedy_order_dependence_is_a_deliberate_difference() -> None:
    # gold listed g1 [10,20) then g0 [0,10); predictions p0 [5,15) then p1 [10,20).
    # nervaluate (strict): p0 overlaps g1 first -> INC with g1; p1 matches g1 exactly but g1 is
    # taken and p1 does not overlap g0 -> SPU; g0 -> MIS.  Optimal: p1-g1 COR, p0-g0 INC.
    gold = [(10, 20, "ACTOR"), (0, 10, "ACTOR")]
    pred = [(5, 15, "ACTOR"), (10, 20, "ACTOR")]
    r = _nerv([gold], [pred])["overall"]["strict"]
    assert (r.correct, r.incorrect, r.missed, r.spurious) == (0, 1, 1, 1)
    assert counts(gold, pred)["strict"] == {"COR": 1, "INC": 1, "PAR": 0, "MIS": 0, "SPU": 0}
    # Reversing nervaluate's gold list changes its answer; ours cannot change.
    r = _nerv([gold[::-1]], [pred])["overall"]["strict"]
    assert (r.correct, r.incorrect) == (1, 1)


def test_one_prediction_over_two_gold_spans_is_not_double_counted_in_1_2_1() -> None:
    gold = [(0, 5, "ACTOR"), (6, 10, "ACTOR")]
    pred = [(0, 10, "ACTOR")]
    r = _nerv([gold], [pred])["overall"]["partial"]
    assert (r.partial, r.missed, r.spurious) == (1, 1, 0)
    assert counts(gold, pred)["partial"] == {"COR": 0, "INC": 0, "PAR": 1, "MIS": 1, "SPU": 0}


def test_partial_precision_over_several_documents_is_micro_in_1_2_1() -> None:
    # doc A: one PAR out of one prediction; doc B: one COR and one SPU.
    # micro partial precision = (1 + 0.5) / 3 = 0.5 (not the mean of per-document precisions).
    gold = [[(0, 5, "ACTOR")], [(0, 5, "ACTOR")]]
    pred = [[(0, 3, "ACTOR")], [(0, 5, "ACTOR"), (20, 25, "ISSUE")]]
    r = _nerv(gold, pred)["overall"]["partial"]
    assert r.precision == pytest.approx(0.5)
