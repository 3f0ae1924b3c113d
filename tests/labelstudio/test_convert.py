"""Document <-> Label Studio JSON without a server: exact round trips and clear refusals."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from backchannel.annotation.labelstudio import convert, offsets, regions
from backchannel.documents import Document, Relation, Span
from backchannel.errors import ConversionError
from backchannel.schema import Schema

sys.path.insert(0, str(Path(__file__).parent))
from studio_strategies import SCHEMA, content, documents

TEXT = "Hi 😀 cafe\u0301.\r\nThe envoy met Putin in Geneva."


def _doc() -> Document:
    start = TEXT.index("Geneva")
    envoy = TEXT.index("The envoy")
    met = TEXT.index("met")
    return Document(
        id="d1",
        text=TEXT,
        spans=[
            Span(id="v", start=start, end=start + 6, label="VENUE", score=0.75),
            Span(id="a", start=envoy, end=envoy + 9, label="ACTOR", attrs={"actor_kind": "role"}),
            Span(
                id="c", start=met, end=met + 3, label="CHANNEL", attrs={"channel_kind": "meeting"}
            ),
        ],
        relations=[
            Relation(head="c", tail="a", label="PARTICIPANT", attrs={"role": "visitor"}),
            Relation(head="c", tail="v", label="HELD_AT", id="rel-1", score=0.5),
        ],
        doc_labels={"relevant": "yes"},
        meta={"title": "t"},
    )


def _task(doc: Document, result: list[dict], **ann: object) -> dict:
    annotation = {"id": 7, "completed_by": 3, "result": result, **ann}
    return {
        "id": 42,
        "project": 1,
        "data": convert.document_to_data(doc),
        "annotations": [annotation],
    }


def test_prediction_round_trip_keeps_everything(schema: Schema) -> None:
    doc = _doc()
    pred = convert.document_to_prediction(doc, "m1")
    back = convert.prediction_to_document(
        {"id": 1, "data": convert.document_to_data(doc)}, pred, schema=schema
    )
    assert content(back) == content(doc)
    assert back.annotation is not None and back.annotation.model_version == "m1"


def test_offsets_are_python_indices_after_emoji_combining_mark_and_crlf() -> None:
    doc = _doc()
    region = regions.document_to_result(doc)[0]
    assert region["value"]["start"] == TEXT.index("Geneva")
    assert region["value"]["text"] == "Geneva"
    assert region["score"] == 0.75


def test_relation_attributes_become_extra_labels_and_direction_is_kept() -> None:
    rels = [r for r in regions.document_to_result(_doc()) if r["type"] == "relation"]
    assert rels[0] == {
        "from_id": "c",
        "to_id": "a",
        "type": "relation",
        "direction": "right",
        "labels": ["PARTICIPANT", "role:visitor"],
    }


def test_left_direction_swaps_head_and_tail(schema: Schema) -> None:
    doc = _doc()
    result = regions.document_to_result(doc)
    for item in result:
        if item["type"] == "relation" and item["labels"][0] == "PARTICIPANT":
            item.update(from_id="a", to_id="c", direction="left")
    back = convert.task_documents(_task(doc, result), schema=schema).documents[0]
    assert back.relations[0].head == "c" and back.relations[0].tail == "a"


def test_annotation_keeps_annotator_and_ls_metadata(schema: Schema) -> None:
    doc = _doc()
    task = _task(
        doc,
        regions.document_to_result(doc),
        ground_truth=False,
        lead_time=12.5,
        created_at="2025-01-01T00:00:00Z",
        updated_at="2025-01-01T00:01:00Z",
        prediction={"id": 9, "model_version": "m2"},
    )
    got = convert.task_documents(task, users={3: "ann@example.org"}, schema=schema)
    back = got.documents[0]
    assert back.annotator == "ann@example.org"
    assert back.source_ids == {"ls_project": 1, "ls_task": 42, "ls_annotation": 7}
    info = back.annotation
    assert info is not None
    assert (info.ground_truth, info.lead_time, info.model_version, info.prediction_id) == (
        False,
        12.5,
        "m2",
        9,
    )
    assert info.created_at == "2025-01-01T00:00:00Z"
    assert content(back) == content(doc)


def test_completed_by_object_gives_email_and_unknown_id_is_kept() -> None:
    assert convert.annotator_name({"id": 4, "email": "x@y.z"}) == "x@y.z"
    assert convert.annotator_name(5) == "user:5"


def test_cancelled_annotations_are_skipped_and_counted(schema: Schema) -> None:
    doc = _doc()
    task = _task(doc, regions.document_to_result(doc))
    task["annotations"].append({"id": 8, "completed_by": 3, "result": [], "was_cancelled": True})
    got = convert.task_documents(task, schema=schema)
    assert (len(got.documents), got.cancelled) == (1, 1)


def test_region_whose_text_does_not_match_is_refused_with_task_and_region() -> None:
    doc = _doc()
    result = regions.document_to_result(doc)
    result[0]["value"]["start"] += 1
    result[0]["value"]["end"] += 1
    with pytest.raises(ConversionError) as err:
        convert.task_documents(_task(doc, result))
    assert err.value.task_id == 42 and err.value.span_id == "v"
    assert "task 42" in str(err.value) and "span v" in str(err.value)
    assert "'Geneva'" in str(err.value)


def test_value_text_with_escaped_line_break_is_accepted(schema: Schema) -> None:
    # label-studio 1.23.2 stores a line break inside value.text as backslash + n.
    doc = _doc()
    start, end = TEXT.index("."), TEXT.index("envoy")
    result = [
        {
            "id": "x",
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": start, "end": end, "text": ".\\r\\nThe ", "labels": ["ISSUE"]},
        }
    ]
    back = convert.task_documents(_task(doc, result), schema=schema).documents[0]
    assert back.spans[0].start == start and back.spans[0].end == end


def test_out_of_range_region_is_refused() -> None:
    doc = _doc()
    result = regions.document_to_result(doc)
    result[0]["value"]["end"] = len(TEXT) + 3
    with pytest.raises(ConversionError, match="do not fit the task text"):
        convert.task_documents(_task(doc, result))


def test_relation_to_missing_region_and_without_label_are_refused() -> None:
    doc = _doc()
    base = [r for r in regions.document_to_result(doc) if r["type"] != "relation"]
    bad = [*base, {"type": "relation", "from_id": "c", "to_id": "zz", "labels": ["HELD_AT"]}]
    with pytest.raises(ConversionError, match="missing region 'zz'"):
        convert.task_documents(_task(doc, bad))
    bad = [*base, {"type": "relation", "from_id": "c", "to_id": "v", "labels": ["role:host"]}]
    with pytest.raises(ConversionError, match="exactly one relation label"):
        convert.task_documents(_task(doc, bad))


def test_unknown_control_and_schema_violations_are_refused(schema: Schema) -> None:
    doc = _doc()
    extra = {
        "id": "q",
        "from_name": "mood",
        "to_name": "text",
        "type": "choices",
        "value": {"choices": ["happy"]},
    }
    with pytest.raises(ConversionError, match="unknown control 'mood'"):
        convert.task_documents(_task(doc, [*regions.document_to_result(doc), extra]), schema=schema)
    wrong = Document(id="d1", text=TEXT, spans=[Span(id="v", start=0, end=2, label="PLACE")])
    with pytest.raises(ConversionError, match="unknown span label 'PLACE'") as err:
        convert.task_documents(_task(wrong, regions.document_to_result(wrong)), schema=schema)
    assert err.value.task_id == 42


def test_hidden_attribute_of_a_former_label_is_dropped(schema: Schema) -> None:
    doc = _doc()
    result = regions.document_to_result(doc)
    for item in result:
        if item.get("id") == "a" and item["type"] == "labels":
            item["value"]["labels"] = ["ISSUE"]  # relabelled after choosing actor_kind
    result = [r for r in result if r["type"] != "relation"]
    back = convert.task_documents(_task(doc, result), schema=schema).documents[0]
    assert next(s for s in back.spans if s.id == "a").attrs == {}


def test_task_made_by_hand_gets_the_stable_id_of_its_text() -> None:
    from backchannel.normalise import document_id

    assert convert.task_doc_id({"data": {"text": "abc"}}) == document_id("abc")


def test_prediction_text_must_match_document_text() -> None:
    doc = _doc()
    other = Document(id="d1", text=TEXT + " more")
    with pytest.raises(ConversionError, match="prediction text differs"):
        convert.document_to_task(doc, [other])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_property_document_prediction_document_is_identical(doc: Document) -> None:
    task = convert.document_to_task(doc, [doc], "m")
    task["id"] = 1
    back = convert.prediction_to_document(task, task["predictions"][0], schema=SCHEMA)
    assert content(back) == content(doc)


@settings(max_examples=150, deadline=None)
@given(documents())
def test_property_document_annotation_document_is_identical(doc: Document) -> None:
    task = _task(doc, regions.document_to_result(doc))
    back = convert.task_documents(task, schema=SCHEMA).documents[0]
    assert content(back) == content(doc)
    for span in back.spans:
        assert (
            offsets.region_text(back.text, span.start, span.end) == doc.text[span.start : span.end]
        )
