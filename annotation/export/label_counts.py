"""Counts of an export, per split, gathered while the documents stream past.

Every figure in the dataset card comes from here (or from the agreement JSON): nothing in the
card is typed by hand.  Counts are plain dicts so the result serialises to JSON as is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

if TYPE_CHECKING:
    from backchannel.annotation.export.tokenize import BioResult
    from backchannel.documents import Document
    from backchannel.schema import Schema

__all__ = ["SplitStats", "provenance_summary"]


def _inc(counter: dict[str, int], key: str, n: int = 1) -> None:
    counter[key] = counter.get(key, 0) + n


class SplitStats(msgspec.Struct):
    """What one split holds.

    Attributes:
        documents: articles.
        characters: characters of text.
        tokens: tokens of the export's tokenizer.
        spans: span count per label.
        span_attributes: ``"LABEL.attr" -> value -> count``.
        relations: relation count per label.
        relation_attributes: ``"LABEL.attr" -> value -> count``.
        doc_labels: ``name -> value -> count``.
        bio_left_out: spans left out of the BIO tags and ``doc.ents`` (overlap rule).
        licenses, synthetic, authored_by, annotators: where the data came from.
        synthetic_annotation: documents whose meta marks their annotation as made by synthetic
            annotators (``synthetic_annotator`` or ``synthetic_annotators``).
    """

    documents: int = 0
    characters: int = 0
    tokens: int = 0
    spans: dict[str, int] = {}
    span_attributes: dict[str, dict[str, int]] = {}
    relations: dict[str, int] = {}
    relation_attributes: dict[str, dict[str, int]] = {}
    doc_labels: dict[str, dict[str, int]] = {}
    bio_left_out: int = 0
    licenses: dict[str, int] = {}
    synthetic: dict[str, int] = {}
    authored_by: dict[str, int] = {}
    annotators: dict[str, int] = {}
    synthetic_annotation: int = 0

    def add(self, doc: Document, bio: BioResult) -> None:
        """Count one document."""
        self.documents += 1
        self.characters += len(doc.text)
        self.tokens += len(bio.tokens)
        self.bio_left_out += len(bio.left_out)
        for s in doc.spans:
            _inc(self.spans, s.label)
            for key, value in s.attrs.items():
                _inc(self.span_attributes.setdefault(f"{s.label}.{key}", {}), value)
        for r in doc.relations:
            _inc(self.relations, r.label)
            for key, value in r.attrs.items():
                _inc(self.relation_attributes.setdefault(f"{r.label}.{key}", {}), value)
        for key, value in doc.doc_labels.items():
            _inc(self.doc_labels.setdefault(key, {}), value)
        meta = doc.meta
        _inc(self.licenses, str(meta.get("license") or "unknown"))
        synthetic = meta.get("synthetic")
        _inc(self.synthetic, "unknown" if synthetic is None else str(synthetic).lower())
        if meta.get("authored_by"):
            _inc(self.authored_by, str(meta["authored_by"]))
        if meta.get("synthetic_annotator") or meta.get("synthetic_annotators"):
            self.synthetic_annotation += 1
        for who in provenance_summary(doc):
            _inc(self.annotators, who)

    def merged(self, other: SplitStats) -> SplitStats:
        """The sum of two stats (for the all-splits column)."""
        out = msgspec.convert(msgspec.to_builtins(self), SplitStats)
        out.documents += other.documents
        out.characters += other.characters
        out.tokens += other.tokens
        out.bio_left_out += other.bio_left_out
        out.synthetic_annotation += other.synthetic_annotation
        for name in ("spans", "relations", "licenses", "synthetic", "authored_by", "annotators"):
            mine = getattr(out, name)
            for k, v in getattr(other, name).items():
                _inc(mine, k, v)
        for name in ("span_attributes", "relation_attributes", "doc_labels"):
            mine = getattr(out, name)
            for k, values in getattr(other, name).items():
                inner = mine.setdefault(k, {})
                for v, n in values.items():
                    _inc(inner, v, n)
        return out


def provenance_summary(doc: Document) -> set[str]:
    """Everyone credited in a gold document: its annotator, provenance annotators, adjudicators."""
    people: set[str] = set()
    items = [*doc.spans, *doc.relations]
    for item in items:
        if item.provenance is not None:
            people.update(item.provenance.annotators)
            if item.provenance.decided_by:
                people.add(item.provenance.decided_by)
    for prov in doc.provenance.values():
        people.update(prov.annotators)
        if prov.decided_by:
            people.add(prov.decided_by)
    return people


def check_schema_labels(stats: SplitStats, schema: Schema) -> list[str]:
    """Span labels of the schema that no document of the split uses (for the card's notes)."""
    return [label for label in schema.span_labels if label not in stats.spans]
