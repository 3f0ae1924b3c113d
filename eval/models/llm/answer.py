"""Reading a model's answer: lenient about wrapping, strict about shape, schema-checked items.

Models wrap JSON in code fences or a sentence, emit attributes the schema does not have, or
invent labels.  :func:`parse_answer` separates what must be retried (no JSON object with an
``extractions`` list: the answer is *malformed*) from what is merely dropped item by item (an
unknown label, a relation index out of range), so one bad item never costs a whole document.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from backchannel.schema import AttributeDef, Schema

__all__ = ["Extraction", "MalformedAnswer", "ParsedAnswer", "RawRelation", "parse_answer"]

_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)


class MalformedAnswer(ValueError):
    """The answer holds no JSON object of the expected shape (retried, then counted)."""


@dataclass
class Extraction:
    """One quoted mention: text, label, schema-valid attributes."""

    text: str
    label: str
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class RawRelation:
    """A relation by extraction index, before grounding."""

    head: int
    tail: int
    label: str
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class ParsedAnswer:
    """A well-formed answer with the items that passed the schema, and what did not."""

    extractions: list[Extraction | None]
    relations: list[RawRelation]
    invalid_items: int = 0
    invalid_attrs: int = 0


def _json_object(content: str) -> dict[str, Any]:
    text = content.strip()
    candidates = [text]
    candidates += [m.group(1).strip() for m in _FENCE.finditer(text)]
    first, last = text.find("{"), text.rfind("}")
    if 0 <= first < last:
        candidates.append(text[first : last + 1])
    for cand in candidates:
        try:
            obj = json.loads(cand)
        except ValueError:
            continue
        if isinstance(obj, dict):
            return obj
    raise MalformedAnswer(f"no JSON object in the answer ({len(content)} characters)")


def _attrs(raw: Any, defs: dict[str, AttributeDef]) -> tuple[dict[str, str], int]:
    """Keep the attributes the schema defines with an allowed value; count the rest."""
    if not isinstance(raw, dict):
        return {}, 0 if raw in (None, {}) else 1
    out: dict[str, str] = {}
    bad = 0
    for key, value in raw.items():
        if value is None:
            continue
        adef = defs.get(key)
        if adef is not None and isinstance(value, str) and value in adef.values:
            out[key] = value
        else:
            bad += 1
    return out, bad


def parse_answer(content: str, schema: Schema) -> ParsedAnswer:
    """Parse and check one answer.

    Extractions keep their positions (an invalid one becomes ``None``) so that relation
    indexes still point at the right items.

    Raises:
        MalformedAnswer: no JSON object, or no ``extractions`` list in it.
    """
    obj = _json_object(content)
    items = obj.get("extractions")
    if not isinstance(items, list):
        raise MalformedAnswer("the answer has no 'extractions' list")
    rels = obj.get("relations", [])
    if not isinstance(rels, list):
        raise MalformedAnswer("'relations' is not a list")
    out = ParsedAnswer([], [])
    for item in items:
        label = item.get("label") if isinstance(item, dict) else None
        text = item.get("text") if isinstance(item, dict) else None
        if not isinstance(text, str) or not text.strip() or label not in schema.spans:
            out.extractions.append(None)
            out.invalid_items += 1
            continue
        attrs, bad = _attrs(item.get("attrs"), schema.spans[label].attributes)
        out.invalid_attrs += bad
        out.extractions.append(Extraction(text, label, attrs))
    for item in rels:
        if not isinstance(item, dict):
            out.invalid_items += 1
            continue
        head, tail, label = item.get("head"), item.get("tail"), item.get("label")
        if (
            label not in schema.relations
            or not isinstance(head, int)
            or not isinstance(tail, int)
            or isinstance(head, bool)
            or isinstance(tail, bool)
        ):
            out.invalid_items += 1
            continue
        attrs, bad = _attrs(item.get("attrs"), schema.relations[label].attributes)
        out.invalid_attrs += bad
        out.relations.append(RawRelation(head, tail, label, attrs))
    return out
