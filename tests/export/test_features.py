"""Features come from the schema; rows round-trip to Documents."""

from __future__ import annotations

from pathlib import Path

import yaml
from datasets import ClassLabel
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.annotation.export.features import RowCodec, strip_for_dataset
from backchannel.documents import Document, Relation, Span
from backchannel.schema import Schema, default_schema_path, load_schema


def test_labels_come_from_the_schema(schema: Schema) -> None:
    features = RowCodec(schema).features()
    span = features["spans"].feature
    assert span["label"] == ClassLabel(names=schema.span_labels)
    assert features["ner_tags"].feature == ClassLabel(names=schema.bio_tags)
    assert features["relations"].feature["label"].names == schema.relation_labels
    assert features["stances"].feature["polarity"].names == schema.polarities
    assert features["doc_labels"]["relevant"].names == list(schema.doc_labels["relevant"].values)
    every_span_attr = {a for d in schema.spans.values() for a in d.attributes}
    assert every_span_attr <= set(span)


def test_a_new_label_and_attribute_appear_without_code_change(tmp_path: Path) -> None:
    raw = yaml.safe_load(default_schema_path().read_text(encoding="utf-8"))
    raw["spans"]["DATE"] = {
        "definition": "When.",
        "attributes": {"precision": {"values": ["day", "month"]}},
    }
    path = tmp_path / "schema.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    schema = load_schema(path)
    features = RowCodec(schema).features()
    assert features["spans"].feature["label"].names[-1] == "DATE"
    assert "precision" in features["spans"].feature
    assert features["ner_tags"].feature.names[-2:] == ["B-DATE", "I-DATE"]


def by_id(docs: list[Document], doc_id: str) -> Document:
    return next(d for d in docs if d.id == doc_id)


def test_missing_attributes_are_null(schema: Schema, gold_docs: list[Document]) -> None:
    row = RowCodec(schema).to_row(by_id(gold_docs, "doc-1"))
    issue = next(s for s in row["spans"] if s["id"] == "s4")
    assert issue["actor_kind"] is None and issue["channel_kind"] is None
    kremlin = next(s for s in row["spans"] if s["id"] == "s3")
    assert kremlin["metonymy"] == "yes" and kremlin["country"] is None
    assert row["doc_labels"] == {"relevant": 0, "framing": 0}


def test_stance_is_flattened(schema: Schema, gold_docs: list[Document]) -> None:
    row = RowCodec(schema).to_row(by_id(gold_docs, "doc-2"))
    assert row["stances"] == [
        {
            "holder": "a5",
            "target": "a6",
            "holder_text": "France",
            "target_text": "Russia",
            "polarity": schema.polarities.index("against"),
            "expressed": "reported",
        }
    ]


def test_features_encode_the_rows(schema: Schema, gold_docs: list[Document]) -> None:
    codec = RowCodec(schema)
    features = codec.features()
    for doc in gold_docs:
        row = codec.to_row(doc)
        assert features.encode_example(row) == row


@st.composite
def documents(draw: st.DrawFn, schema: Schema) -> Document:
    text = draw(st.text(alphabet="ab cd\n🙂é.", min_size=5, max_size=40))
    spans = []
    for i in range(draw(st.integers(0, 5))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        label = draw(st.sampled_from(schema.span_labels))
        attrs = {}
        for name, adef in schema.spans[label].attributes.items():
            if draw(st.booleans()):
                attrs[name] = draw(st.sampled_from(list(adef.values)))
        spans.append(Span(id=f"s{i}", start=start, end=end, label=label, attrs=attrs))
    relations = []
    channels = [s for s in spans if s.label == "CHANNEL"]
    actors = [s for s in spans if s.label == "ACTOR"]
    for ch in channels:
        for ac in actors:
            if draw(st.booleans()):
                role = draw(st.sampled_from(["initiator", "host", "audience"]))
                relations.append(
                    Relation(head=ch.id, tail=ac.id, label="PARTICIPANT", attrs={"role": role})
                )
    if len(actors) >= 2:
        relations.append(
            Relation(
                head=actors[0].id, tail=actors[1].id, label="STANCE", attrs={"polarity": "favor"}
            )
        )
    doc_labels = {}
    if draw(st.booleans()):
        doc_labels["relevant"] = draw(st.sampled_from(["yes", "no"]))
    return Document(
        id=draw(st.text(alphabet="abc123", min_size=1, max_size=8)),
        text=text,
        meta={"title": draw(st.text(max_size=10)), "n": draw(st.integers())},
        spans=spans,
        relations=relations,
        doc_labels=doc_labels,
        annotator=draw(st.none() | st.just("gold")),
    )


_SCHEMA = load_schema()


@settings(max_examples=100, deadline=None)
@given(documents(_SCHEMA))
def test_row_round_trip(doc: Document) -> None:
    codec = RowCodec(_SCHEMA)
    row = codec.to_row(doc)
    assert codec.from_row(row) == strip_for_dataset(doc)
    # tokens agree with their offsets
    for tok, start, end in zip(row["tokens"], row["token_starts"], row["token_ends"], strict=True):
        assert doc.text[start:end] == tok
