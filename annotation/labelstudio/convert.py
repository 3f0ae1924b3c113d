"""Document <-> Label Studio JSON (tasks, predictions, annotations, export snapshots).

Pure functions, no server and no SDK, so every case is testable on its own.  The mapping follows
the labeling config of :mod:`backchannel.annotation.labelstudio.config`:

- a span is a ``labels`` result on the ``label`` control whose region id is the span id;
- a span attribute is a per-region ``choices`` result named ``LABEL__attr`` on the same region;
- a relation is a ``relation`` result ``from_id`` -> ``to_id`` whose labels are the relation label
  plus one ``attr:value`` label per attribute (Label Studio relations carry no attributes);
  direction ``right`` means head = ``from_id``, ``left`` means head = ``to_id``;
- a document label is a plain ``choices`` result named after it;
- the task data holds ``text``, the document id (``doc_id``), ``meta`` and ``schema_version``.

Offsets go through :mod:`~backchannel.annotation.labelstudio.offsets` and nothing else.  A region
whose stored text disagrees with the task text at its offsets, a relation to a missing region,
a result from an unknown control: each is refused with the task id and region id, because a
silent guess here corrupts a gold dataset.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from backchannel.annotation.labelstudio import offsets
from backchannel.annotation.labelstudio.config import (
    LABELS_NAME,
    RELATION_ATTR_SEP,
    TEXT_NAME,
    region_attr_name,
    relation_value,
)
from backchannel.documents import (
    AnnotationInfo,
    Document,
    Relation,
    Span,
    validate_document,
)
from backchannel.errors import ConversionError, DocumentError, quote
from backchannel.normalise import document_id
from backchannel.schema import Schema

__all__ = [
    "DOC_ID_KEY",
    "TaskDocuments",
    "annotation_to_document",
    "document_to_data",
    "document_to_prediction",
    "document_to_result",
    "document_to_task",
    "prediction_to_document",
    "task_doc_id",
    "task_documents",
]

DOC_ID_KEY = "doc_id"
META_KEY = "meta"
SCHEMA_VERSION_KEY = "schema_version"
ATTR_SEP = "__"


def _as_list(value: Any, what: str, task_id: Any, region_id: str | None = None) -> list[Any]:
    """A JSON list from an export, or a ConversionError naming it (exports come from many hands)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConversionError(
            f"{what} is not a list (got {quote(value)})", task_id=task_id, span_id=region_id
        )
    return value


def _as_mapping(
    value: Any, what: str, task_id: Any, region_id: str | None = None
) -> Mapping[str, Any]:
    """A JSON object from an export, or a ConversionError naming it."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConversionError(
            f"{what} is not an object (got {quote(value)})", task_id=task_id, span_id=region_id
        )
    return value


# -- Document -> Label Studio -------------------------------------------------------------------


def document_to_data(doc: Document) -> dict[str, Any]:
    """The task ``data`` of a document: the text plus what identifies it on the way back."""
    data: dict[str, Any] = {TEXT_NAME: doc.text, DOC_ID_KEY: doc.id}
    if doc.meta:
        data[META_KEY] = doc.meta
    if doc.schema_version is not None:
        data[SCHEMA_VERSION_KEY] = doc.schema_version
    return data


def document_to_result(doc: Document) -> list[dict[str, Any]]:
    """The Label Studio ``result`` list (regions, attributes, relations, document choices)."""
    text = doc.text
    result: list[dict[str, Any]] = []
    attr_results: list[dict[str, Any]] = []
    for span in doc.spans:
        start, end = offsets.to_studio(text, span.start, span.end)
        value = {
            "start": start,
            "end": end,
            "text": offsets.region_text(text, span.start, span.end),
        }
        region: dict[str, Any] = {
            "id": span.id,
            "from_name": LABELS_NAME,
            "to_name": TEXT_NAME,
            "type": "labels",
            "value": {**value, "labels": [span.label]},
        }
        if span.score is not None:
            region["score"] = span.score
        result.append(region)
        for attr, attr_value in span.attrs.items():
            attr_results.append(
                {
                    "id": span.id,
                    "from_name": region_attr_name(span.label, attr),
                    "to_name": TEXT_NAME,
                    "type": "choices",
                    "value": {**value, "choices": [attr_value]},
                }
            )
    result.extend(attr_results)
    for rel in doc.relations:
        item: dict[str, Any] = {
            "from_id": rel.head,
            "to_id": rel.tail,
            "type": "relation",
            "direction": "right",
            "labels": [rel.label] + [relation_value(k, v) for k, v in rel.attrs.items()],
        }
        if rel.id is not None:
            item["id"] = rel.id
        if rel.score is not None:
            item["score"] = rel.score
        result.append(item)
    for name, choice in doc.doc_labels.items():
        result.append(
            {
                "id": f"doc{ATTR_SEP}{name}",
                "from_name": name,
                "to_name": TEXT_NAME,
                "type": "choices",
                "value": {"choices": [choice]},
            }
        )
    return result


def document_to_prediction(doc: Document, model_version: str) -> dict[str, Any]:
    """A Label Studio prediction (a pre-annotation) from a predicted Document."""
    pred: dict[str, Any] = {"model_version": model_version, "result": document_to_result(doc)}
    if doc.score is not None:
        pred["score"] = doc.score
    return pred


def prediction_model_version(doc: Document, default: str | None = None) -> str:
    """``default`` if given, else the Document's recorded model version, annotator, or a name."""
    if default:
        return default
    if doc.annotation is not None and doc.annotation.model_version:
        return doc.annotation.model_version
    return doc.annotator or "backchannel"


def document_to_task(
    doc: Document, predictions: Sequence[Document] = (), model_version: str | None = None
) -> dict[str, Any]:
    """A Label Studio import task, with predictions as pre-annotations.

    Raises:
        ConversionError: a prediction's text differs from the document's (its offsets would
            point at other characters).
    """
    task: dict[str, Any] = {"data": document_to_data(doc)}
    preds = []
    for pred in predictions:
        if pred.text != doc.text:
            raise ConversionError(
                "prediction text differs from the corpus text of the same document id "
                "(its offsets would point at other characters)",
                doc_id=doc.id,
            )
        preds.append(document_to_prediction(pred, prediction_model_version(pred, model_version)))
    if preds:
        task["predictions"] = preds
    return task


# -- Label Studio -> Document -------------------------------------------------------------------


def task_doc_id(task: Mapping[str, Any]) -> str:
    """The document id a task carries, or the stable id of its text for tasks made by hand."""
    data = _as_mapping(task.get("data"), "task data", _task_ref(task))
    doc_id = data.get(DOC_ID_KEY)
    if isinstance(doc_id, str) and doc_id:
        return doc_id
    text = data.get(TEXT_NAME)
    if not isinstance(text, str):
        raise ConversionError(f"task data has no {TEXT_NAME!r} string", task_id=_task_ref(task))
    return document_id(text)


@dataclass
class _Parsed:
    spans: list[Span] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    doc_labels: dict[str, str] = field(default_factory=dict)


def _region_offsets(
    text: str, value: Mapping[str, Any], task_id: Any, region_id: str
) -> tuple[int, int]:
    start, end = value.get("start"), value.get("end")
    if not isinstance(start, int) or not isinstance(end, int):
        raise ConversionError(
            f"region has no integer start/end (got {quote(start)}, {quote(end)})",
            task_id=task_id,
            span_id=region_id,
        )
    mapped = offsets.from_studio(text, start, end)
    if mapped is None:
        raise ConversionError(
            f"region offsets [{start}, {end}) do not fit the task text of length {len(text)}",
            task_id=task_id,
            span_id=region_id,
        )
    actual = offsets.region_text(text, *mapped)
    stored = value.get("text")
    if not offsets.text_matches(stored if isinstance(stored, str) else None, actual):
        raise ConversionError(
            f"region text {quote(stored)} does not match the task text at [{start}, {end}) "
            f"{quote(actual)} (was the task text changed after annotation?)",
            task_id=task_id,
            span_id=region_id,
        )
    return mapped


def _parse_result(
    result: Iterable[Mapping[str, Any]], text: str, task_id: Any, schema: Schema | None
) -> _Parsed:
    out = _Parsed()
    spans: dict[str, Span] = {}
    region_choices: list[tuple[str, str, Mapping[str, Any]]] = []
    relations: list[Mapping[str, Any]] = []
    doc_label_names = set(schema.doc_labels) if schema is not None else None
    for item in _as_list(result, "annotation result", task_id):
        item = _as_mapping(item, "result item", task_id)
        kind = item.get("type")
        rid = str(item.get("id", "?"))
        if kind == "relation":
            relations.append(item)
            continue
        value = _as_mapping(item.get("value"), "region value", task_id, rid)
        name = item.get("from_name")
        if not isinstance(name, str):
            raise ConversionError(
                f"result has no control name (from_name {quote(name)})",
                task_id=task_id,
                span_id=rid,
            )
        if kind == "labels":
            if name != LABELS_NAME:
                raise ConversionError(
                    f"labels from unknown control {quote(name)} (expected {LABELS_NAME!r})",
                    task_id=task_id,
                    span_id=rid,
                )
            labels = _as_list(value.get("labels"), "region labels", task_id, rid)
            if len(labels) != 1:
                raise ConversionError(
                    f"region has {len(labels)} labels {quote(labels)}; exactly one is expected",
                    task_id=task_id,
                    span_id=rid,
                )
            if rid in spans:
                raise ConversionError("two regions share this id", task_id=task_id, span_id=rid)
            start, end = _region_offsets(text, value, task_id, rid)
            span = Span(id=rid, start=start, end=end, label=str(labels[0]))
            if isinstance(item.get("score"), int | float):
                span.score = float(item["score"])
            spans[rid] = span
            out.spans.append(span)
        elif kind == "choices":
            choices = _as_list(value.get("choices"), "choices", task_id, rid)
            if not choices:
                continue
            if len(choices) != 1:
                raise ConversionError(
                    f"{quote(name)} has {len(choices)} choices {quote(choices)}; one is expected",
                    task_id=task_id,
                    span_id=rid,
                )
            if "start" in value:
                region_choices.append((rid, str(name), {"choice": str(choices[0]), **value}))
            else:
                if doc_label_names is not None and name not in doc_label_names:
                    raise ConversionError(
                        f"choices from unknown control {quote(name)}",
                        task_id=task_id,
                        span_id=rid,
                    )
                out.doc_labels[str(name)] = str(choices[0])
        else:
            raise ConversionError(
                f"unsupported result type {quote(kind)} from {quote(name)}",
                task_id=task_id,
                span_id=rid,
            )
    for rid, name, value in region_choices:
        span = spans.get(rid)
        if span is None:
            raise ConversionError(
                f"attribute {quote(name)} belongs to no labelled region",
                task_id=task_id,
                span_id=rid,
            )
        if ATTR_SEP not in name:
            raise ConversionError(
                f"per-region choices {quote(name)} is not named LABEL{ATTR_SEP}attribute",
                task_id=task_id,
                span_id=rid,
            )
        prefix = span.label + ATTR_SEP
        if not name.startswith(prefix):
            # The annotator changed the region's label after choosing this attribute: the UI
            # hides it, so it is not part of what they see or mean.
            continue
        span.attrs = {**span.attrs, name[len(prefix) :]: value["choice"]}
    for item in relations:
        out.relations.append(_parse_relation(item, spans, task_id))
    return out


def _parse_relation(item: Mapping[str, Any], spans: Mapping[str, Span], task_id: Any) -> Relation:
    src, dst = str(item.get("from_id")), str(item.get("to_id"))
    where = f"{src}->{dst}"
    for end in (src, dst):
        if end not in spans:
            raise ConversionError(
                f"relation points at missing region {quote(end)}", task_id=task_id, span_id=where
            )
    labels = [str(x) for x in _as_list(item.get("labels"), "relation labels", task_id, where)]
    names = [x for x in labels if RELATION_ATTR_SEP not in x]
    if len(names) != 1:
        raise ConversionError(
            f"relation needs exactly one relation label, has {quote(names)}",
            task_id=task_id,
            span_id=where,
            hint="pick one of the schema's relation labels besides any attr:value labels",
        )
    attrs: dict[str, str] = {}
    for x in labels:
        if RELATION_ATTR_SEP in x:
            key, _, val = x.partition(RELATION_ATTR_SEP)
            if key in attrs:
                raise ConversionError(
                    f"relation has two values for {quote(key)}: {quote(attrs[key])} and "
                    f"{quote(val)}",
                    task_id=task_id,
                    span_id=where,
                )
            attrs[key] = val
    direction = item.get("direction", "right")
    head, tail = (dst, src) if direction == "left" else (src, dst)
    rel = Relation(head=head, tail=tail, label=names[0], attrs=attrs)
    if isinstance(item.get("id"), str):
        rel.id = item["id"]
    if isinstance(item.get("score"), int | float):
        rel.score = float(item["score"])
    return rel


def _task_ref(task: Mapping[str, Any]) -> Any:
    """The task id for an error message: only a scalar, whatever the export holds there."""
    task_id = task.get("id")
    return task_id if isinstance(task_id, int | str) else None


def _base_document(task: Mapping[str, Any]) -> tuple[Document, str]:
    data = _as_mapping(task.get("data"), "task data", _task_ref(task))
    text = data.get(TEXT_NAME)
    if not isinstance(text, str):
        raise ConversionError(f"task data has no {TEXT_NAME!r} string", task_id=_task_ref(task))
    meta = data.get(META_KEY)
    doc = Document(
        id=task_doc_id(task),
        text=text,
        meta=dict(meta) if isinstance(meta, Mapping) else {},
    )
    version = data.get(SCHEMA_VERSION_KEY)
    if isinstance(version, str):
        doc.schema_version = version
    return doc, text


def _finish(doc: Document, task_id: Any, schema: Schema | None) -> Document:
    try:
        validate_document(doc, schema)
    except DocumentError as exc:
        raise ConversionError(
            exc.message, doc_id=exc.doc_id, span_id=exc.span_id, task_id=task_id
        ) from None
    return doc


def _typed(value: Any, kind: type | tuple[type, ...]) -> Any:
    """``value`` if it has the type the Document field needs, else None.

    Annotation metadata (lead time, timestamps, ids) is informative, not annotated content: a
    value of the wrong type in a hand-edited export is dropped rather than written into a
    Document that could not be read back.
    """
    if isinstance(value, bool) and kind is not bool:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
        return None
    return value if isinstance(value, kind) else None


def annotator_name(completed_by: Any, users: Mapping[int, str] | None = None) -> str | None:
    """The annotator's email from ``completed_by`` (an object, or an id looked up in ``users``)."""
    if isinstance(completed_by, Mapping):
        email = completed_by.get("email")
        if email:
            return str(email)
        completed_by = completed_by.get("id")
    if isinstance(completed_by, int):
        if users and completed_by in users:
            return users[completed_by]
        return f"user:{completed_by}"
    return None


def annotation_to_document(
    task: Mapping[str, Any],
    annotation: Mapping[str, Any],
    *,
    users: Mapping[int, str] | None = None,
    schema: Schema | None = None,
    project_id: int | None = None,
) -> Document:
    """One annotator's Document from one Label Studio annotation of a task.

    Raises:
        ConversionError: with the task id and the region id.
    """
    task_id = _task_ref(task)
    doc, text = _base_document(task)
    parsed = _parse_result(annotation.get("result"), text, task_id, schema)
    doc.spans, doc.relations, doc.doc_labels = parsed.spans, parsed.relations, parsed.doc_labels
    doc.annotator = annotator_name(annotation.get("completed_by"), users)
    ids: dict[str, Any] = {}
    project = project_id if project_id is not None else task.get("project")
    if project is not None:
        ids["ls_project"] = project
    if task_id is not None:
        ids["ls_task"] = task_id
    if annotation.get("id") is not None:
        ids["ls_annotation"] = annotation["id"]
    doc.source_ids = ids
    prediction = annotation.get("prediction")
    parent = annotation.get("parent_prediction")
    if isinstance(prediction, Mapping):
        parent = prediction.get("id", parent)
    lead_time = _typed(annotation.get("lead_time"), (int, float))
    info = AnnotationInfo(
        ground_truth=_typed(annotation.get("ground_truth"), bool),
        lead_time=float(lead_time) if lead_time is not None else None,
        created_at=_typed(annotation.get("created_at"), str),
        updated_at=_typed(annotation.get("updated_at"), str),
        model_version=_typed(prediction.get("model_version"), str)
        if isinstance(prediction, Mapping)
        else None,
        prediction_id=_typed(parent, int),
    )
    doc.annotation = info
    return _finish(doc, task_id, schema)


def prediction_to_document(
    task: Mapping[str, Any], prediction: Mapping[str, Any], *, schema: Schema | None = None
) -> Document:
    """A predicted Document from a Label Studio prediction (pre-annotation)."""
    task_id = _task_ref(task)
    doc, text = _base_document(task)
    parsed = _parse_result(prediction.get("result"), text, task_id, schema)
    doc.spans, doc.relations, doc.doc_labels = parsed.spans, parsed.relations, parsed.doc_labels
    if isinstance(prediction.get("score"), int | float):
        doc.score = float(prediction["score"])
    ids: dict[str, Any] = {}
    if task_id is not None:
        ids["ls_task"] = task_id
    if prediction.get("id") is not None:
        ids["ls_prediction"] = prediction["id"]
    doc.source_ids = ids
    if prediction.get("model_version"):
        doc.annotation = AnnotationInfo(
            model_version=str(prediction["model_version"]),
            created_at=_typed(prediction.get("created_at"), str),
            prediction_id=_typed(prediction.get("id"), int),
        )
    return _finish(doc, task_id, schema)


@dataclass
class TaskDocuments:
    """The Documents of one exported task: one per non-cancelled annotation."""

    documents: list[Document]
    cancelled: int = 0
    drafts_skipped: int = 0


def task_documents(
    task: Mapping[str, Any],
    *,
    users: Mapping[int, str] | None = None,
    schema: Schema | None = None,
    project_id: int | None = None,
) -> TaskDocuments:
    """Every annotation of every annotator of one exported task; cancelled ones are counted."""
    docs: list[Document] = []
    cancelled = 0
    task_id = _task_ref(task)
    for ann in _as_list(task.get("annotations"), "task annotations", task_id):
        ann = _as_mapping(ann, "annotation", task_id)
        if ann.get("was_cancelled"):
            cancelled += 1
            continue
        docs.append(
            annotation_to_document(task, ann, users=users, schema=schema, project_id=project_id)
        )
    drafts = task.get("drafts")
    return TaskDocuments(docs, cancelled, len(drafts) if isinstance(drafts, list) else 0)
