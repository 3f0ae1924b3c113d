"""``backchannel studio rank``: score a project's open tasks so the most informative sorts first.

Label Studio Community has no active-learning queue; its Data Manager sorts by *prediction
score*.  This runs a model over the tasks of a project that nobody has annotated yet and stores
each prediction with the score of :mod:`~backchannel.annotation.labelstudio.ranking` (the same
definition, and the same converter, as the ML backend's ``/predict``), so sorting by prediction
score ascending shows the tasks closest to coin flips first.

Run again after the model retrains: a task's prediction of the same model version is updated in
place (its id, which annotations refer to, stays), not duplicated.  The project's model version
is set to the ranked one because the Data Manager's prediction score is the mean over the
predictions of that version only (over every prediction when none is set, which would mix the
ranked score with older pre-annotations).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from backchannel.annotation.labelstudio import convert, ranking
from backchannel.annotation.labelstudio.api import Studio
from backchannel.annotation.labelstudio.training import Predictor
from backchannel.documents import Document
from backchannel.errors import StudioError

__all__ = ["RankResult", "rank_tasks"]

DEFAULT_BATCH = 64


@dataclass
class RankResult:
    """What a ranking did; ``order`` is (document id, score), most informative first."""

    project_id: int
    model_version: str
    created: int = 0
    updated: int = 0
    annotated_skipped: int = 0
    order: list[tuple[str, float]] = field(default_factory=list)


def rank_tasks(
    studio: Studio,
    project: str,
    predictor: Predictor,
    *,
    include_annotated: bool = False,
    batch_size: int = DEFAULT_BATCH,
    say: Callable[[str], None] | None = None,
) -> RankResult:
    """Predict every open task of ``project`` and store the predictions with the ranking score.

    Tasks with an annotation are left alone unless ``include_annotated`` (they are done: ranking
    them costs model time and moves nothing an annotator will pick next).

    Raises:
        StudioError: no such project, the server failed, or the model changed a task's text.
    """
    pid = studio.project_id(project)
    version = predictor.model_version
    result = RankResult(project_id=pid, model_version=version)
    tasks = studio.existing_tasks(pid)
    open_tasks = [
        (doc_id, t) for doc_id, t in tasks.items() if include_annotated or not t.annotations
    ]
    result.annotated_skipped = len(tasks) - len(open_tasks)
    versions = studio.prediction_versions(pid) if any(t.predictions for _, t in open_tasks) else {}
    for start in range(0, len(open_tasks), batch_size):
        batch = open_tasks[start : start + batch_size]
        docs = [Document(id=doc_id, text=t.text) for doc_id, t in batch]
        preds = predictor.predict(docs)
        if len(preds) != len(docs):
            raise StudioError(f"the model returned {len(preds)} predictions for {len(docs)} tasks")
        for (doc_id, task), doc, pred in zip(batch, docs, preds, strict=True):
            if pred.text != doc.text:
                raise StudioError(f"the model changed the text of document {doc_id}")
            scored = ranking.with_confidence(pred)
            stored = convert.document_to_prediction(scored, version)
            ids = versions.get(task.task_id, {}).get(version, [])
            if ids:
                studio.update_prediction(ids[0], stored)
                for extra in ids[1:]:  # Label Studio's open-task race may have stored two
                    studio.delete_prediction(extra)
                result.updated += 1
            else:
                studio.add_prediction(task.task_id, stored)
                result.created += 1
            result.order.append((doc_id, float(stored["score"])))
        if say is not None:
            say(f"ranked {min(start + batch_size, len(open_tasks))} of {len(open_tasks)} tasks")
    if result.created or result.updated:  # Label Studio refuses a version with no prediction
        studio.set_model_version(pid, version)
    result.order.sort(key=lambda item: (item[1], item[0]))
    return result
