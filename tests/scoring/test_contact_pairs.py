"""Contact-pair scoring, cross-checked by hand on two small documents.

Document A: "Prime Minister Alan Hartley phoned Taras Koval on Monday. Later Hartley met Claire
Mercier in Paris."  The gold has two contacts: Hartley-Koval (phoned) and Hartley-Mercier (met).
The prediction finds the call through other mentions ("Hartley" for the prime minister: the
same actor) and pairs Hartley with "Paris" (the French government) instead of Mercier.

Document B: "Washington and Tehran held talks."  The gold pairs the two governments; the
prediction finds nothing.

By hand, actor pairs: A has tp 1 (Hartley-Koval), fp 1 (Hartley-Government of France), fn 1
(Hartley-Mercier); B has fn 1.  Totals tp 1, fp 1, fn 2: precision 1/2, recall 1/3,
F1 = 2 * 1 / (2 * 1 + 1 + 2) = 0.4.
Country pairs: A's gold pairs are GBR-UKR and FRA-GBR; the prediction's are GBR-UKR and
FRA-GBR too (Paris is French): tp 2.  B: fn 1 (IRN-USA).  Precision 1, recall 2/3, F1 0.8.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.annotation.export.event_records import contact_pairs
from backchannel.documents import Document, Relation, Span, write_documents
from backchannel.eval.scoring.contacts import contact_pair_counts, contact_pair_figures
from backchannel.eval.scoring.report import to_markdown
from backchannel.eval.scoring.scorer import score
from backchannel.schema import load_schema

A = (
    "Prime Minister Alan Hartley phoned Taras Koval on Monday. "
    "Later Hartley met Claire Mercier in Paris."
)
B = "Washington and Tehran held talks."


def span(text: str, surface: str, sid: str, label: str, nth: int = 0, **attrs: str) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Span(id=sid, start=start, end=start + len(surface), label=label, attrs=attrs)


def person(text: str, surface: str, sid: str, country: str, nth: int = 0) -> Span:
    return span(text, surface, sid, "ACTOR", nth, actor_kind="person", country=country)


def channel(text: str, surface: str, sid: str, kind: str) -> Span:
    return span(text, surface, sid, "CHANNEL", channel_kind=kind, modality="actual")


def part(channel_id: str, actor_id: str) -> Relation:
    return Relation(
        head=channel_id, tail=actor_id, label="PARTICIPANT", attrs={"role": "participant"}
    )


def gold_docs() -> list[Document]:
    a = Document(
        id="A",
        text=A,
        spans=[
            person(A, "Prime Minister Alan Hartley", "h1", "GBR"),
            channel(A, "phoned", "c1", "phone_call"),
            person(A, "Taras Koval", "k1", "UKR"),
            person(A, "Hartley", "h2", "GBR", nth=1),
            channel(A, "met", "c2", "meeting"),
            person(A, "Claire Mercier", "m1", "FRA"),
        ],
        relations=[part("c1", "h1"), part("c1", "k1"), part("c2", "h2"), part("c2", "m1")],
    )
    b = Document(
        id="B",
        text=B,
        spans=[
            span(
                B,
                "Washington",
                "w",
                "ACTOR",
                actor_kind="government",
                country="USA",
                metonymy="yes",
            ),
            span(B, "Tehran", "t", "ACTOR", actor_kind="government", country="IRN", metonymy="yes"),
            channel(B, "talks", "c1", "talks"),
        ],
        relations=[part("c1", "w"), part("c1", "t")],
    )
    return [a, b]


def predicted_docs() -> list[Document]:
    a = Document(
        id="A",
        text=A,
        spans=[
            person(A, "Hartley", "p1", "GBR"),  # inside "Prime Minister Alan Hartley"
            channel(A, "phoned", "p2", "phone_call"),
            person(A, "Taras Koval", "p3", "UKR"),
            person(A, "Hartley", "p4", "GBR", nth=1),
            channel(A, "met", "p5", "meeting"),
            span(A, "Paris", "p6", "ACTOR", actor_kind="government", country="FRA", metonymy="yes"),
        ],
        relations=[part("p2", "p1"), part("p2", "p3"), part("p5", "p4"), part("p5", "p6")],
    )
    return [a, Document(id="B", text=B)]


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    gold, pred = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    write_documents(gold_docs(), gold)
    write_documents(predicted_docs(), pred)
    return gold, pred


def test_pairs_of_one_document_by_hand() -> None:
    schema = load_schema()
    gold_a, pred_a = gold_docs()[0], predicted_docs()[0]
    assert len(contact_pairs(gold_a, schema)) == 2
    assert contact_pairs(gold_a, schema, level="country") == {("GBR", "UKR"), ("FRA", "GBR")}
    assert contact_pairs(pred_a, schema, level="country") == {("GBR", "UKR"), ("FRA", "GBR")}
    assert len(contact_pairs(gold_a, schema) & contact_pairs(pred_a, schema)) == 1


def test_counts_and_figures_by_hand(files: tuple[Path, Path]) -> None:
    rows = contact_pair_counts(*files, load_schema())
    # columns: actor tp, fp, fn, then country tp, fp, fn; rows: documents A, B
    assert rows.tolist() == [[1, 1, 1, 2, 0, 0], [0, 0, 1, 0, 0, 1]]
    values, intervals = contact_pair_figures(rows, bootstrap=200, seed=13)
    assert values["contacts.actor_pairs.precision"] == pytest.approx(1 / 2)
    assert values["contacts.actor_pairs.recall"] == pytest.approx(1 / 3)
    assert values["contacts.actor_pairs.f1"] == pytest.approx(0.4)
    assert values["contacts.country_pairs.precision"] == pytest.approx(1.0)
    assert values["contacts.country_pairs.recall"] == pytest.approx(2 / 3)
    assert values["contacts.country_pairs.f1"] == pytest.approx(0.8)
    lo, hi = intervals["contacts.actor_pairs.f1"]
    assert lo is not None and hi is not None and lo <= 0.4 <= hi


def test_score_reports_contact_pairs_in_json_and_markdown(files: tuple[Path, Path]) -> None:
    result = score(*files, bootstrap=100)
    data = json.loads(json.dumps(result.to_dict()))
    actor = data["contacts"]["actor_pairs"]
    assert actor["f1"] == pytest.approx(0.4)
    assert actor["ci_low"] <= actor["f1"] <= actor["ci_high"]
    assert (actor["tp"], actor["fp"], actor["fn"], actor["gold"], actor["predicted"]) == (
        1,
        1,
        2,
        3,
        2,
    )
    assert data["contacts"]["country_pairs"]["f1"] == pytest.approx(0.8)
    md = to_markdown(result)
    assert "## Who talks to whom (contact pairs)" in md
    assert "| actors | 3 | 2 | 1 | 0.500" in md
    assert "| countries | 3 | 2 | 2 | 1.000" in md


def test_a_missing_prediction_misses_every_gold_pair(tmp_path: Path) -> None:
    gold, pred = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    write_documents(gold_docs(), gold)
    write_documents(predicted_docs()[:1], pred)
    rows = contact_pair_counts(gold, pred, load_schema(), allow_missing=True)
    assert rows[1].tolist() == [0, 0, 1, 0, 0, 1]


def test_compare_tests_the_contact_pair_difference(files: tuple[Path, Path]) -> None:
    from backchannel.eval.scoring.scorer import compare

    gold, pred = files
    result = compare(gold, pred, gold, bootstrap=100, permutations=100)  # b: the gold itself
    row = result.rows["contacts.actor_pairs.f1"]
    assert (row["a"], row["b"]) == (pytest.approx(0.4), 1.0)
    assert row["delta"] == pytest.approx(0.6)
    assert 0 < row["p_randomisation"] <= 1
    assert result.rows["contacts.country_pairs.f1"]["delta"] == pytest.approx(0.2)


@settings(max_examples=50, deadline=None)
@given(
    counts=st.lists(
        st.lists(st.integers(min_value=0, max_value=6), min_size=6, max_size=6),
        min_size=1,
        max_size=12,
    )
)
def test_figures_follow_the_counts(counts: list[list[int]]) -> None:
    import numpy as np

    rows = np.asarray(counts, dtype=np.int64)
    values, intervals = contact_pair_figures(rows, bootstrap=50, seed=1)
    for k, level in enumerate(("actor_pairs", "country_pairs")):
        tp, fp, fn = (int(rows[:, 3 * k + j].sum()) for j in range(3))
        f1 = values[f"contacts.{level}.f1"]
        assert f1 == (pytest.approx(2 * tp / (2 * tp + fp + fn)) if tp + fp + fn else None)
        p = values[f"contacts.{level}.precision"]
        assert p == (pytest.approx(tp / (tp + fp)) if tp + fp else None)
        assert values[f"contacts.{level}.gold"] == tp + fn
        lo, hi = intervals[f"contacts.{level}.f1"]
        if lo is not None:
            assert 0.0 <= lo <= hi <= 1.0


GOLD = Path(__file__).resolve().parents[2] / "corpora" / "diplomacy" / "gold.jsonl"


@settings(max_examples=15, deadline=None)
@given(index=st.integers(min_value=0, max_value=41), seed=st.integers(0, 2**16))
def test_pairs_do_not_depend_on_span_ids_or_order(index: int, seed: int) -> None:
    import random

    from backchannel.documents import read_documents

    doc = list(read_documents(GOLD))[index]
    rename = {s.id: f"x{seed}-{s.id}" for s in doc.spans}
    spans = [
        Span(id=rename[s.id], start=s.start, end=s.end, label=s.label, attrs=s.attrs)
        for s in doc.spans
    ]
    random.Random(seed).shuffle(spans)
    relations = [
        Relation(head=rename[r.head], tail=rename[r.tail], label=r.label, attrs=r.attrs)
        for r in doc.relations
    ]
    other = Document(id=doc.id, text=doc.text, spans=spans, relations=relations)
    schema = load_schema()
    for level in ("actor", "country"):
        assert contact_pairs(other, schema, level=level) == contact_pairs(doc, schema, level=level)
