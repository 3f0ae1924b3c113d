"""Schema -> ``datasets.Features``, and Document <-> dataset row.

The export's columns are derived from the schema, never spelled here, so a new label or attribute
in ``schemas/*.yaml`` appears in the dataset without a code change.  One row per article:

=================  ==============================================================================
column             type
=================  ==============================================================================
``id``             string: the article id
``text``           string: the normalised article text (offsets index it)
``meta``           string: the Document's ``meta`` as JSON (free-form, so kept as text, lossless)
``annotator``      string or null
``spans``          list of {id, start, end, label (ClassLabel of span labels), text, one string
                   field per attribute of any span label}
``relations``      list of {id, head, tail, label (ClassLabel of relation labels), one string field
                   per attribute of any relation label}; stance is a relation here too
``stances``        list of {holder, target, holder_text, target_text, polarity (ClassLabel of the
                   schema's polarities), one string field per other stance attribute}: the
                   ``STANCE`` relations again, flattened for stance users (only if the schema has
                   a stance section)
``doc_labels``     {one ClassLabel per document label}; -1 when the label is absent
``tokens``         list of strings (see :mod:`~backchannel.annotation.export.tokenize`)
``token_starts``   list of int32: start offset of each token in ``text``
``token_ends``     list of int32: end offset (exclusive)
``ner_tags``       list of ClassLabel of ``schema.bio_tags``
=================  ==============================================================================

Missing attributes are ``None`` (Arrow null), not an empty string: an empty string could be
mistaken for a value, and null survives parquet, Arrow and pandas unchanged.  Attribute values
stay strings (``"yes"``/``"no"``) as in the schema; the span, relation, polarity, document
labels and BIO tags are ``ClassLabel`` integers whose names come from the schema in schema
order.  An attribute whose name collides with a fixed field (``id``, ``start``...) is prefixed
with ``attr_``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import msgspec

from backchannel.annotation.export.tokenize import BioResult, bio_tags
from backchannel.documents import Document, Relation, Span

if TYPE_CHECKING:
    import datasets

    from backchannel.schema import Schema

__all__ = [
    "RowCodec",
    "document_to_row",
    "row_to_document",
    "schema_features",
    "strip_for_dataset",
]

_SPAN_FIXED = ("id", "start", "end", "label", "text")
_REL_FIXED = ("id", "head", "tail", "label")
_STANCE_FIXED = ("holder", "target", "holder_text", "target_text")


def _field(name: str, fixed: tuple[str, ...]) -> str:
    return f"attr_{name}" if name in fixed else name


def _attribute_names(defs: list[dict[str, Any]]) -> list[str]:
    """Attribute names of several labels, in schema order, each once."""
    names: list[str] = []
    for attrs in defs:
        for name in attrs:
            if name not in names:
                names.append(name)
    return names


class RowCodec:
    """Everything derived from a schema that turning Documents into rows needs, computed once.

    Args:
        schema: the loaded schema.
    """

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.span_labels = schema.span_labels
        self.relation_labels = schema.relation_labels
        self.span_index = {name: i for i, name in enumerate(self.span_labels)}
        self.relation_index = {name: i for i, name in enumerate(self.relation_labels)}
        self.tag_index = {name: i for i, name in enumerate(schema.bio_tags)}
        self.span_attrs = _attribute_names([d.attributes for d in schema.spans.values()])
        self.relation_attrs = _attribute_names([d.attributes for d in schema.relations.values()])
        self.doc_label_values = {
            name: list(adef.values) for name, adef in schema.doc_labels.items()
        }
        self.stance_relation = schema.stance.relation if schema.stance else None
        self.polarity_attr = schema.stance.attribute if schema.stance else None
        self.polarity_index = {p: i for i, p in enumerate(schema.polarities)}
        self.stance_attrs = (
            [
                a
                for a in schema.relations[schema.stance.relation].attributes
                if a != schema.stance.attribute
            ]
            if schema.stance
            else []
        )

    # -- features --------------------------------------------------------------------------
    def features(self) -> datasets.Features:
        """The ``datasets.Features`` of an export made with this schema."""
        from datasets import ClassLabel, Features, List, Value

        string = Value("string")
        span = {
            "id": string,
            "start": Value("int32"),
            "end": Value("int32"),
            "label": ClassLabel(names=self.span_labels),
            "text": string,
        }
        span |= {_field(a, _SPAN_FIXED): string for a in self.span_attrs}
        relation = {
            "id": string,
            "head": string,
            "tail": string,
            "label": ClassLabel(names=self.relation_labels or ["NONE"]),
        }
        relation |= {_field(a, _REL_FIXED): string for a in self.relation_attrs}
        columns: dict[str, Any] = {
            "id": string,
            "text": string,
            "meta": string,
            "annotator": string,
            "spans": List(span),
            "relations": List(relation),
        }
        if self.stance_relation is not None:
            stance = {name: string for name in _STANCE_FIXED}
            stance["polarity"] = ClassLabel(names=self.schema.polarities)
            stance |= {_field(a, _STANCE_FIXED): string for a in self.stance_attrs}
            columns["stances"] = List(stance)
        if self.doc_label_values:
            columns["doc_labels"] = {
                name: ClassLabel(names=values) for name, values in self.doc_label_values.items()
            }
        columns["tokens"] = List(string)
        columns["token_starts"] = List(Value("int32"))
        columns["token_ends"] = List(Value("int32"))
        columns["ner_tags"] = List(ClassLabel(names=self.schema.bio_tags))
        return Features(columns)

    # -- rows ------------------------------------------------------------------------------
    def to_row(self, doc: Document, bio: BioResult | None = None) -> dict[str, Any]:
        """One dataset row (ClassLabels already as integers) for ``doc``.

        Args:
            doc: a validated Document.
            bio: its BIO tagging, if the caller already has it (the exporter shares it with
                the spaCy writer); computed here otherwise.
        """
        text = doc.text
        if bio is None:
            bio = bio_tags(text, doc.spans, self.span_labels)
        spans = []
        for s in doc.spans:
            row: dict[str, Any] = {
                "id": s.id,
                "start": s.start,
                "end": s.end,
                "label": self.span_index[s.label],
                "text": text[s.start : s.end],
            }
            for a in self.span_attrs:
                row[_field(a, _SPAN_FIXED)] = s.attrs.get(a)
            spans.append(row)
        texts = {s.id: text[s.start : s.end] for s in doc.spans}
        relations = []
        stances = []
        for r in doc.relations:
            rrow: dict[str, Any] = {
                "id": r.id,
                "head": r.head,
                "tail": r.tail,
                "label": self.relation_index[r.label],
            }
            for a in self.relation_attrs:
                rrow[_field(a, _REL_FIXED)] = r.attrs.get(a)
            relations.append(rrow)
            if r.label == self.stance_relation:
                polarity = r.attrs.get(self.polarity_attr or "")
                srow: dict[str, Any] = {
                    "holder": r.head,
                    "target": r.tail,
                    "holder_text": texts.get(r.head),
                    "target_text": texts.get(r.tail),
                    "polarity": self.polarity_index[polarity] if polarity is not None else -1,
                }
                for a in self.stance_attrs:
                    srow[_field(a, _STANCE_FIXED)] = r.attrs.get(a)
                stances.append(srow)
        out: dict[str, Any] = {
            "id": doc.id,
            "text": text,
            "meta": json.dumps(doc.meta, ensure_ascii=False, sort_keys=True),
            "annotator": doc.annotator,
            "spans": spans,
            "relations": relations,
        }
        if self.stance_relation is not None:
            out["stances"] = stances
        if self.doc_label_values:
            out["doc_labels"] = {
                name: (values.index(doc.doc_labels[name]) if name in doc.doc_labels else -1)
                for name, values in self.doc_label_values.items()
            }
        out["tokens"] = [text[t.start : t.end] for t in bio.tokens]
        out["token_starts"] = [t.start for t in bio.tokens]
        out["token_ends"] = [t.end for t in bio.tokens]
        out["ner_tags"] = [self.tag_index[t] for t in bio.tags]
        return out

    def from_row(self, row: dict[str, Any]) -> Document:
        """The Document a row was made from (without provenance, scores and source ids).

        ``row`` may hold ClassLabels as integers (as read back from parquet or Arrow).
        """
        spans = []
        for s in row["spans"]:
            attrs = {
                a: s[_field(a, _SPAN_FIXED)]
                for a in self.span_attrs
                if s.get(_field(a, _SPAN_FIXED)) is not None
            }
            spans.append(
                Span(
                    id=s["id"],
                    start=s["start"],
                    end=s["end"],
                    label=self.span_labels[s["label"]],
                    attrs=attrs,
                )
            )
        relations = []
        for r in row["relations"]:
            attrs = {
                a: r[_field(a, _REL_FIXED)]
                for a in self.relation_attrs
                if r.get(_field(a, _REL_FIXED)) is not None
            }
            relations.append(
                Relation(
                    head=r["head"],
                    tail=r["tail"],
                    label=self.relation_labels[r["label"]],
                    id=r["id"],
                    attrs=attrs,
                )
            )
        doc_labels = {
            name: values[row["doc_labels"][name]]
            for name, values in self.doc_label_values.items()
            if row.get("doc_labels") and row["doc_labels"].get(name, -1) >= 0
        }
        return Document(
            id=row["id"],
            text=row["text"],
            meta=json.loads(row["meta"]),
            spans=spans,
            relations=relations,
            doc_labels=doc_labels,
            annotator=row.get("annotator"),
        )


def strip_for_dataset(doc: Document) -> Document:
    """``doc`` without what the dataset row does not carry (provenance, scores, LS ids).

    Used by tests and by users who want to compare a row read back with the gold record.
    """
    return msgspec.structs.replace(
        doc,
        spans=[
            Span(id=s.id, start=s.start, end=s.end, label=s.label, attrs=dict(s.attrs))
            for s in doc.spans
        ],
        relations=[
            Relation(head=r.head, tail=r.tail, label=r.label, id=r.id, attrs=dict(r.attrs))
            for r in doc.relations
        ],
        source_ids={},
        annotation=None,
        score=None,
        schema_version=None,
        provenance={},
    )


def schema_features(schema: Schema) -> datasets.Features:
    """``datasets.Features`` of an export made with ``schema`` (see the module docstring)."""
    return RowCodec(schema).features()


def document_to_row(doc: Document, schema: Schema) -> dict[str, Any]:
    """One dataset row for ``doc`` (convenience; build a :class:`RowCodec` for many)."""
    return RowCodec(schema).to_row(doc)


def row_to_document(row: dict[str, Any], schema: Schema) -> Document:
    """The Document a dataset row was made from (convenience over :class:`RowCodec`)."""
    return RowCodec(schema).from_row(row)
