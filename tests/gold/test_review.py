"""The review round trip: tasks with per-annotator candidates, and merging decisions into gold.

The offline tests check the Documents built for Label Studio and the merge; the studio test
runs the whole round trip against a real Label Studio server.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backchannel.annotation.annotation_set import group_documents
from backchannel.annotation.gold.adjudicate import adjudicate, adjudicate_file
from backchannel.annotation.gold.review import merge_decisions, review_tasks
from backchannel.annotation.gold.versions import list_versions, verify_version
from backchannel.documents import Document, Span, read_documents
from backchannel.errors import GoldError


@pytest.fixture
def adjudicated(kit, diplomacy):
    aset = group_documents(kit.annotations())
    return aset, adjudicate(aset, diplomacy)


def test_review_tasks_show_gold_and_who_proposed_what(adjudicated) -> None:
    aset, adj = adjudicated
    tasks = dict(
        (t.id, (t, preds)) for t, preds in review_tasks(aset, adj.gold, adj.review, "v0001")
    )
    assert list(tasks) == ["d1", "d2", "d3"]
    task, preds = tasks["d1"]
    assert task.spans == [] and task.annotator is None
    versions = [p.annotation.model_version for p in preds]
    assert versions == ["gold v0001", "proposed by alice", "proposed by bob", "proposed by carol"]
    by = {p.annotation.model_version: p for p in preds}
    gold_pred = by["gold v0001"]
    assert len(gold_pred.spans) == 4 and all(s.provenance is None for s in gold_pred.spans)
    # bob proposed "Anna Reyes" (a minority span); his spans under review only
    bob = by["proposed by bob"]
    assert [task.text[s.start : s.end] for s in bob.spans] == ["Anna Reyes"]
    # alice and carol disagree on actor_kind of "President Anna Reyes": both show their value
    carol = by["proposed by carol"]
    carol_spans = {task.text[s.start : s.end]: s.attrs for s in carol.spans}
    assert carol_spans["President Anna Reyes"]["actor_kind"] == "role"
    assert "Kremlin" in carol_spans
    # d2: the STANCE polarity tie: each proposer's relation with both its ends
    _, preds2 = tasks["d2"]
    alice2 = next(p for p in preds2 if p.annotator == "alice")
    assert [(r.label, r.attrs["polarity"]) for r in alice2.relations] == [("STANCE", "against")]
    assert {s.id for s in alice2.spans} >= {alice2.relations[0].head, alice2.relations[0].tail}


def _decision(gold_doc: Document, **changes) -> Document:
    return Document(
        id=gold_doc.id,
        text=gold_doc.text,
        spans=[
            Span(id=f"r{i}", start=s.start, end=s.end, label=s.label, attrs=s.attrs)
            for i, s in enumerate(gold_doc.spans)
        ],
        doc_labels=dict(gold_doc.doc_labels),
        annotator="judge@example.org",
        **changes,
    )


def test_merge_records_adjudicator_and_keeps_majority_items(adjudicated) -> None:
    _, adj = adjudicated
    d1 = next(d for d in adj.gold if d.id == "d1")
    # the adjudicator settles actor_kind=person on "President Anna Reyes", accepts "Kremlin"? no:
    # keeps the gold spans, sets the attribute, and drops the ISSUE span
    spans = []
    for s in d1.spans:
        if s.label == "ISSUE":
            continue
        attrs = dict(s.attrs)
        if d1.text[s.start : s.end] == "President Anna Reyes":
            attrs["actor_kind"] = "person"
        spans.append(Span(id=f"x{s.id}", start=s.start, end=s.end, label=s.label, attrs=attrs))
    start = d1.text.index("Anna Reyes")
    spans.append(Span(id="new", start=start, end=start + 10, label="ACTOR", attrs={}))
    decision = Document(
        id="d1", text=d1.text, spans=spans, doc_labels={"relevant": "no"}, annotator="judge"
    )
    new_gold, left, stats, deciders = merge_decisions(adj.gold, adj.review, [decision])
    assert deciders == ["judge"]
    m1 = next(d for d in new_gold if d.id == "d1")
    by_text = {m1.text[s.start : s.end]: s for s in m1.spans}
    pres = by_text["President Anna Reyes"]
    assert pres.attrs["actor_kind"] == "person"
    assert pres.provenance.method == "review" and pres.provenance.decided_by == "judge"
    assert pres.provenance.annotators == ["alice", "carol"]
    assert pres.id == "s1"  # the gold id is kept
    kremlin = by_text["the Kremlin"]
    assert kremlin.provenance.method == "majority"  # unchanged: majority provenance kept
    anna = by_text["Anna Reyes"]
    assert anna.provenance.annotators == ["bob"]  # bob had proposed it
    assert anna.id == "s2"  # the id the review list showed
    assert "the grain deal" not in by_text
    assert m1.provenance["relevant"].decided_by == "judge"
    # "relevant" was settled by majority (yes), so the review list does not say who chose "no"
    assert m1.provenance["relevant"].annotators == []
    assert stats.documents_decided == 1 and stats.dropped >= 1
    # d2 and d3 untouched: their review items carry over
    assert {i.doc_id for i in left} == {"d2", "d3"}
    assert next(d for d in new_gold if d.id == "d2") is next(d for d in adj.gold if d.id == "d2")


def test_decision_on_an_article_not_in_gold_adds_it(adjudicated) -> None:
    _, adj = adjudicated
    text = "Rome hosted a summit."
    decision = Document(
        id="d3",
        text=text,
        spans=[Span(id="a", start=14, end=20, label="CHANNEL", attrs={"channel_kind": "summit"})],
        annotator="judge",
    )
    new_gold, left, _, _ = merge_decisions(adj.gold, adj.review, [decision], adjudicator="Ann")
    d3 = next(d for d in new_gold if d.id == "d3")
    assert d3.spans[0].provenance.decided_by == "Ann"
    assert d3.spans[0].provenance.annotators == ["alice"]
    assert all(i.doc_id != "d3" for i in left)


def test_latest_decision_wins(adjudicated) -> None:
    from backchannel.documents import AnnotationInfo

    _, adj = adjudicated
    d2 = next(d for d in adj.gold if d.id == "d2")
    old = _decision(d2, annotation=AnnotationInfo(updated_at="2025-01-01T00:00:00Z"))
    new = Document(
        id="d2",
        text=d2.text,
        annotator="judge2",
        annotation=AnnotationInfo(updated_at="2025-02-01T00:00:00Z"),
    )
    new_gold, _, _, deciders = merge_decisions(adj.gold, adj.review, [new, old])
    assert deciders == ["judge2"]
    assert next(d for d in new_gold if d.id == "d2").spans == []


def test_push_refuses_other_annotations_file(
    annotations_path: Path, tmp_path: Path, write, kit
) -> None:
    from backchannel.annotation.labelstudio.review import review_push

    gold = tmp_path / "gold"
    adjudicate_file(annotations_path, gold)
    other = write(kit.annotations()[:3])
    with pytest.raises(GoldError, match="not the annotations file"):
        review_push(other, gold, studio=object())


def test_pull_without_version_is_an_error(tmp_path: Path) -> None:
    from backchannel.annotation.labelstudio.review import review_pull

    with pytest.raises(GoldError, match="no gold version to review"):
        review_pull(tmp_path, export=tmp_path / "x.json")


# -- the real server -----------------------------------------------------------------------------
@pytest.mark.studio
def test_review_round_trip_through_label_studio(
    studio, annotations_path: Path, tmp_path: Path, diplomacy, project_title: str
) -> None:
    from backchannel.annotation.labelstudio import regions
    from backchannel.annotation.labelstudio.review import review_pull, review_push

    gold = tmp_path / "gold"
    adjudicate_file(annotations_path, gold)
    pushed = review_push(annotations_path, gold, studio=studio, project=project_title)
    assert (pushed.documents, pushed.created) == (3, 3)
    assert pushed.predictions_created == 2 + 4 + 2  # d1: gold + 3; d2: gold + 2; d3: alice
    again = review_push(annotations_path, gold, studio=studio, project=project_title)
    assert (again.created, again.skipped, again.predictions_created) == (0, 3, 0)

    pid = studio.project_id(project_title)
    versions = studio.prediction_versions(pid)
    all_versions = {v for per_task in versions.values() for v in per_task}
    assert all_versions == {
        "gold v0001",
        "proposed by alice",
        "proposed by bob",
        "proposed by carol",
    }

    # the adjudicator settles d2: starts from the gold, picks polarity "against", and Kyiv state
    judge = studio.create_user("judge@backchannel.test")
    tasks = studio.existing_tasks(pid)
    d2 = next(d for d in read_documents(gold / "v0001.jsonl") if d.id == "d2")
    decided = Document(
        id="d2",
        text=d2.text,
        spans=[
            Span(
                id=s.id,
                start=s.start,
                end=s.end,
                label=s.label,
                attrs={**s.attrs, **({"actor_kind": "state"} if s.label == "ACTOR" else {})},
            )
            for s in d2.spans
        ],
        relations=[
            type(r)(head=r.head, tail=r.tail, label=r.label, attrs={"polarity": "against"})
            for r in d2.relations
        ],
        doc_labels=d2.doc_labels,
    )
    studio.create_annotation(
        tasks["d2"].task_id, regions.document_to_result(decided), completed_by=judge
    )
    pulled = review_pull(gold, studio=studio, project=project_title)
    m = pulled.written.manifest
    assert (m.version, m.parent, m.method) == ("v0002", "v0001", "review")
    assert m.decided_by == "judge@backchannel.test"
    assert pulled.stats.documents_decided == 1
    assert pulled.stats.review_items_left == 5  # d1: 3 items, d3: 2 (not decided)
    new_d2 = next(d for d in read_documents(gold / "v0002.jsonl") if d.id == "d2")
    stance = new_d2.relations[0]
    assert stance.attrs == {"polarity": "against"}
    assert stance.provenance.method == "review"
    assert stance.provenance.decided_by == "judge@backchannel.test"
    assert stance.provenance.annotators == ["alice", "bob"]
    assert [m.version for m in list_versions(gold)] == ["v0001", "v0002"]
    assert verify_version(gold, "v0001").version == "v0001"  # untouched
