"""Stance figures that do not mislead: macro intervals over the point estimate's classes, the
majority-class baseline beside every stance figure, and layers a model was given left out."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scoring_helpers import doc, write_pair
from sklearn.metrics import f1_score
from typer.testing import CliRunner

from backchannel.cli.app import app
from backchannel.documents import Document
from backchannel.eval.models.base import declare_layers
from backchannel.eval.scoring.metrics import Layout, class_sets, compute_metrics
from backchannel.eval.scoring.report import to_html, to_markdown
from backchannel.eval.scoring.scorer import given_layers, score
from backchannel.schema import load_schema

LAYOUT = Layout.from_schema(load_schema())
POLS = list(LAYOUT.polarities)  # favor, against, neutral
SPANS = [(0, 5, "ACTOR"), (10, 15, "ISSUE")]


def totals(pairs: list[tuple[str, str]]) -> np.ndarray:
    """Count columns holding only a polarity confusion of (gold, predicted) matched pairs."""
    t = np.zeros(LAYOUT.n_columns)
    conf = LAYOUT.view(t, "polarity")
    for g, p in pairs:
        conf[POLS.index(g), POLS.index(p)] += 1
    return t


def stance_doc(doc_id: str, polarity: str) -> Document:
    return doc(doc_id, SPANS, [(0, 1, "STANCE", {"polarity": polarity})])


def stance_files(tmp_path: Path, pairs: list[tuple[str, str]], given: bool) -> tuple[Path, Path]:
    """One document per matched pair; predictions declare spans/relations given if ``given``."""
    gold = [stance_doc(f"d{i}", g) for i, (g, _) in enumerate(pairs)]
    pred = [stance_doc(f"d{i}", p) for i, (_, p) in enumerate(pairs)]
    if given:
        layers = ["spans", "relations", "doc_labels"]
        pred = [msgspec.structs.replace(d, meta=declare_layers(d.meta, layers)) for d in pred]
    return write_pair(tmp_path, gold, pred)


# -- item 18: a macro average counts the point estimate's classes in every replicate ----------
def test_replicate_lacking_a_class_counts_it_as_zero() -> None:
    # Point: favor->favor x2, against->favor, against->against.
    # favor: P 2/3, R 1 -> F1 0.8; against: P 1, R 1/2 -> F1 2/3; macro (0.8 + 2/3) / 2.
    point = totals([("favor", "favor")] * 2 + [("against", "favor"), ("against", "against")])
    assert compute_metrics(point, LAYOUT)["stance.polarity.macro_f1"] == np.float64(
        (0.8 + 2 / 3) / 2
    )
    # A replicate that drew only the two easy documents (twice each): favor F1 1, no against.
    rep = totals([("favor", "favor")] * 4)
    assert compute_metrics(rep, LAYOUT)["stance.polarity.macro_f1"] == 1.0  # the old rule
    classes = class_sets(point, LAYOUT)
    assert classes["stance.polarity.macro_f1"].tolist() == [True, True, False]
    fixed = compute_metrics(rep, LAYOUT, classes)
    assert fixed["stance.polarity.macro_f1"] == 0.5  # (1 + 0) / 2
    assert fixed["stance.polarity.f_avg"] == 0.5


def test_point_estimate_is_unchanged_by_its_own_class_set() -> None:
    point = totals([("favor", "against"), ("neutral", "neutral"), ("against", "against")])
    plain = compute_metrics(point, LAYOUT)
    same = compute_metrics(point, LAYOUT, class_sets(point, LAYOUT))
    for name, value in plain.items():
        np.testing.assert_array_equal(value, same[name], err_msg=name)


pair = st.tuples(st.sampled_from(POLS), st.sampled_from(POLS))


@settings(max_examples=60, deadline=None)
@given(st.lists(pair, min_size=1, max_size=12), st.data())
def test_replicate_macro_f1_is_sklearns_over_the_point_classes(points, data) -> None:
    """A resample's macro-F1 equals scikit-learn's with the point estimate's labels fixed."""
    picks = data.draw(st.lists(st.integers(0, len(points) - 1), min_size=1, max_size=12))
    rep = [points[i] for i in picks]
    classes = class_sets(totals(points), LAYOUT)
    ours = compute_metrics(totals(rep), LAYOUT, classes)["stance.polarity.macro_f1"]
    labels = [p for p in POLS if any(p in x for x in points)]
    y_true, y_pred = zip(*rep, strict=True)
    theirs = f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)
    assert abs(float(ours) - theirs) < 1e-12


@settings(max_examples=25, deadline=None)
@given(st.lists(pair, min_size=6, max_size=30))
def test_point_estimate_lies_in_the_interval(tmp_path_factory, pairs) -> None:
    """Documents as the unit: the bootstrap interval brackets the point estimate."""
    tmp = tmp_path_factory.mktemp("pairs")
    result = score(*stance_files(tmp, pairs, given=False), bootstrap=200, seed=3)
    for name in ("stance.polarity.macro_f1", "stance.polarity.f_avg"):
        value, (low, high) = result.values[name], result.intervals[name]
        if value is None:
            continue
        assert low is not None and high is not None
        assert low - 1e-9 <= value <= high + 1e-9, (name, low, value, high)


# -- issue 17 item 5: the majority-class baseline ---------------------------------------------
BASELINE_PAIRS = [("favor", "favor")] * 2 + [("favor", "against"), ("against", "favor")]


def test_majority_baseline_by_hand(tmp_path: Path) -> None:
    # Gold: favor 3, against 1 -> the baseline says favor for all 4 pairs.
    # Baseline favor: P 3/4, R 1 -> F1 6/7; against F1 0 -> macro 3/7, F_avg 3/7, accuracy 3/4.
    # Model favor: P 2/3, R 2/3 -> F1 2/3; against: P 0, R 0 -> 0; macro 1/3: no better.
    result = score(*stance_files(tmp_path, BASELINE_PAIRS, given=False), bootstrap=100)
    out = result.to_dict()["stance"]
    base = out["majority_baseline"]
    assert base["polarity"] == "favor"
    assert abs(base["macro_f1"] - 3 / 7) < 1e-12 and abs(base["f_avg"] - 3 / 7) < 1e-12
    assert base["accuracy"] == 0.75
    assert abs(out["polarity"]["macro_f1"] - 1 / 3) < 1e-12
    assert base["model_better"] == {"macro_f1": False, "f_avg": False}
    md = to_markdown(result)
    assert "(majority baseline 0.429, NO BETTER than the baseline)" in md
    assert "predict favor (the most frequent gold polarity)" in md
    json.dumps(result.to_dict(), allow_nan=False)


def test_a_perfect_model_beats_the_baseline(tmp_path: Path) -> None:
    pairs = [(p, p) for p in ("favor", "against", "favor", "favor", "against", "neutral")]
    result = score(*stance_files(tmp_path, pairs, given=False), bootstrap=0)
    assert result.to_dict()["stance"]["majority_baseline"]["model_better"] == {
        "macro_f1": True,
        "f_avg": True,
    }
    assert "NO BETTER" not in to_markdown(result)


# -- issue 15 item 4: layers given, not predicted ---------------------------------------------
def test_given_spans_leave_the_headline(tmp_path: Path) -> None:
    g, p = stance_files(tmp_path, BASELINE_PAIRS, given=True)
    result = score(g, p, bootstrap=20)
    assert result.meta["given_layers"] == ["spans", "relations", "doc_labels"]
    md = to_markdown(result)
    assert "Spans given, not predicted" in md
    assert "## Spans" not in md and "## Relations" not in md and "## Attributes" not in md
    assert md.split("\n## ")[1].startswith("Stance")  # the stance section comes first
    page = to_html(result)
    assert "Spans given, not predicted" in page and "data:image/png" not in page
    out = result.to_dict()
    assert out["spans"]["micro"]["strict"]["f1"] == 1.0  # keys stay, for old readers
    assert out["meta"]["given_layers"] == ["spans", "relations", "doc_labels"]
    assert out["meta"]["notes"][0].startswith("spans given, not predicted")


def test_cli_summary_says_spans_given(tmp_path: Path) -> None:
    g, p = stance_files(tmp_path, BASELINE_PAIRS, given=True)
    res = CliRunner().invoke(
        app, ["score", str(g), str(p), "-o", str(tmp_path / "r.json"), "--bootstrap", "20"]
    )
    assert res.exit_code == 0, res.output
    line = res.stderr.strip()
    assert "strict span F1" not in line
    assert line.startswith("scored 4 documents: spans given, not predicted; polarity macro-F1 ")
    assert "(majority baseline 0.429, no better)" in line


def test_predicted_spans_keep_the_span_headline(tmp_path: Path) -> None:
    g, p = stance_files(tmp_path, BASELINE_PAIRS, given=False)
    assert given_layers(p) == []
    res = CliRunner().invoke(
        app, ["score", str(g), str(p), "-o", str(tmp_path / "r.md"), "-f", "md"]
    )
    assert res.stderr.startswith("scored 4 documents: strict span F1 1.000; polarity macro-F1")
    assert "## Spans (micro)" in (tmp_path / "r.md").read_text(encoding="utf-8")


def test_a_layer_is_given_only_when_every_document_says_so(tmp_path: Path) -> None:
    g, p = stance_files(tmp_path, BASELINE_PAIRS, given=True)
    lines = p.read_text(encoding="utf-8").splitlines()
    mixed = json.loads(lines[2])
    mixed["meta"] = declare_layers({}, ["doc_labels"])
    lines[2] = json.dumps(mixed)
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert given_layers(p) == ["doc_labels"]
    assert "## Spans (micro)" in to_markdown(score(g, p, bootstrap=0))
