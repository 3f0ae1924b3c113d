"""Push Documents (and their predictions) into a Label Studio project, idempotently.

Each task's data carries the document id.  Before importing, the existing tasks are listed once
and diffed: a known document is skipped (or gets only the predictions of a model version it
lacks), a new one is imported, in batches of ``batch_size`` tasks per request with
``max_retries=0`` (the SDK retries failed POSTs and imports have no duplicate detection, so a
retried import could create duplicates).  A document whose text changed is updated only while no
one has annotated it; otherwise the push is refused with :class:`StudioConflictError` (its
annotations' offsets would break).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from backchannel.annotation.labelstudio import convert
from backchannel.annotation.labelstudio.api import Studio
from backchannel.documents import Document
from backchannel.errors import StudioConflictError, StudioError
from backchannel.progress import track
from backchannel.schema import Schema
from backchannel.text import plural

__all__ = ["DEFAULT_BATCH", "PushResult", "push"]

DEFAULT_BATCH = 500


@dataclass
class PushResult:
    """What a push did; counts are of documents unless named otherwise."""

    project_id: int
    project_created: bool
    created: int = 0
    skipped: int = 0
    updated: int = 0
    predictions_created: int = 0
    predictions_replaced: int = 0
    unmatched_predictions: int = 0
    batches: int = 0


def push(
    studio: Studio,
    project: str,
    docs: Iterable[Document],
    schema: Schema,
    *,
    predictions: Mapping[str, Sequence[Document]] | None = None,
    model_version: str | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: bool = False,
) -> PushResult:
    """Import ``docs`` (with their predictions) into ``project``, idempotently and in batches.

    Documents are consumed lazily: a push interrupted half-way has imported whole batches, and
    running it again imports only what is missing.

    Raises:
        StudioConflictError: a document's text changed while its task has annotations.
        ConversionError: a prediction's text differs from its document's.
        StudioError: the server failed.
    """
    predictions = predictions or {}
    pid, created = studio.ensure_project(project, schema)
    result = PushResult(project_id=pid, project_created=created)
    existing = {} if created else studio.existing_tasks(pid)
    versions: dict[int, dict[str, list[int]]] = {}
    if any(t.predictions for t in existing.values()) and predictions:
        versions = studio.prediction_versions(pid)
    seen: set[str] = set()
    pending: list[dict[str, Any]] = []

    def flush() -> None:
        if not pending:
            return
        n_tasks, n_preds = studio.import_tasks(pid, pending)
        expected_preds = sum(len(t.get("predictions", ())) for t in pending)
        if n_tasks != len(pending) or n_preds != expected_preds:
            raise StudioError(
                f"import of {plural(len(pending), 'task')} with "
                f"{plural(expected_preds, 'prediction')} created {plural(n_tasks, 'task')} and "
                f"{plural(n_preds, 'prediction')} (Label Studio rejected some "
                "pre-annotations; check that they fit the project's labeling config)"
            )
        result.created += n_tasks
        result.predictions_created += n_preds
        result.batches += 1
        pending.clear()

    stream = track(docs, "push") if progress else docs
    for doc in stream:
        if doc.id in seen:
            continue  # the same document twice in one corpus: once is enough
        seen.add(doc.id)
        preds = list(predictions.get(doc.id, ()))
        task = convert.document_to_task(doc, preds, model_version)
        old = existing.get(doc.id)
        if old is None:
            pending.append(task)
            if len(pending) >= batch_size:
                flush()
            continue
        if old.text != doc.text:
            if old.annotations:
                raise StudioConflictError(
                    f"the text of this document changed but its task has {old.annotations} "
                    "annotation(s) whose offsets would break; refusing to overwrite",
                    doc_id=doc.id,
                    task_id=old.task_id,
                    hint="push the new text as a new document or to a new project",
                )
            studio.update_task_data(old.task_id, task["data"])
            for ids in versions.get(old.task_id, {}).values():
                for prediction_id in ids:
                    studio.delete_prediction(prediction_id)
                    result.predictions_replaced += 1
            versions[old.task_id] = {}
            result.updated += 1
        else:
            result.skipped += 1
        have = versions.get(old.task_id, {})
        for pred in task.get("predictions", ()):
            if pred["model_version"] in have:
                continue
            studio.add_prediction(old.task_id, pred)
            have.setdefault(pred["model_version"], [])
            result.predictions_created += 1
    flush()
    result.unmatched_predictions = sum(len(v) for k, v in predictions.items() if k not in seen)
    return result
