"""The review round trip, its Label Studio half: push the review tasks, pull the decisions.

``review push`` sends the tasks :func:`backchannel.annotation.gold.review.review_round` builds to
a separate review project (idempotently, like every push); ``review pull`` reads the
adjudicator's annotations from the live project or an export file and hands them to
:func:`backchannel.annotation.gold.review.decide`, which writes the next gold version.  What is
reviewed and how decisions merge is described there.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import msgspec

from backchannel.annotation.gold.review import ReviewPullResult, decide, review_base, review_round
from backchannel.annotation.gold.versions import InputInfo, file_sha256
from backchannel.annotation.labelstudio.api import Studio
from backchannel.annotation.labelstudio.pull import pull, pull_from_export
from backchannel.annotation.labelstudio.push import push
from backchannel.documents import read_documents
from backchannel.errors import GoldError
from backchannel.schema import Schema, load_schema

__all__ = ["DEFAULT_REVIEW_PROJECT", "ReviewPushResult", "review_pull", "review_push"]

DEFAULT_REVIEW_PROJECT = "backchannel-review"


class ReviewPushResult(msgspec.Struct):
    version: str
    project: str
    project_id: int
    documents: int
    items: int
    created: int
    skipped: int
    predictions_created: int


def review_push(
    annotations: str | Path,
    directory: str | Path,
    *,
    studio: Studio,
    project: str = DEFAULT_REVIEW_PROJECT,
    version: str | None = None,
    schema: Schema | None = None,
) -> ReviewPushResult:
    """Push the review list of a gold version (default: the latest) to a review project.

    Idempotent like :func:`~backchannel.annotation.labelstudio.push.push`: pushing again adds
    no task and no prediction.

    Raises:
        GoldError: no such version, or ``annotations`` is not the file it was adjudicated from.
    """
    schema = schema or load_schema()
    todo = review_round(annotations, directory, version=version, schema=schema)
    predictions = {task.id: preds for task, preds in todo.tasks}
    result = push(studio, project, [t for t, _ in todo.tasks], schema, predictions=predictions)
    return ReviewPushResult(
        version=todo.version,
        project=project,
        project_id=result.project_id,
        documents=len(todo.tasks),
        items=todo.items,
        created=result.created,
        skipped=result.skipped,
        predictions_created=result.predictions_created,
    )


def review_pull(
    directory: str | Path,
    *,
    studio: Studio | None = None,
    project: str = DEFAULT_REVIEW_PROJECT,
    export: str | Path | None = None,
    version: str | None = None,
    adjudicator: str | None = None,
    schema: Schema | None = None,
) -> ReviewPullResult:
    """Pull the adjudicator's decisions (live project, or ``export`` file) into a new version.

    Raises:
        GoldError: no base version, or no decision in the project.
    """
    schema = schema or load_schema()
    base = review_base(directory, version)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "decisions.jsonl"
        if export is not None:
            pull_from_export(export, out, schema)
            source = InputInfo(path=str(export), sha256=file_sha256(export))
        else:
            if studio is None:
                raise GoldError("review pull needs a Label Studio connection or an export file")
            pull(studio, project, out, schema)
            source = InputInfo(
                path=f"{studio.url} project {project!r}",
                sha256=file_sha256(out),
            )
        decisions = list(read_documents(out, schema=schema))
    if not decisions:
        raise GoldError(
            f"no adjudicator decisions in review project {project!r}",
            hint="annotate the review tasks in Label Studio first",
        )
    return decide(directory, base, decisions, source, adjudicator=adjudicator, schema=schema)
