"""The review round trip, its domain half: which tasks to review, and decisions into gold.

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

This module knows no server: :mod:`backchannel.annotation.labelstudio.review` sends the Documents
built here (:func:`review_round`) and hands back the decisions it pulls (:func:`decide`);
:mod:`backchannel.annotation.gold.review_merge` does the merge.
"""

from __future__ import annotations

from pathlib import Path

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
from backchannel.schema import Schema

__all__ = [
    "MergeStats",
    "ReviewBase",
    "ReviewPullResult",
    "ReviewRound",
    "decide",
    "merge_decisions",
    "review_base",
    "review_round",
    "review_tasks",
]


class ReviewPullResult(msgspec.Struct):
    written: VersionWritten
    base: str
    adjudicators: list[str]
    stats: MergeStats


class ReviewRound(msgspec.Struct):
    """What a review push sends: the version under review, its tasks and how many items."""

    version: str
    tasks: list[tuple[Document, list[Document]]]
    items: int


class ReviewBase(msgspec.Struct):
    """The gold version decisions are merged into, with its review list."""

    version: str
    gold: list[Document]
    review: list[ReviewItem]


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


def review_round(
    annotations: str | Path, directory: str | Path, *, version: str | None, schema: Schema
) -> ReviewRound:
    """The review tasks of a gold version (default: the latest).

    Raises:
        GoldError: no such version, or ``annotations`` is not the file it was adjudicated from.
    """
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
    return ReviewRound(version=version, tasks=tasks, items=len(review))


def review_base(directory: str | Path, version: str | None) -> ReviewBase:
    """The gold version (default: the latest) that review decisions will be merged into.

    Raises:
        GoldError: no gold version at all, or no such version.
    """
    directory = Path(directory)
    base = _version_or_latest(directory, version)
    gold, review = _load_version(directory, base)
    return ReviewBase(version=base, gold=gold, review=review)


def decide(
    directory: str | Path,
    base: ReviewBase,
    decisions: list[Document],
    source: InputInfo,
    *,
    adjudicator: str | None,
    schema: Schema,
) -> ReviewPullResult:
    """Merge the adjudicator's ``decisions`` into ``base`` and write the next gold version.

    ``source`` says where the decisions came from (recorded in the manifest).
    """
    new_gold, left, stats, deciders = merge_decisions(
        base.gold, base.review, decisions, adjudicator=adjudicator
    )
    source.documents = len(decisions)
    source.annotators = sorted({d.annotator for d in decisions if d.annotator})
    written = write_version(
        Path(directory),
        new_gold,
        method="review",
        review=left,
        inputs=[source],
        schema=f"{schema.name} {schema.version}",
        decided_by=", ".join(deciders),
        parent=base.version,
    )
    return ReviewPullResult(written=written, base=base.version, adjudicators=deciders, stats=stats)
