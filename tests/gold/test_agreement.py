"""Agreement on the hand-worked fixture of conftest.py, plus properties and input errors.

Expected figures are worked out by hand from the table in conftest.py's docstring:

strict spans, per pair (|A∩B|, |A|, |B|) summed over shared articles:
    alice/bob   d1 (3, 4, 4) + d2 (4, 4, 4) -> 2*7/16 = 0.875
    alice/carol d1 (2, 4, 3)               -> 4/7
    bob/carol   d1 (1, 4, 3)               -> 2/7
overlap spans (one-to-one): alice/bob 8 of (8, 8) -> 1.0; alice/carol 3 of (4, 3) -> 6/7;
    bob/carol 3 of (4, 3) -> 6/7
relations (strict): alice/bob d1 (2, 3, 2) + d2 (1, 1, 1) -> 6/7; alice/carol (1, 3, 1) -> 0.5;
    bob/carol (0, 2, 1) -> 0
"""

from __future__ import annotations

import warnings
from pathlib import Path

import krippendorff
import msgspec
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from backchannel.annotation.agreement.agree import agreement, compute_agreement
from backchannel.annotation.annotation_set import group_documents
from backchannel.documents import Document, Span
from backchannel.errors import DocumentError
from backchannel.spans import overlap_matches


@pytest.fixture
def report(annotations_path: Path):
    return agreement(annotations_path, resamples=200, seed=0)


def _pair(report, a: str, b: str):
    return next(p for p in report.pairs if p.annotators == [a, b])


def test_pairwise_strict_f1_hand_worked(report) -> None:
    assert _pair(report, "alice", "bob").strict.f1 == pytest.approx(0.875)
    assert _pair(report, "alice", "carol").strict.f1 == pytest.approx(4 / 7)
    assert _pair(report, "bob", "carol").strict.f1 == pytest.approx(2 / 7)
    ab = _pair(report, "alice", "bob").strict
    assert (ab.matched, ab.a, ab.b) == (7, 8, 8)
    assert report.overall.strict.f1 == pytest.approx((0.875 + 4 / 7 + 2 / 7) / 3)
    assert report.overall.strict.pairs == 3


def test_pairwise_overlap_f1_hand_worked(report) -> None:
    assert _pair(report, "alice", "bob").overlap.f1 == pytest.approx(1.0)
    assert _pair(report, "alice", "carol").overlap.f1 == pytest.approx(6 / 7)
    assert _pair(report, "bob", "carol").overlap.f1 == pytest.approx(6 / 7)
    assert report.overall.overlap.f1 == pytest.approx((1 + 12 / 7) / 3)


def test_per_label_hand_worked(report) -> None:
    # ACTOR strict: alice/bob d1 (1,2,2) + d2 (2,2,2) -> 0.75; alice/carol (1,2,2) -> 0.5;
    # bob/carol (0,2,2) -> 0
    assert report.per_label["ACTOR"].strict.f1 == pytest.approx((0.75 + 0.5 + 0) / 3)
    # VENUE: only alice/bob share d2, both marked Istanbul; other pairs have no VENUE at all
    assert report.per_label["VENUE"].strict.f1 == 1.0
    assert report.per_label["VENUE"].strict.pairs == 1
    assert list(report.per_label) == ["ACTOR", "CHANNEL", "VENUE", "ISSUE"]


def test_relations_and_stance_hand_worked(report) -> None:
    assert _pair(report, "alice", "bob").relations.f1 == pytest.approx(6 / 7)
    assert _pair(report, "alice", "carol").relations.f1 == pytest.approx(0.5)
    assert _pair(report, "bob", "carol").relations.f1 == pytest.approx(0.0)
    assert report.relations.strict.f1 == pytest.approx((6 / 7 + 0.5) / 3)
    assert report.relations.per_label["HELD_AT"].f1 is None
    assert report.stance is not None
    assert report.stance.strict.f1 == 1.0  # both marked Moscow -> Kyiv
    assert report.stance.polarity.n == 1  # ... with different polarities
    assert report.stance.polarity.krippendorff_alpha == pytest.approx(0.0)


def _sk(a: list[str], b: list[str]) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(cohen_kappa_score(a, b))


def test_attribute_agreement_matches_reference_packages(report) -> None:
    # ACTOR.actor_kind units (spans marked identically by >= 2 annotators), in text order:
    #   d1 "President Anna Reyes": alice person, carol role; d1 "the Kremlin": alice, bob
    #   government; d2 Moscow: state, state; d2 Kyiv: alice state, bob government.
    actor_kind = report.attributes["ACTOR.actor_kind"]
    assert actor_kind.n == 4
    codes = {"person": 0, "role": 1, "government": 2, "state": 3}
    nan = np.nan
    data = np.array(
        [
            [codes["person"], codes["government"], codes["state"], codes["state"]],
            [nan, codes["government"], codes["state"], codes["government"]],
            [codes["role"], nan, nan, nan],
        ]
    )
    ref_alpha = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert actor_kind.krippendorff_alpha == pytest.approx(ref_alpha)
    k_ab = _sk(["government", "state", "state"], ["government", "state", "government"])
    k_ac = _sk(["person"], ["role"])
    assert actor_kind.cohen_kappa == pytest.approx((k_ab + k_ac) / 2)
    pairs = {tuple(p.annotators): (p.cohen_kappa, p.n) for p in actor_kind.pairs}
    assert pairs[("alice", "bob")] == (pytest.approx(k_ab), 3)
    assert ("bob", "carol") not in pairs  # they share no identically marked ACTOR


def test_unset_attribute_uses_schema_default(report) -> None:
    # nobody set ACTOR.metonymy; its default "no" makes every unit agree: alpha undefined
    metonymy = report.attributes["ACTOR.metonymy"]
    assert metonymy.n == 4
    assert metonymy.values == ["no"]
    assert metonymy.krippendorff_alpha is None
    assert report.attributes["ACTOR.sector"].n == 0  # no default, never set


def test_attribute_keys_come_from_the_schema(report, diplomacy) -> None:
    expected = [f"{lab}.{a}" for lab, d in diplomacy.spans.items() for a in d.attributes]
    expected += [f"{lab}.{a}" for lab, d in diplomacy.relations.items() for a in d.attributes]
    assert list(report.attributes) == expected


def test_doc_label_agreement(report) -> None:
    relevant = report.doc_labels["relevant"]
    # d1: yes, yes, no; d2: yes, yes -> 2 units
    assert relevant.n == 2
    data = np.array([[0, 0], [0, 0], [1, np.nan]], dtype=float)
    assert relevant.krippendorff_alpha == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    )
    assert report.doc_labels["framing"].n == 0


def test_disagreement_list(report) -> None:
    kinds = [(d.doc_id, d.kind, d.attribute) for d in report.disagreements]
    # "President Anna Reyes", "Anna Reyes", "the Kremlin", "Kremlin", "the grain deal"
    assert kinds.count(("d1", "span", None)) == 5
    assert ("d1", "doc_label", "relevant") in kinds
    assert ("d2", "relation_attribute", "STANCE.polarity") in kinds
    assert ("d2", "span_attribute", "ACTOR.actor_kind") in kinds
    issue = next(d for d in report.disagreements if d.item.startswith("ISSUE"))
    assert issue.values == {"alice": "marked", "bob": "marked", "carol": None}
    anna = next(d for d in report.disagreements if d.item == 'ACTOR [10,20) "Anna Reyes"')
    # non-markers see what they marked instead
    assert anna.values["alice"] == 'ACTOR [0,20) "President Anna Reyes"'
    assert all(d.doc_id != "d3" for d in report.disagreements)
    starts = [d.start or -1 for d in report.disagreements if d.doc_id == "d1"]
    assert starts == sorted(starts)


def test_counts_documents(report) -> None:
    assert report.documents == 2
    assert report.single_annotator_documents == 1
    assert report.annotators == ["alice", "bob", "carol"]


def test_json_has_the_documented_keys(report) -> None:
    data = msgspec.to_builtins(report)
    for key in ("overall", "per_label", "pairs", "attributes", "relations", "stance"):
        assert key in data
    assert "disagreements" in data
    assert all("annotators" in p for p in data["pairs"])
    for value in data["attributes"].values():
        assert {"cohen_kappa", "krippendorff_alpha", "n"} <= set(value)


def test_bootstrap_interval_brackets_estimate(report) -> None:
    s = report.overall.strict
    assert s.ci_low is not None and s.ci_high is not None
    assert s.ci_low <= s.f1 <= s.ci_high


def test_same_seed_same_report(annotations_path: Path) -> None:
    a = agreement(annotations_path, resamples=100, seed=5)
    b = agreement(annotations_path, resamples=100, seed=5)
    assert msgspec.json.encode(a) == msgspec.json.encode(b)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([(0, 10)], [(0, 3), (5, 8)], 1),  # one long span never matches twice
        ([(0, 3), (5, 8)], [(0, 10)], 1),
        ([(0, 5), (4, 9)], [(4, 5), (0, 2)], 2),  # greedy on the first would pair (0,5)-(4,5)
        ([(0, 2)], [(2, 4)], 0),  # half-open: touching is not overlapping
        ([], [(0, 1)], 0),
    ],
)
def test_overlap_matching_is_one_to_one_and_maximal(a, b, expected) -> None:
    assert overlap_matches(a, b) == expected


def test_missing_annotator_is_an_error(write, kit) -> None:
    path = write([Document(id="x", text="Hi", spans=[])])
    with pytest.raises(DocumentError, match="no 'annotator'") as exc:
        agreement(path, resamples=0)
    assert exc.value.doc_id == "x"
    assert exc.value.path == str(path)


def test_different_texts_are_an_error(write) -> None:
    path = write(
        [Document(id="x", text="Hi", annotator="a"), Document(id="x", text="Ho", annotator="b")]
    )
    with pytest.raises(DocumentError, match="different text"):
        agreement(path, resamples=0)


def test_same_annotator_twice_names_the_line(write) -> None:
    path = write([Document(id="x", text="Hi", annotator="a")] * 2)
    with pytest.raises(DocumentError) as exc:
        agreement(path, resamples=0)
    assert exc.value.line == 2


# -- properties ----------------------------------------------------------------------------------
TEXT = "abcdefghijklmnopqrstuvwxyz"
LABELS = ["ACTOR", "CHANNEL", "VENUE", "ISSUE"]
span_st = st.tuples(st.integers(0, 24), st.integers(1, 6), st.sampled_from(LABELS))
ann_st = st.lists(
    st.lists(span_st, max_size=6), min_size=2, max_size=4
)  # one list of spans per annotator


def _docs(per_annotator: list[list[tuple[int, int, str]]], names: list[str]) -> list[Document]:
    docs = []
    for name, spans in zip(names, per_annotator, strict=True):
        out = []
        for i, (s, length, label) in enumerate(spans):
            out.append(Span(id=f"s{i}", start=s, end=min(s + length, len(TEXT)), label=label))
        docs.append(Document(id="d", text=TEXT, annotator=name, spans=out))
    return docs


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(per_annotator=ann_st)
def test_agreement_is_symmetric_in_annotator_names_and_bounded(per_annotator, diplomacy) -> None:
    names = [f"a{i}" for i in range(len(per_annotator))]
    fwd = compute_agreement(group_documents(_docs(per_annotator, names)), diplomacy, resamples=0)
    rev = compute_agreement(
        group_documents(_docs(per_annotator, names[::-1])), diplomacy, resamples=0
    )
    for mode in ("strict", "overlap"):
        x = getattr(fwd.overall, mode).f1
        y = getattr(rev.overall, mode).f1
        assert (x is None and y is None) or x == pytest.approx(y)
        assert x is None or 0.0 <= x <= 1.0
    if fwd.overall.strict.f1 is not None:
        assert fwd.overall.strict.f1 <= fwd.overall.overlap.f1 + 1e-12


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spans=st.lists(span_st, min_size=1, max_size=6), n=st.integers(2, 4))
def test_identical_annotators_agree_perfectly(spans, n, diplomacy) -> None:
    names = [f"a{i}" for i in range(n)]
    rep = compute_agreement(group_documents(_docs([spans] * n, names)), diplomacy, resamples=0)
    assert rep.overall.strict.f1 == 1.0
    assert rep.overall.overlap.f1 == 1.0
    assert rep.disagreements == []


def test_disagreements_follow_the_file_order_of_articles(write, kit) -> None:
    docs = kit.annotations()
    reordered = docs[3:5] + docs[:3]  # d2 first, then d1
    rep = agreement(write(reordered), resamples=0)
    assert [d.doc_id for d in rep.disagreements][:2] == ["d2", "d2"]
    assert rep.disagreements[-1].doc_id == "d1"
