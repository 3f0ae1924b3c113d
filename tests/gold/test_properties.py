"""Invariants of adjudication and gold diff on generated annotations."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backchannel.annotation.annotation_set import group_documents, view_of
from backchannel.annotation.gold.adjudicate import adjudicate
from backchannel.annotation.gold.diff import diff_docs
from backchannel.documents import Document, Relation, Span, validate_document

TEXT = "abcdefghijklmnopqrstuvwxyz0123456789"
KINDS = ["person", "state", "group"]

span_st = st.tuples(
    st.integers(0, 30),
    st.integers(1, 5),
    st.sampled_from(["ACTOR", "CHANNEL"]),
    st.sampled_from(KINDS),
)
annotator_st = st.tuples(
    st.lists(span_st, max_size=5), st.sampled_from(["yes", "no", None]), st.booleans()
)


def _doc(name: str, spec) -> Document:
    spans_spec, relevant, with_rel = spec
    spans = []
    for i, (s, length, label, kind) in enumerate(spans_spec):
        attrs = {"actor_kind": kind} if label == "ACTOR" else {"channel_kind": "talks"}
        spans.append(Span(id=f"s{i}", start=s, end=s + length, label=label, attrs=attrs))
    rels = []
    channels = [s for s in spans if s.label == "CHANNEL"]
    actors = [s for s in spans if s.label == "ACTOR"]
    if with_rel and channels and actors:
        rels.append(
            Relation(
                head=channels[0].id,
                tail=actors[0].id,
                label="PARTICIPANT",
                attrs={"role": "participant"},
            )
        )
    labels = {"relevant": relevant} if relevant else {}
    return Document(
        id="d", text=TEXT, annotator=name, spans=spans, relations=rels, doc_labels=labels
    )


settings_ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings_
@given(specs=st.lists(annotator_st, min_size=1, max_size=4), min_votes=st.integers(1, 4))
def test_gold_is_valid_and_backed_by_enough_votes(specs, min_votes, diplomacy) -> None:
    docs = [_doc(f"a{i}", spec) for i, spec in enumerate(specs)]
    out = adjudicate(group_documents(docs), diplomacy, min_votes=min_votes)
    views = [view_of(d) for d in docs]
    for gold in out.gold:
        validate_document(gold, diplomacy)  # relation ends exist, offsets fit, labels known
        for span in gold.spans:
            key = (span.start, span.end, span.label)
            markers = [v.doc.annotator for v in views if key in v.spans]
            assert span.provenance.annotators == markers
            assert len(markers) >= min_votes
        gold_keys = {(s.start, s.end, s.label) for s in gold.spans}
        for rkey in view_of(gold).relations:
            assert rkey[0] in gold_keys and rkey[1] in gold_keys
    if len(docs) < min_votes:
        assert out.gold == []


@settings_
@given(spec=annotator_st, n=st.integers(2, 4))
def test_unanimous_annotators_need_no_review(spec, n, diplomacy) -> None:
    docs = [_doc(f"a{i}", spec) for i in range(n)]
    out = adjudicate(group_documents(docs), diplomacy, min_votes=2)
    assert out.review == []
    gold = view_of(out.gold[0])
    mine = view_of(docs[0])
    assert gold.spans.keys() == mine.spans.keys()
    assert gold.relations.keys() == mine.relations.keys()
    assert out.gold[0].doc_labels == docs[0].doc_labels


@settings_
@given(a=annotator_st, b=annotator_st)
def test_diff_is_antisymmetric_and_empty_on_itself(a, b) -> None:
    x, y = [_doc("g", a)], [_doc("g", b)]
    assert diff_docs(x, x).documents == []
    fwd, back = diff_docs(x, y).summary, diff_docs(y, x).summary
    for kind in ("spans", "relations", "doc_labels"):
        assert fwd[f"{kind}_added"] == back[f"{kind}_removed"]
        assert fwd[f"{kind}_changed"] == back[f"{kind}_changed"]
