"""Merge an adjudicator's decisions into a gold: the rules of ``backchannel review pull``.

For every article the adjudicator annotated, the adjudicator's annotation becomes the gold of
that article.  Items equal to the previous gold (same key and attributes) keep their majority
provenance; anything else gets ``Provenance(method="review", decided_by=<adjudicator>,
annotators=<who had proposed it>)``; a span keeps the id the gold or the review list gave it.
Articles nobody reviewed keep their gold and their review items.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from backchannel.annotation.annotation_set import RelKey, SpanKey, view_of
from backchannel.annotation.gold.review_list import ReviewItem
from backchannel.documents import Document, Provenance, Relation, Span

__all__ = ["MergeStats", "item_keys", "merge_decisions"]


class MergeStats(msgspec.Struct):
    """What a merge did: articles decided, and items kept from the majority or decided."""

    documents_decided: int = 0
    kept: int = 0
    decided: int = 0
    dropped: int = 0
    review_items_resolved: int = 0
    review_items_left: int = 0


def item_keys(item: ReviewItem) -> tuple[SpanKey | None, RelKey | None]:
    if item.span is not None:
        s = item.span
        return (s.start, s.end, s.label), None
    if item.relation is not None and item.head_span is not None and item.tail_span is not None:
        h, t = item.head_span, item.tail_span
        return None, ((h.start, h.end, h.label), (t.start, t.end, t.label), item.relation.label)
    return None, None


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
        skey, rkey = item_keys(item)
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
    item_ids = {k: i.span.id for i in items if i.span is not None for k in [item_keys(i)[0]]}
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
