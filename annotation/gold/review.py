"""The review round trip: the review list to a Label Studio review project and back into gold.

``review push`` makes one task per article that has review items, in a separate review project,
with pre-annotations (predictions) an adjudicator can compare side by side:

* ``gold vNNNN``: what the majority already agreed (the adjudicator's starting point);
* ``proposed by <annotator>``: for each annotator, only the items of that article that are
  under review and that this annotator marked (with their attributes), plus their document
  labels when a label is under review.  So each candidate shows who proposed it.

``review pull`` reads the adjudicator's annotations (from the live project or an export file)
and writes the next gold version: **for every article the adjudicator annotated, the
adjudicator's annotation becomes the gold of that article**.  Items equal to the previous gold
(same key and attributes) keep their majority provenance; anything else gets
``Provenance(method="review", decided_by=<adjudicator>, annotators=<who had proposed it>)``.
Articles nobody reviewed keep their previous gold, and their review items carry over.  The pull
summary counts kept, decided and dropped items, so an accidental deletion is visible.

Only :mod:`backchannel.annotation.labelstudio` talks to the server; this module builds the
Documents it sends, and :mod:`backchannel.annotation.gold.review_merge` merges what comes back.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from backchannel.annotation.annotation_set import (
    AnnotationSet,
    RelKey,
    SpanKey,
    load_annotation_set,
)
from backchannel.annotation.gold.review_list import ReviewItem, read_review
from backchannel.annotation.gold.review_merge import MergeStats, item_keys, merge_decisions
from backchannel.annotation.gold.versions import (
    InputInfo,
    VersionWritten,
    file_sha256,
    latest_version,
    read_manifest,
    write_version,
)
from backchannel.documents import (
    AnnotationInfo,
    Document,
    Relation,
    Span,
    read_documents,
)
from backchannel.errors import GoldError
from backchannel.schema import Schema, load_schema

if TYPE_CHECKING:
    from backchannel.annotation.labelstudio.client import Studio

__all__ = [
    "DEFAULT_REVIEW_PROJECT",
    "MergeStats",
    "ReviewPullResult",
    "ReviewPushResult",
    "merge_decisions",
    "review_pull",
    "review_push",
    "review_tasks",
]

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


class ReviewPullResult(msgspec.Struct):
    written: VersionWritten
    base: str
    adjudicators: list[str]
    stats: MergeStats


def _version_or_latest(directory: Path, version: str | None) -> str:
    if version is not None:
        read_manifest(directory, version)
        return version
    latest = latest_version(directory)
    if latest is None:
        raise GoldError(
            "no gold version to review", path=directory, hint="run backchannel adjudicate first"
        )
    return latest.version


def _load_version(directory: Path, version: str) -> tuple[list[Document], list[ReviewItem]]:
    manifest = read_manifest(directory, version)
    gold = list(read_documents(directory / manifest.file, unique=True))
    review = list(read_review(directory / manifest.review_file)) if manifest.review_file else []
    return gold, review


# -- push ---------------------------------------------------------------------------------------
def review_tasks(
    aset: AnnotationSet, gold: list[Document], review: list[ReviewItem], version: str
) -> list[tuple[Document, list[Document]]]:
    """(task Document, predictions) for every article with review items, in review-list order."""
    gold_by_id = {d.id: d for d in gold}
    docs_by_id = {d.id: d for d in aset.docs}
    items_by_doc: dict[str, list[ReviewItem]] = {}
    for item in review:
        items_by_doc.setdefault(item.doc_id, []).append(item)
    out = []
    for doc_id, items in items_by_doc.items():
        adoc = docs_by_id.get(doc_id)
        if adoc is None:
            raise GoldError(
                "a review item's document is not in the annotations file",
                doc_id=doc_id,
                hint="pass the annotations file the gold version was adjudicated from",
            )
        first = next(iter(adoc.views.values())).doc
        task = Document(
            id=doc_id, text=adoc.text, meta=first.meta, schema_version=first.schema_version
        )
        preds: list[Document] = []
        g = gold_by_id.get(doc_id)
        if g is not None:
            preds.append(
                Document(
                    id=doc_id,
                    text=g.text,
                    spans=[
                        Span(id=s.id, start=s.start, end=s.end, label=s.label, attrs=s.attrs)
                        for s in g.spans
                    ],
                    relations=[
                        Relation(head=r.head, tail=r.tail, label=r.label, attrs=r.attrs)
                        for r in g.relations
                    ],
                    doc_labels=g.doc_labels,
                    annotation=AnnotationInfo(model_version=f"gold {version}"),
                )
            )
        span_keys: set[SpanKey] = set()
        rel_keys: set[RelKey] = set()
        labels: set[str] = set()
        for item in items:
            skey, rkey = item_keys(item)
            if item.kind == "doc_label" and item.attribute:
                labels.add(item.attribute)
            elif skey is not None:
                span_keys.add(skey)
            elif rkey is not None:
                rel_keys.add(rkey)
        for name, view in adoc.views.items():
            rels = [view.relations[k] for k in sorted(rel_keys) if k in view.relations]
            keep = {k for k in span_keys if k in view.spans}
            for k in rel_keys:
                if k in view.relations:
                    keep.update((k[0], k[1]))
            spans = [view.spans[k] for k in sorted(keep)]
            doc_labels = {k: v for k, v in view.doc.doc_labels.items() if k in labels}
            if not spans and not rels and not doc_labels:
                continue
            preds.append(
                Document(
                    id=doc_id,
                    text=adoc.text,
                    spans=[
                        Span(id=s.id, start=s.start, end=s.end, label=s.label, attrs=s.attrs)
                        for s in spans
                    ],
                    relations=[
                        Relation(head=r.head, tail=r.tail, label=r.label, attrs=r.attrs)
                        for r in rels
                    ],
                    doc_labels=doc_labels,
                    annotator=name,
                    annotation=AnnotationInfo(model_version=f"proposed by {name}"),
                )
            )
        out.append((task, preds))
    return out


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

    Idempotent like :func:`~backchannel.annotation.labelstudio.client.push`: pushing again adds
    no task and no prediction.

    Raises:
        GoldError: no such version, or ``annotations`` is not the file it was adjudicated from.
    """
    from backchannel.annotation.labelstudio.client import push

    schema = schema or load_schema()
    directory = Path(directory)
    version = _version_or_latest(directory, version)
    manifest = read_manifest(directory, version)
    digests = {i.sha256 for i in manifest.inputs if i.sha256}
    if manifest.method == "adjudicate" and digests and file_sha256(annotations) not in digests:
        raise GoldError(
            f"this is not the annotations file gold {version} was adjudicated from (hash differs)",
            path=annotations,
            hint=f"use {', '.join(i.path for i in manifest.inputs)}",
        )
    gold, review = _load_version(directory, version)
    aset = load_annotation_set(annotations, schema)
    tasks = review_tasks(aset, gold, review, version)
    predictions = {task.id: preds for task, preds in tasks}
    result = push(studio, project, [t for t, _ in tasks], schema, predictions=predictions)
    return ReviewPushResult(
        version=version,
        project=project,
        project_id=result.project_id,
        documents=len(tasks),
        items=len(review),
        created=result.created,
        skipped=result.skipped,
        predictions_created=result.predictions_created,
    )


# -- pull ---------------------------------------------------------------------------------------
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
    from backchannel.annotation.labelstudio.client import pull, pull_from_export

    schema = schema or load_schema()
    directory = Path(directory)
    base = _version_or_latest(directory, version)
    gold, review = _load_version(directory, base)
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
    new_gold, left, stats, deciders = merge_decisions(
        gold, review, decisions, adjudicator=adjudicator
    )
    source.documents = len(decisions)
    source.annotators = sorted({d.annotator for d in decisions if d.annotator})
    written = write_version(
        directory,
        new_gold,
        method="review",
        review=left,
        inputs=[source],
        schema=f"{schema.name} {schema.version}",
        decided_by=", ".join(deciders),
        parent=base,
    )
    return ReviewPullResult(written=written, base=base, adjudicators=deciders, stats=stats)
