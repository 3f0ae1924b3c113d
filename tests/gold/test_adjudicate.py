"""Adjudication of the hand-worked fixture (see conftest.py) into gold and a review list."""

from __future__ import annotations

from pathlib import Path

import pytest

from backchannel.annotation.annotation_set import group_documents
from backchannel.annotation.gold.adjudicate import adjudicate, adjudicate_file
from backchannel.annotation.gold.review_list import read_review
from backchannel.documents import Document, Provenance, read_documents
from backchannel.errors import InputError


@pytest.fixture
def result(kit, diplomacy):
    return adjudicate(group_documents(kit.annotations()), diplomacy, min_votes=2)


def _gold(result, doc_id: str) -> Document:
    return next(d for d in result.gold if d.id == doc_id)


def _spans(doc: Document) -> dict[str, tuple[str, dict[str, str], list[str]]]:
    return {
        doc.text[s.start : s.end]: (s.label, s.attrs, s.provenance.annotators) for s in doc.spans
    }


def test_majority_spans_go_to_gold_with_provenance(result) -> None:
    d1 = _gold(result, "d1")
    assert _spans(d1) == {
        # actor_kind: alice person vs carol role -> a tie, left out and sent to review
        "President Anna Reyes": ("ACTOR", {"country": "PHL"}, ["alice", "carol"]),
        # modality: actual (alice, bob) beats planned (carol)
        "phoned": (
            "CHANNEL",
            {"channel_kind": "phone_call", "modality": "actual"},
            ["alice", "bob", "carol"],
        ),
        "the Kremlin": ("ACTOR", {"actor_kind": "government"}, ["alice", "bob"]),
        "the grain deal": ("ISSUE", {}, ["alice", "bob"]),
    }
    assert d1.spans[0].provenance == Provenance(
        annotators=["alice", "carol"], method="majority", votes=3
    )
    assert d1.annotator is None
    assert d1.doc_labels == {"relevant": "yes"}  # yes 2, no 1
    assert d1.provenance["relevant"].annotators == ["alice", "bob"]


def test_relations_only_between_gold_spans(result) -> None:
    d1 = _gold(result, "d1")
    ids = {s.id: d1.text[s.start : s.end] for s in d1.spans}
    rels = {(ids[r.head], ids[r.tail], r.label): r.attrs for r in d1.relations}
    assert rels == {
        ("phoned", "President Anna Reyes", "PARTICIPANT"): {"role": "initiator"},
        ("phoned", "the Kremlin", "PARTICIPANT"): {"role": "recipient"},
        ("phoned", "the grain deal", "ABOUT"): {},
    }


def test_review_list_has_candidates_and_proposers(result) -> None:
    items = {(i.doc_id, i.kind, i.attribute): i for i in result.review}
    tie = items[("d1", "span_attribute", "actor_kind")]
    assert [(c.value, c.annotators) for c in tie.candidates] == [
        ("person", ["alice"]),
        ("role", ["carol"]),
    ]
    assert tie.span is not None and tie.span.id == _gold(result, "d1").spans[0].id
    minority = [i for i in result.review if i.kind == "span" and i.doc_id == "d1"]
    assert sorted(i.span.text for i in minority) == ["Anna Reyes", "Kremlin"]
    anna = next(i for i in minority if i.span.text == "Anna Reyes")
    assert anna.reason == "1 of 3 votes (2 needed)"
    assert [(c.value, c.annotators) for c in anna.candidates] == [
        ("present", ["bob"]),
        ("absent", ["alice", "carol"]),
    ]
    assert anna.candidates[0].attrs == {"actor_kind": "person", "country": "PHL"}
    polarity = items[("d2", "relation_attribute", "polarity")]
    assert {c.value for c in polarity.candidates} == {"against", "neutral"}
    assert polarity.head_span.text == "Moscow" and polarity.tail_span.text == "Kyiv"


def test_single_annotator_article_goes_to_review_only(result) -> None:
    assert [d.id for d in result.gold] == ["d1", "d2"]
    d3 = [i for i in result.review if i.doc_id == "d3"]
    assert {i.kind for i in d3} == {"span", "doc_label"}


def test_relation_whose_span_is_not_gold_goes_to_review(kit, diplomacy) -> None:
    sp, rel, T2 = kit.sp, kit.rel, kit.T2

    def doc(who: str, moscow: str) -> Document:
        return Document(
            id="x",
            text=T2,
            annotator=who,
            spans=[sp(T2, moscow, "m", "ACTOR"), sp(T2, "talks", "t", "CHANNEL")],
            relations=[rel("t", "m", "PARTICIPANT", role="participant")],
        )

    # the PARTICIPANT relation has 2 votes, but its ACTOR end only one each: not gold
    out = adjudicate(group_documents([doc("a", "Moscow"), doc("b", "Moscow and Kyiv")]), diplomacy)
    assert out.gold[0].relations == []
    rel_items = [i for i in out.review if i.kind == "relation"]
    assert len(rel_items) == 2
    assert all("1 of 2" in i.reason for i in rel_items)
    out2 = adjudicate(
        group_documents([doc("a", "Moscow"), doc("b", "Moscow"), doc("c", "Kyiv")]), diplomacy
    )
    assert len(out2.gold[0].relations) == 1


def test_min_votes_three(kit, diplomacy) -> None:
    out = adjudicate(group_documents(kit.annotations()), diplomacy, min_votes=3)
    # only "phoned" has three votes; d2 has two annotators and cannot reach three
    assert [d.id for d in out.gold] == ["d1"]
    assert [out.gold[0].text[s.start : s.end] for s in out.gold[0].spans] == ["phoned"]
    # modality actual has only 2 votes < 3: to review
    assert "modality" not in out.gold[0].spans[0].attrs
    assert "relevant" not in out.gold[0].doc_labels


def test_min_votes_below_one_is_refused(kit, diplomacy) -> None:
    with pytest.raises(InputError, match="at least 1"):
        adjudicate(group_documents(kit.annotations()), diplomacy, min_votes=0)


def test_adjudicate_file_writes_version_and_review(annotations_path: Path, tmp_path: Path) -> None:
    out = adjudicate_file(annotations_path, tmp_path / "gold")
    assert out.written.created
    assert Path(out.gold_path).name == "v0001.jsonl"
    gold = list(read_documents(out.gold_path, unique=True))
    assert [d.id for d in gold] == ["d1", "d2"]
    review = list(read_review(out.review_path))
    assert len(review) == out.counts["review_items"]
    assert out.counts["spans"] == 8
    m = out.written.manifest
    assert m.inputs[0].annotators == ["alice", "bob", "carol"]
    assert m.inputs[0].documents == 6
    assert m.min_votes == 2 and m.parent is None


def test_review_ids_are_stable(kit, diplomacy) -> None:
    a = adjudicate(group_documents(kit.annotations()), diplomacy)
    b = adjudicate(group_documents(kit.annotations()[::-1]), diplomacy)
    assert sorted(i.id for i in a.review) == sorted(i.id for i in b.review)


@pytest.mark.parametrize(
    ("values", "min_votes", "expected"),
    [
        (["a", "a", "b"], 2, ("a", True)),
        (["a", "b"], 2, (None, False)),  # tie
        (["a", "a"], 3, (None, False)),  # unanimous but too few votes
        (["a", None, None], 2, (None, False)),  # one vote; unset is not a vote
        ([None, None], 2, (None, True)),  # nobody set it: nothing to decide
        (["a", "a", "b", "b", "c"], 2, (None, False)),
        (["b"], 1, ("b", True)),
    ],
)
def test_majority_rule(values, min_votes, expected) -> None:
    from backchannel.annotation.gold.adjudicate import _majority

    assert _majority(values, min_votes) == expected
