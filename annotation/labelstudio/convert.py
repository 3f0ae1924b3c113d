"""Document <-> Label Studio task JSON: task data, import tasks, predictions, annotations.

Pure functions, no server and no SDK, so every case is testable on its own.  The task data holds
``text``, the document id (``doc_id``), ``meta`` and ``schema_version``; the content of an
annotation or a prediction (its ``result`` list) is converted by
:mod:`~backchannel.annotation.labelstudio.regions`.  This module adds what surrounds it: who
annotated, when, from which prediction, and the Label Studio ids, and validates the Document it
builds, refusing a bad one with the task id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from backchannel.annotation.labelstudio.config import TEXT_NAME
from backchannel.annotation.labelstudio.regions import (
    as_list,
    as_mapping,
    document_to_result,
    parse_result,
)
from backchannel.documents import AnnotationInfo, Document, validate_document
from backchannel.errors import ConversionError, DocumentError
from backchannel.normalise import document_id
from backchannel.schema import Schema

__all__ = [
    "DOC_ID_KEY",
    "TaskDocuments",
    "annotation_to_document",
    "annotator_name",
    "document_to_data",
    "document_to_prediction",
    "document_to_task",
    "prediction_model_version",
    "prediction_to_document",
    "task_doc_id",
    "task_documents",
]

DOC_ID_KEY = "doc_id"
META_KEY = "meta"
SCHEMA_VERSION_KEY = "schema_version"


# -- Document -> Label Studio -------------------------------------------------------------------


def document_to_data(doc: Document) -> dict[str, Any]:
    """The task ``data`` of a document: the text plus what identifies it on the way back."""
    data: dict[str, Any] = {TEXT_NAME: doc.text, DOC_ID_KEY: doc.id}
    if doc.meta:
        data[META_KEY] = doc.meta
    if doc.schema_version is not None:
        data[SCHEMA_VERSION_KEY] = doc.schema_version
    return data


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
    data = as_mapping(task.get("data"), "task data", _task_ref(task))
    doc_id = data.get(DOC_ID_KEY)
    if isinstance(doc_id, str) and doc_id:
        return doc_id
    text = data.get(TEXT_NAME)
    if not isinstance(text, str):
        raise ConversionError(f"task data has no {TEXT_NAME!r} string", task_id=_task_ref(task))
    return document_id(text)


def _task_ref(task: Mapping[str, Any]) -> Any:
    """The task id for an error message: only a scalar, whatever the export holds there."""
    task_id = task.get("id")
    return task_id if isinstance(task_id, int | str) else None


def _base_document(task: Mapping[str, Any]) -> tuple[Document, str]:
    data = as_mapping(task.get("data"), "task data", _task_ref(task))
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
    parsed = parse_result(annotation.get("result"), text, task_id, schema)
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
    parsed = parse_result(prediction.get("result"), text, task_id, schema)
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
    for ann in as_list(task.get("annotations"), "task annotations", task_id):
        ann = as_mapping(ann, "annotation", task_id)
        if ann.get("was_cancelled"):
            cancelled += 1
            continue
        docs.append(
            annotation_to_document(task, ann, users=users, schema=schema, project_id=project_id)
        )
    drafts = task.get("drafts")
    return TaskDocuments(docs, cancelled, len(drafts) if isinstance(drafts, list) else 0)
