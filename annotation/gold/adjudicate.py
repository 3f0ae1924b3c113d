"""Adjudication: many annotators' Documents -> one gold version plus a review list.

Rules (``min_votes`` defaults to 2):

* a **span** (same start, end, label) marked by at least ``min_votes`` annotators goes to gold
  with ``Provenance(annotators=<who marked it>, method="majority", votes=<annotators of the
  article>)``;
* each of its **attributes** takes the value with the most votes among those annotators, if that
  value has at least ``min_votes`` votes and no other value has as many; otherwise the gold span
  goes without it and a ``span_attribute`` review item lists the values and who gave them (an
  attribute left unset counts as the schema default where there is one);
* a **relation** (both ends and label equal) goes to gold under the same vote rule, but only when
  both its ends are gold spans; its attributes as for spans;
* a **document label** goes to gold when one value has at least ``min_votes`` votes and a strict
  plurality;
* everything else becomes a :class:`~backchannel.annotation.gold.review_list.ReviewItem`.

Articles with fewer annotators than ``min_votes`` cannot reach a majority: they are left out of
the gold and all their items go to review.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import msgspec

from backchannel.annotation.annotation_set import (
    AnnotatedDoc,
    AnnotationSource,
    RelKey,
    SpanKey,
    open_annotations,
)
from backchannel.annotation.gold.review_list import Candidate, ReviewItem, item_id
from backchannel.annotation.gold.versions import (
    InputInfo,
    VersionWritten,
    file_sha256,
    write_version,
)
from backchannel.documents import Document, Provenance, Relation, Span
from backchannel.errors import InputError
from backchannel.progress import track
from backchannel.schema import AttributeDef, Schema, load_schema

__all__ = ["AdjudicateResult", "Adjudication", "adjudicate", "adjudicate_file"]


class Adjudication(msgspec.Struct):
    """The in-memory result: gold Documents and the review list."""

    gold: list[Document]
    review: list[ReviewItem]


class AdjudicateResult(msgspec.Struct):
    """What :func:`adjudicate_file` wrote."""

    written: VersionWritten
    gold_path: str
    review_path: str | None
    counts: dict[str, int]


def _majority(values: list[str | None], min_votes: int) -> tuple[str | None, bool]:
    """(winner, decided): winner needs ``min_votes`` votes and a strict plurality."""
    first = values[0] if values else None
    if first is not None and all(v == first for v in values):  # the common case: unanimity
        return (first, True) if len(values) >= min_votes else (None, False)
    counts = Counter(v for v in values if v is not None)
    if not counts:
        return None, True
    ranked = counts.most_common()
    top, n = ranked[0]
    if n >= min_votes and (len(ranked) == 1 or ranked[1][1] < n):
        return top, True
    return None, False


class _DocAdjudicator:
    """Adjudicates one article; collects its gold items and review items."""

    def __init__(self, adoc: AnnotatedDoc, schema: Schema, min_votes: int) -> None:
        self.adoc = adoc
        self.schema = schema
        self.min_votes = min_votes
        self.anns = adoc.annotators
        self.review: list[ReviewItem] = []

    def _item(
        self, kind: str, key: object, reason: str, candidates: list[Candidate], **kw: Any
    ) -> None:
        attribute = kw.get("attribute")
        self.review.append(
            ReviewItem(
                id=item_id(self.adoc.id, kind, key, attribute),
                doc_id=self.adoc.id,
                kind=kind,
                reason=reason,
                annotators=self.anns,
                candidates=candidates,
                **kw,
            )
        )

    def _presence(self, markers: list[str], variants: dict[str, dict[str, str]]) -> list[Candidate]:
        """Span or relation candidates: each attribute variant with who gave it, then absent."""
        by_attrs: dict[tuple, list[str]] = {}
        for a in markers:
            by_attrs.setdefault(tuple(sorted(variants[a].items())), []).append(a)
        cands = [
            Candidate(annotators=who, value="present", attrs=dict(attrs))
            for attrs, who in by_attrs.items()
        ]
        absent = [a for a in self.anns if a not in markers]
        if absent:
            cands.append(Candidate(annotators=absent, value="absent"))
        return cands

    def _attrs(
        self,
        kind: str,
        key: object,
        defs: dict[str, AttributeDef],
        markers: list[str],
        given: dict[str, dict[str, str]],
        **where: Any,
    ) -> dict[str, str]:
        """Majority attribute values among ``markers``; ties and minorities go to review."""
        out: dict[str, str] = {}
        for name, adef in defs.items():
            if all(name not in given[a] for a in markers):
                continue
            values = [given[a].get(name, adef.default) for a in markers]
            winner, decided = _majority(values, self.min_votes)
            if decided and winner is not None:
                out[name] = winner
                continue
            by_value: dict[str | None, list[str]] = {}
            for a, v in zip(markers, values, strict=True):
                by_value.setdefault(v, []).append(a)
            counts = ", ".join(f"{v}: {len(w)}" for v, w in by_value.items())
            self._item(
                kind,
                key,
                f"no majority for {name} ({counts}; {self.min_votes} votes needed)",
                [Candidate(annotators=w, value=v) for v, w in by_value.items()],
                attribute=name,
                **where,
            )
        return out

    def run(self) -> Document | None:
        adoc, text, views = self.adoc, self.adoc.text, self.adoc.views
        n_ann = len(self.anns)
        enough = n_ann >= self.min_votes
        span_markers: dict[SpanKey, list[str]] = {}
        for a, view in views.items():
            for key in view.spans:
                span_markers.setdefault(key, []).append(a)
        gold_ids: dict[SpanKey, str] = {}
        spans: list[Span] = []
        for n, key in enumerate(sorted(span_markers), 1):
            start, end, label = key
            markers = span_markers[key]
            shown = Span(id=f"s{n}", start=start, end=end, label=label, text=text[start:end])
            attrs_of = {a: views[a].spans[key].attrs for a in markers}
            if len(markers) < self.min_votes:
                self._item(
                    "span",
                    key,
                    f"{len(markers)} of {n_ann} votes ({self.min_votes} needed)",
                    self._presence(markers, attrs_of),
                    span=shown,
                )
                continue
            attrs = self._attrs(
                "span_attribute",
                key,
                self.schema.spans[label].attributes,
                markers,
                attrs_of,
                span=shown,
            )
            gold_ids[key] = shown.id
            spans.append(
                Span(
                    id=shown.id,
                    start=start,
                    end=end,
                    label=label,
                    text=text[start:end],
                    attrs=attrs,
                    provenance=Provenance(annotators=markers, method="majority", votes=n_ann),
                )
            )
        rel_markers: dict[RelKey, list[str]] = {}
        for a, view in views.items():
            for rkey in view.relations:
                rel_markers.setdefault(rkey, []).append(a)
        relations: list[Relation] = []
        for rkey in sorted(rel_markers):
            head, tail, label = rkey
            markers = rel_markers[rkey]
            attrs_of = {a: views[a].relations[rkey].attrs for a in markers}
            hs = Span(
                id="head", start=head[0], end=head[1], label=head[2], text=text[head[0] : head[1]]
            )
            ts = Span(
                id="tail", start=tail[0], end=tail[1], label=tail[2], text=text[tail[0] : tail[1]]
            )
            missing = [k for k in (head, tail) if k not in gold_ids]
            shown = Relation(
                head=gold_ids.get(head, "head"), tail=gold_ids.get(tail, "tail"), label=label
            )
            if len(markers) < self.min_votes or missing:
                reason = f"{len(markers)} of {n_ann} votes ({self.min_votes} needed)"
                if len(markers) >= self.min_votes:
                    reason = "an end of the relation is not in the gold (its span needs review)"
                self._item(
                    "relation",
                    rkey,
                    reason,
                    self._presence(markers, attrs_of),
                    relation=shown,
                    head_span=hs,
                    tail_span=ts,
                )
                continue
            attrs = self._attrs(
                "relation_attribute",
                rkey,
                self.schema.relations[label].attributes,
                markers,
                attrs_of,
                relation=shown,
                head_span=hs,
                tail_span=ts,
            )
            relations.append(
                Relation(
                    head=gold_ids[head],
                    tail=gold_ids[tail],
                    label=label,
                    attrs=attrs,
                    provenance=Provenance(annotators=markers, method="majority", votes=n_ann),
                )
            )
        doc_labels: dict[str, str] = {}
        provenance: dict[str, Provenance] = {}
        for name, adef in self.schema.doc_labels.items():
            values = [views[a].doc.doc_labels.get(name, adef.default) for a in self.anns]
            if all(v is None for v in values):
                continue
            winner, decided = _majority(values, self.min_votes)
            if decided and winner is not None:
                doc_labels[name] = winner
                agreed = [a for a, v in zip(self.anns, values, strict=True) if v == winner]
                provenance[name] = Provenance(annotators=agreed, method="majority", votes=n_ann)
                continue
            by_value: dict[str | None, list[str]] = {}
            for a, v in zip(self.anns, values, strict=True):
                by_value.setdefault(v, []).append(a)
            counts = ", ".join(f"{v}: {len(w)}" for v, w in by_value.items())
            self._item(
                "doc_label",
                name,
                f"no majority ({counts}; {self.min_votes} votes needed)",
                [Candidate(annotators=w, value=v) for v, w in by_value.items()],
                attribute=name,
            )
        if not enough:
            return None
        first = next(iter(views.values())).doc
        return Document(
            id=adoc.id,
            text=text,
            meta=first.meta,
            spans=spans,
            relations=relations,
            doc_labels=doc_labels,
            schema_version=self.schema.version,
            provenance=provenance,
        )


def adjudicate(
    aset: AnnotationSource, schema: Schema, *, min_votes: int = 2, progress: bool = False
) -> Adjudication:
    """Majority gold and review list for grouped annotations (see module docstring).

    Raises:
        InputError: ``min_votes`` below 1.
    """
    if min_votes < 1:
        raise InputError(f"--min-votes must be at least 1, got {min_votes}")
    done: list[tuple[int, Document | None, list[ReviewItem]]] = []
    docs = aset.iter_docs(1)
    if progress:
        docs = track(docs, "adjudicate", total=aset.articles(1))
    for adoc in docs:
        worker = _DocAdjudicator(adoc, schema, min_votes)
        done.append((adoc.position, worker.run(), worker.review))
    done.sort(key=lambda x: x[0])  # the input file's order, however articles were completed
    gold = [doc for _, doc, _ in done if doc is not None]
    review = [item for _, _, items in done for item in items]
    return Adjudication(gold=gold, review=review)


def adjudicate_file(
    path: str | Path,
    out_dir: str | Path,
    *,
    min_votes: int = 2,
    schema: Schema | None = None,
    version: str | None = None,
    progress: bool = False,
) -> AdjudicateResult:
    """Read annotations, adjudicate, and write a new immutable gold version in ``out_dir``.

    Example:
        >>> r = adjudicate_file("annotations.jsonl", "gold")  # doctest: +SKIP
        >>> r.written.manifest.version  # doctest: +SKIP
        'v0001'
    """
    schema = schema or load_schema()
    aset = open_annotations(path, schema)
    result = adjudicate(aset, schema, min_votes=min_votes, progress=progress)
    inputs = [
        InputInfo(
            path=str(path),
            sha256=file_sha256(path) if str(path) != "-" else "",
            documents=aset.documents_read,
            annotators=aset.annotators,
        )
    ]
    written = write_version(
        out_dir,
        result.gold,
        method="adjudicate",
        review=result.review,
        inputs=inputs,
        min_votes=min_votes,
        schema=f"{schema.name} {schema.version}",
        version=version,
    )
    m = written.manifest
    directory = Path(written.directory)
    return AdjudicateResult(
        written=written,
        gold_path=str(directory / m.file),
        review_path=str(directory / m.review_file) if m.review_file else None,
        counts=m.counts,
    )
