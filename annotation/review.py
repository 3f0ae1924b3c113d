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

Only :mod:`backchannel.annotation.labelstudio` talks to the server; this module builds
Documents and merges them.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from backchannel.annotation.annotation_set import (
    AnnotationSet,
    RelKey,
    SpanKey,
    load_annotation_set,
    view_of,
)
from backchannel.annotation.documents import (
    AnnotationInfo,
    Document,
    Provenance,
    Relation,
    Span,
    read_documents,
)
from backchannel.annotation.errors import GoldError
from backchannel.annotation.gold import (
    InputInfo,
    VersionWritten,
    file_sha256,
    latest_version,
    read_manifest,
    write_version,
)
from backchannel.annotation.review_list import ReviewItem, read_review
from backchannel.annotation.schema import Schema, load_schema

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


class MergeStats(msgspec.Struct):
    """What a merge did: articles decided, and items kept from the majority or decided."""

    documents_decided: int = 0
    kept: int = 0
    decided: int = 0
    dropped: int = 0
    review_items_resolved: int = 0
    review_items_left: int = 0


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
def _item_keys(item: ReviewItem) -> tuple[SpanKey | None, RelKey | None]:
    if item.span is not None:
        s = item.span
        return (s.start, s.end, s.label), None
    if item.relation is not None and item.head_span is not None and item.tail_span is not None:
        h, t = item.head_span, item.tail_span
        return None, ((h.start, h.end, h.label), (t.start, t.end, t.label), item.relation.label)
    return None, None


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
            skey, rkey = _item_keys(item)
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


# -- pull and merge -----------------------------------------------------------------------------
def _latest_decisions(decisions: Iterable[Document]) -> dict[str, Document]:
    """One decision per article: the most recently updated annotation wins."""
    best: dict[str, Document] = {}
    for doc in decisions:
        stamp = ""
        if doc.annotation is not None:
            stamp = doc.annotation.updated_at or doc.annotation.created_at or ""
        old = best.get(doc.id)
        if old is None:
            best[doc.id] = doc
            continue
        old_stamp = ""
        if old.annotation is not None:
            old_stamp = old.annotation.updated_at or old.annotation.created_at or ""
        if stamp >= old_stamp:
            best[doc.id] = doc
    return best


def _proposers(items: list[ReviewItem]) -> tuple[dict, dict, dict]:
    """Who proposed each span key, relation key and (label, value) among the review items."""
    spans: dict[SpanKey, list[str]] = {}
    rels: dict[RelKey, list[str]] = {}
    labels: dict[tuple[str, str | None], list[str]] = {}
    for item in items:
        skey, rkey = _item_keys(item)
        for cand in item.candidates:
            if item.kind == "span" and cand.value == "present" and skey is not None:
                spans.setdefault(skey, []).extend(cand.annotators)
            elif item.kind == "relation" and cand.value == "present" and rkey is not None:
                rels.setdefault(rkey, []).extend(cand.annotators)
            elif item.kind == "doc_label" and item.attribute:
                labels.setdefault((item.attribute, cand.value), []).extend(cand.annotators)
    return spans, rels, labels


def _merge_one(
    decision: Document,
    base: Document | None,
    items: list[ReviewItem],
    adjudicator: str,
    stats: MergeStats,
) -> Document:
    """The adjudicator's annotation of one article as gold, with provenance per item."""
    dview = view_of(decision)
    bview = view_of(base) if base is not None else None
    bspans = bview.spans if bview else {}
    brels = bview.relations if bview else {}
    span_props, rel_props, label_props = _proposers(items)
    item_ids = {k: i.span.id for i in items if i.span is not None for k in [_item_keys(i)[0]]}
    used = {s.id for s in bspans.values()} | {v for v in item_ids.values() if v}
    next_n = len(used) + 1

    def fresh() -> str:
        nonlocal next_n
        while f"s{next_n}" in used:
            next_n += 1
        used.add(f"s{next_n}")
        return f"s{next_n}"

    def review_prov(annotators: list[str], votes: int | None) -> Provenance:
        return Provenance(
            annotators=sorted(set(annotators)), method="review", decided_by=adjudicator, votes=votes
        )

    votes = len(items[0].annotators) if items else None
    ids: dict[SpanKey, str] = {}
    spans: list[Span] = []
    for key, span in sorted(dview.spans.items()):
        start, end, label = key
        old = bspans.get(key)
        if old is not None and old.attrs == span.attrs:
            spans.append(old)
            ids[key] = old.id
            stats.kept += 1
            continue
        if old is not None:
            sid = old.id
            prov = review_prov(old.provenance.annotators if old.provenance else [], votes)
        else:
            sid = item_ids.get(key) or fresh()
            prov = review_prov(span_props.get(key, []), votes)
        ids[key] = sid
        stats.decided += 1
        spans.append(
            Span(
                id=sid,
                start=start,
                end=end,
                label=label,
                text=decision.text[start:end],
                attrs=span.attrs,
                provenance=prov,
            )
        )
    relations: list[Relation] = []
    for rkey, rel in sorted(dview.relations.items()):
        head, tail, label = rkey
        old_rel = brels.get(rkey)
        if old_rel is not None and old_rel.attrs == rel.attrs and rkey[0] in ids and rkey[1] in ids:
            relations.append(
                Relation(
                    head=ids[head],
                    tail=ids[tail],
                    label=label,
                    attrs=old_rel.attrs,
                    provenance=old_rel.provenance,
                )
            )
            stats.kept += 1
            continue
        proposers = (
            old_rel.provenance.annotators
            if old_rel is not None and old_rel.provenance
            else rel_props.get(rkey, [])
        )
        relations.append(
            Relation(
                head=ids[head],
                tail=ids[tail],
                label=label,
                attrs=rel.attrs,
                provenance=review_prov(proposers, votes),
            )
        )
        stats.decided += 1
    stats.dropped += len(bspans.keys() - dview.spans.keys())
    stats.dropped += len(brels.keys() - dview.relations.keys())
    provenance: dict[str, Provenance] = {}
    for name, value in decision.doc_labels.items():
        if base is not None and base.doc_labels.get(name) == value and name in base.provenance:
            provenance[name] = base.provenance[name]
        else:
            provenance[name] = review_prov(label_props.get((name, value), []), votes)
    return Document(
        id=decision.id,
        text=decision.text,
        meta=base.meta if base is not None else decision.meta,
        spans=spans,
        relations=relations,
        doc_labels=dict(decision.doc_labels),
        schema_version=decision.schema_version or (base.schema_version if base else None),
        provenance=provenance,
    )


def merge_decisions(
    gold: list[Document],
    review: list[ReviewItem],
    decisions: Iterable[Document],
    *,
    adjudicator: str | None = None,
) -> tuple[list[Document], list[ReviewItem], MergeStats, list[str]]:
    """Merge an adjudicator's Documents into a gold: (new gold, review left, stats, deciders).

    ``adjudicator`` overrides the name recorded as ``decided_by`` (default: each decision's
    ``annotator``).
    """
    stats = MergeStats()
    chosen = _latest_decisions(decisions)
    items_by_doc: dict[str, list[ReviewItem]] = {}
    for item in review:
        items_by_doc.setdefault(item.doc_id, []).append(item)
    deciders: set[str] = set()
    out: list[Document] = []
    base_ids = set()
    for base in gold:
        base_ids.add(base.id)
        decision = chosen.get(base.id)
        if decision is None:
            out.append(base)
            continue
        who = adjudicator or decision.annotator or "adjudicator"
        deciders.add(who)
        out.append(_merge_one(decision, base, items_by_doc.get(base.id, []), who, stats))
        stats.documents_decided += 1
    for doc_id, decision in chosen.items():
        if doc_id in base_ids:
            continue
        who = adjudicator or decision.annotator or "adjudicator"
        deciders.add(who)
        out.append(_merge_one(decision, None, items_by_doc.get(doc_id, []), who, stats))
        stats.documents_decided += 1
    left = [i for i in review if i.doc_id not in chosen]
    stats.review_items_resolved = len(review) - len(left)
    stats.review_items_left = len(left)
    return out, left, stats, sorted(deciders)


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
