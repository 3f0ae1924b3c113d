"""Document content <-> a Label Studio ``result`` list (regions, attributes, relations, labels).

Both directions live here, side by side, so that what :func:`document_to_result` writes and what
:func:`parse_result` accepts can be read against each other.  The mapping follows the labeling
config of :mod:`backchannel.annotation.labelstudio.config`:

- a span is a ``labels`` result on the ``label`` control whose region id is the span id;
- a span attribute is a per-region ``choices`` result named ``LABEL__attr`` on the same region;
- a relation is a ``relation`` result ``from_id`` -> ``to_id`` whose labels are the relation label
  plus one ``attr:value`` label per attribute (Label Studio relations carry no attributes);
  direction ``right`` means head = ``from_id``, ``left`` means head = ``to_id``;
- a document label is a plain ``choices`` result named after it.

Offsets go through :mod:`~backchannel.annotation.labelstudio.offsets` and nothing else.  A region
whose stored text disagrees with the task text at its offsets, a relation to a missing region,
a result from an unknown control: each is refused with the task id and region id, because a
silent guess here corrupts a gold dataset.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from backchannel.annotation.labelstudio import offsets
from backchannel.annotation.labelstudio.config import (
    LABELS_NAME,
    RELATION_ATTR_SEP,
    TEXT_NAME,
    region_attr_name,
    relation_value,
)
from backchannel.documents import Document, Relation, Span
from backchannel.errors import ConversionError, quote
from backchannel.schema import Schema

__all__ = [
    "ATTR_SEP",
    "ParsedResult",
    "as_list",
    "as_mapping",
    "document_to_result",
    "parse_result",
]

ATTR_SEP = "__"


def as_list(value: Any, what: str, task_id: Any, region_id: str | None = None) -> list[Any]:
    """A JSON list from an export, or a ConversionError naming it (exports come from many hands)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConversionError(
            f"{what} is not a list (got {quote(value)})", task_id=task_id, span_id=region_id
        )
    return value


def as_mapping(
    value: Any, what: str, task_id: Any, region_id: str | None = None
) -> Mapping[str, Any]:
    """A JSON object from an export, or a ConversionError naming it."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConversionError(
            f"{what} is not an object (got {quote(value)})", task_id=task_id, span_id=region_id
        )
    return value


def document_to_result(doc: Document) -> list[dict[str, Any]]:
    """The Label Studio ``result`` list (regions, attributes, relations, document choices)."""
    text = doc.text
    result: list[dict[str, Any]] = []
    attr_results: list[dict[str, Any]] = []
    for span in doc.spans:
        start, end = offsets.to_studio(text, span.start, span.end)
        value = {
            "start": start,
            "end": end,
            "text": offsets.region_text(text, span.start, span.end),
        }
        region: dict[str, Any] = {
            "id": span.id,
            "from_name": LABELS_NAME,
            "to_name": TEXT_NAME,
            "type": "labels",
            "value": {**value, "labels": [span.label]},
        }
        if span.score is not None:
            region["score"] = span.score
        result.append(region)
        for attr, attr_value in span.attrs.items():
            attr_results.append(
                {
                    "id": span.id,
                    "from_name": region_attr_name(span.label, attr),
                    "to_name": TEXT_NAME,
                    "type": "choices",
                    "value": {**value, "choices": [attr_value]},
                }
            )
    result.extend(attr_results)
    for rel in doc.relations:
        item: dict[str, Any] = {
            "from_id": rel.head,
            "to_id": rel.tail,
            "type": "relation",
            "direction": "right",
            "labels": [rel.label] + [relation_value(k, v) for k, v in rel.attrs.items()],
        }
        if rel.id is not None:
            item["id"] = rel.id
        if rel.score is not None:
            item["score"] = rel.score
        result.append(item)
    for name, choice in doc.doc_labels.items():
        result.append(
            {
                "id": f"doc{ATTR_SEP}{name}",
                "from_name": name,
                "to_name": TEXT_NAME,
                "type": "choices",
                "value": {"choices": [choice]},
            }
        )
    return result


@dataclass
class ParsedResult:
    """The content of one result list, ready to put into a Document."""

    spans: list[Span] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    doc_labels: dict[str, str] = field(default_factory=dict)


def _region_offsets(
    text: str, value: Mapping[str, Any], task_id: Any, region_id: str
) -> tuple[int, int]:
    start, end = value.get("start"), value.get("end")
    if not isinstance(start, int) or not isinstance(end, int):
        raise ConversionError(
            f"region has no integer start/end (got {quote(start)}, {quote(end)})",
            task_id=task_id,
            span_id=region_id,
        )
    mapped = offsets.from_studio(text, start, end)
    if mapped is None:
        raise ConversionError(
            f"region offsets [{start}, {end}) do not fit the task text of length {len(text)}",
            task_id=task_id,
            span_id=region_id,
        )
    actual = offsets.region_text(text, *mapped)
    stored = value.get("text")
    if not offsets.text_matches(stored if isinstance(stored, str) else None, actual):
        raise ConversionError(
            f"region text {quote(stored)} does not match the task text at [{start}, {end}) "
            f"{quote(actual)} (was the task text changed after annotation?)",
            task_id=task_id,
            span_id=region_id,
        )
    return mapped


def parse_result(
    result: Iterable[Mapping[str, Any]], text: str, task_id: Any, schema: Schema | None
) -> ParsedResult:
    out = ParsedResult()
    spans: dict[str, Span] = {}
    region_choices: list[tuple[str, str, Mapping[str, Any]]] = []
    relations: list[Mapping[str, Any]] = []
    doc_label_names = set(schema.doc_labels) if schema is not None else None
    for item in as_list(result, "annotation result", task_id):
        item = as_mapping(item, "result item", task_id)
        kind = item.get("type")
        rid = str(item.get("id", "?"))
        if kind == "relation":
            relations.append(item)
            continue
        value = as_mapping(item.get("value"), "region value", task_id, rid)
        name = item.get("from_name")
        if not isinstance(name, str):
            raise ConversionError(
                f"result has no control name (from_name {quote(name)})",
                task_id=task_id,
                span_id=rid,
            )
        if kind == "labels":
            if name != LABELS_NAME:
                raise ConversionError(
                    f"labels from unknown control {quote(name)} (expected {LABELS_NAME!r})",
                    task_id=task_id,
                    span_id=rid,
                )
            labels = as_list(value.get("labels"), "region labels", task_id, rid)
            if len(labels) != 1:
                raise ConversionError(
                    f"region has {len(labels)} labels {quote(labels)}; exactly one is expected",
                    task_id=task_id,
                    span_id=rid,
                )
            if rid in spans:
                raise ConversionError("two regions share this id", task_id=task_id, span_id=rid)
            start, end = _region_offsets(text, value, task_id, rid)
            span = Span(id=rid, start=start, end=end, label=str(labels[0]))
            if isinstance(item.get("score"), int | float):
                span.score = float(item["score"])
            spans[rid] = span
            out.spans.append(span)
        elif kind == "choices":
            choices = as_list(value.get("choices"), "choices", task_id, rid)
            if not choices:
                continue
            if len(choices) != 1:
                raise ConversionError(
                    f"{quote(name)} has {len(choices)} choices {quote(choices)}; one is expected",
                    task_id=task_id,
                    span_id=rid,
                )
            if "start" in value:
                region_choices.append((rid, str(name), {"choice": str(choices[0]), **value}))
            else:
                if doc_label_names is not None and name not in doc_label_names:
                    raise ConversionError(
                        f"choices from unknown control {quote(name)}",
                        task_id=task_id,
                        span_id=rid,
                    )
                out.doc_labels[str(name)] = str(choices[0])
        else:
            raise ConversionError(
                f"unsupported result type {quote(kind)} from {quote(name)}",
                task_id=task_id,
                span_id=rid,
            )
    for rid, name, value in region_choices:
        span = spans.get(rid)
        if span is None:
            raise ConversionError(
                f"attribute {quote(name)} belongs to no labelled region",
                task_id=task_id,
                span_id=rid,
            )
        if ATTR_SEP not in name:
            raise ConversionError(
                f"per-region choices {quote(name)} is not named LABEL{ATTR_SEP}attribute",
                task_id=task_id,
                span_id=rid,
            )
        prefix = span.label + ATTR_SEP
        if not name.startswith(prefix):
            # The annotator changed the region's label after choosing this attribute: the UI
            # hides it, so it is not part of what they see or mean.
            continue
        span.attrs = {**span.attrs, name[len(prefix) :]: value["choice"]}
    for item in relations:
        out.relations.append(_parse_relation(item, spans, task_id))
    return out


def _parse_relation(item: Mapping[str, Any], spans: Mapping[str, Span], task_id: Any) -> Relation:
    src, dst = str(item.get("from_id")), str(item.get("to_id"))
    where = f"{src}->{dst}"
    for end in (src, dst):
        if end not in spans:
            raise ConversionError(
                f"relation points at missing region {quote(end)}", task_id=task_id, span_id=where
            )
    labels = [str(x) for x in as_list(item.get("labels"), "relation labels", task_id, where)]
    names = [x for x in labels if RELATION_ATTR_SEP not in x]
    if len(names) != 1:
        raise ConversionError(
            f"relation needs exactly one relation label, has {quote(names)}",
            task_id=task_id,
            span_id=where,
            hint="pick one of the schema's relation labels besides any attr:value labels",
        )
    attrs: dict[str, str] = {}
    for x in labels:
        if RELATION_ATTR_SEP in x:
            key, _, val = x.partition(RELATION_ATTR_SEP)
            if key in attrs:
                raise ConversionError(
                    f"relation has two values for {quote(key)}: {quote(attrs[key])} and "
                    f"{quote(val)}",
                    task_id=task_id,
                    span_id=where,
                )
            attrs[key] = val
    direction = item.get("direction", "right")
    head, tail = (dst, src) if direction == "left" else (src, dst)
    rel = Relation(head=head, tail=tail, label=names[0], attrs=attrs)
    if isinstance(item.get("id"), str):
        rel.id = item["id"]
    if isinstance(item.get("score"), int | float):
        rel.score = float(item["score"])
    return rel
