"""Bootstrap and paired tests: vectorised == naive, seeded, sensible p-values; metric properties."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scoring_helpers import doc, write_pair

from backchannel.bootstrap import BLOCK, bootstrap_totals, resample_blocks
from backchannel.eval.scoring.metrics import compute_metrics, prf
from backchannel.eval.scoring.scorer import compare
from backchannel.schema import load_schema


def test_vectorised_bootstrap_equals_a_naive_loop() -> None:
    rng = np.random.default_rng(0)
    rows = rng.integers(0, 9, size=(37, 5))
    rows[:, 2] = 0  # an all-zero column is skipped and must come back as zeros
    n_samples, seed = BLOCK + 11, 5
    fast = bootstrap_totals(rows, n_samples, seed)
    # The naive version: draw the same document indices, sum the drawn rows one by one.
    draw = np.random.default_rng(seed)
    naive = []
    left = n_samples
    while left:
        b = min(BLOCK, left)
        for idx in draw.integers(0, rows.shape[0], size=(b, rows.shape[0]), dtype=np.int32):
            naive.append(rows[idx].sum(axis=0))
        left -= b
    assert np.array_equal(fast, np.array(naive, dtype=np.float64))


def test_resample_counts_sum_to_n() -> None:
    for w in resample_blocks(50, 130, seed=1):
        assert np.all(w.sum(axis=1) == 50)


def test_reduction_preserves_every_figure(tmp_path: Path) -> None:
    # Real count rows (the reduction relies on ACT and POS being equal across schemas).
    rnd = np.random.default_rng(3)
    labels = ["ACTOR", "ISSUE", "VENUE", "CHANNEL"]

    def triples(n: int) -> list:
        out = []
        for _ in range(n):
            s = int(rnd.integers(0, 60))
            out.append((s, s + int(rnd.integers(1, 9)), labels[int(rnd.integers(0, 4))]))
        return out

    golds = [doc(f"d{i}", triples(6)) for i in range(12)]
    preds = [doc(f"d{i}", triples(6)) for i in range(12)]
    g, p = write_pair(tmp_path, golds, preds)
    from backchannel.eval.scoring.scorer import score

    res = score(g, p, bootstrap=0, schema=SCHEMA)
    layout, rows = res.layout, res.counts.rows.astype(np.int64)
    reduce, expand = layout.reduction()
    totals = np.stack([rows.sum(axis=0), rows[:5].sum(axis=0), rows[3:].sum(axis=0)])
    full = compute_metrics(totals, layout)
    rebuilt = compute_metrics(np.rint(totals @ reduce) @ expand, layout)
    checked = 0
    for name, value in full.items():
        if name.rsplit(".", 1)[-1] in ("precision", "recall", "f1", "accuracy", "f_avg"):
            np.testing.assert_allclose(rebuilt[name], value, err_msg=name)
            checked += 1
    assert checked > 100


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50))
def test_prf_in_unit_interval(tp: int, extra_act: int, extra_pos: int) -> None:
    p, r, f = prf(np.array(tp), np.array(tp + extra_act), np.array(tp + extra_pos))
    if tp + extra_act + extra_pos == 0:
        assert np.isnan(p) and np.isnan(r) and np.isnan(f)
    else:
        for x in (p, r, f):
            assert 0.0 <= float(x) <= 1.0
        if extra_act == extra_pos == 0:
            assert float(f) == 1.0


span_st = st.tuples(
    st.integers(0, 40), st.integers(1, 8), st.sampled_from(["ACTOR", "ISSUE", "VENUE"])
).map(lambda t: (t[0], t[0] + t[1], t[2]))
doc_st = st.tuples(st.lists(span_st, max_size=8), st.lists(span_st, max_size=8))


@settings(max_examples=40, deadline=None)
@given(st.lists(doc_st, min_size=1, max_size=4), st.randoms())
def test_score_figures_are_rates_and_counts_add_up(docs: list, rnd: object) -> None:
    import tempfile

    from backchannel.eval.scoring.scorer import score

    def stances(spans: list) -> list:
        # STANCE between consecutive ACTOR spans, polarity drawn at random
        actors = [i for i, s in enumerate(spans) if s[2] == "ACTOR"]
        pols = ["favor", "against", "neutral"]
        return [
            (h, t, "STANCE", {"polarity": pols[(h + t + len(spans)) % 3]})
            for h, t in itertools.pairwise(actors)
        ]

    golds = [doc(f"d{i}", g, stances(g)) for i, (g, _) in enumerate(docs)]
    preds = [doc(f"d{i}", p, stances(p)) for i, (_, p) in enumerate(docs)]
    with tempfile.TemporaryDirectory() as tmp:
        g, p = write_pair(Path(tmp), golds, preds)
        res = score(g, p, bootstrap=20, schema=SCHEMA)
    v = res.values
    for name, value in v.items():
        if name.rsplit(".", 1)[-1] in (
            "precision",
            "recall",
            "f1",
            "accuracy",
            "macro_f1",
            "f_avg",
        ):
            assert value is None or 0.0 <= value <= 1.0, name
            lo, hi = res.intervals[name]
            assert lo is None or 0.0 <= lo <= hi <= 1.0, name
    # The batch (all documents in one set of arrays) gives the sum of per-document matchings.
    from scoring_helpers import counts

    for schema in ("strict", "exact", "partial", "type"):
        for cat in ("COR", "INC", "PAR", "MIS", "SPU"):
            one_by_one = sum(counts(g, p)[schema][cat] for g, p in docs)
            assert v[f"spans.micro.{schema}.{cat}"] == one_by_one
    n_gold = sum(len(g) for g, _ in docs)
    n_pred = sum(len(p) for _, p in docs)
    for schema in ("strict", "exact", "partial", "type"):
        b = f"spans.micro.{schema}"
        assert v[f"{b}.COR"] + v[f"{b}.INC"] + v[f"{b}.PAR"] + v[f"{b}.MIS"] == v[f"{b}.POS"]
        assert v[f"{b}.COR"] + v[f"{b}.INC"] + v[f"{b}.PAR"] + v[f"{b}.SPU"] == v[f"{b}.ACT"]
        assert (v[f"{b}.POS"], v[f"{b}.ACT"]) == (n_gold, n_pred)


SCHEMA = load_schema()


def _systems(tmp_path: Path) -> tuple[Path, Path, Path]:
    three = [(0, 5, "ACTOR"), (10, 15, "ISSUE"), (20, 25, "VENUE")]
    golds = [doc(f"d{i}", three) for i in range(40)]
    weak = [doc(f"d{i}", [(0, 5, "ACTOR")] if i % 2 else [(0, 4, "ACTOR")]) for i in range(40)]
    strong = [doc(f"d{i}", [(0, 5, "ACTOR"), (10, 15, "ISSUE")]) for i in range(40)]
    g, a = write_pair(tmp_path, golds, weak)
    b = tmp_path / "b.jsonl"
    from backchannel.documents import write_documents

    write_documents(strong, b)
    return g, a, b


def test_compare_identical_systems(tmp_path: Path) -> None:
    g, a, _ = _systems(tmp_path)
    res = compare(g, a, a, bootstrap=200, permutations=200)
    row = res.rows["spans.micro.strict.f1"]
    assert row["delta"] == 0.0
    assert row["p_bootstrap"] == 1.0 and row["p_randomisation"] == 1.0
    assert row["ci_low"] == row["ci_high"] == 0.0


def test_compare_better_system(tmp_path: Path) -> None:
    g, a, b = _systems(tmp_path)
    res = compare(g, a, b, bootstrap=300, permutations=300, seed=3)
    row = res.rows["spans.micro.strict.f1"]
    # a: 20 COR out of 40 predictions against 120 gold; b: 80 COR out of 80 predictions.
    assert row["a"] == pytest.approx(2 * 20 / (40 + 120))
    assert row["b"] == pytest.approx(2 * 80 / (80 + 120))
    assert row["delta"] == pytest.approx(row["b"] - row["a"])
    assert 0 < row["ci_low"] < row["delta"] < row["ci_high"]
    assert row["p_bootstrap"] < 0.01 and row["p_randomisation"] < 0.01
    # swapping the systems flips the sign and keeps the p-values
    rev = compare(g, b, a, bootstrap=300, permutations=300, seed=3).rows["spans.micro.strict.f1"]
    assert rev["delta"] == pytest.approx(-row["delta"])
    assert rev["p_randomisation"] == pytest.approx(row["p_randomisation"])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(span_st, max_size=8), min_size=1, max_size=4), st.randoms())
def test_perfect_predictions_give_one(docs: list, rnd: object) -> None:
    import random
    import tempfile

    from backchannel.eval.scoring.scorer import score

    assert isinstance(rnd, random.Random)
    golds = [doc(f"d{i}", g) for i, g in enumerate(docs)]
    shuffled = []
    for g in docs:
        order = list(g)
        rnd.shuffle(order)
        shuffled.append(order)
    preds = [doc(f"d{i}", p) for i, p in enumerate(shuffled)]
    with tempfile.TemporaryDirectory() as tmp:
        gp, pp = write_pair(Path(tmp), golds, preds)
        res = score(gp, pp, bootstrap=10, schema=SCHEMA)
    for name, value in res.values.items():
        if name.startswith("spans.") and name.rsplit(".", 1)[-1] in ("precision", "recall", "f1"):
            assert value in (None, 1.0), name
    if any(docs):
        assert res.values["spans.micro.strict.f1"] == 1.0
