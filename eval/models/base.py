"""What every baseline shares: turning found spans into a valid prediction Document.

Models collect :class:`Found` items (character offsets, label, attributes, score, reason) and
call :func:`make_prediction`, which sorts them, gives them stable ids (``a1`` actors, ``c1``
channels, ``v1`` venues, ``i1`` issues, as in the gold), drops exact duplicates and checks the
result against the schema, so a bad rule fails loudly in tests instead of writing an invalid file.

Every prediction Document also says which of its layers the model predicted and which it copied
from its input, in ``meta.layers`` (see :func:`declare_layers`): a model that only adds stances
to gold spans must not be credited with perfect span scores, so ``backchannel score`` leaves the
given layers out of its headline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from backchannel.documents import AnnotationInfo, Document, Relation, Span

if TYPE_CHECKING:
    from backchannel.schema import Schema

__all__ = [
    "ID_PREFIX",
    "LAYERS",
    "LAYERS_KEY",
    "Found",
    "FoundRelation",
    "declare_layers",
    "make_prediction",
]

ID_PREFIX = {"ACTOR": "a", "CHANNEL": "c", "VENUE": "v", "ISSUE": "i"}

#: The layers of a Document a model can predict: spans, relations other than stance, stance
#: relations, document labels.
LAYERS: tuple[str, ...] = ("spans", "relations", "stance", "doc_labels")
#: The ``meta`` key of a prediction Document that records ``{"predicted": [...], "given": [...]}``.
LAYERS_KEY = "layers"


def declare_layers(meta: dict[str, Any], given: Iterable[str] = ()) -> dict[str, Any]:
    """``meta`` with ``layers`` set: ``given`` copied from the input, every other layer predicted.

    Why: scoring reads this to leave copied layers out of a model's headline figures (a model
    that copies gold spans would otherwise score span F1 1.000).  A previous run's declaration
    in the input's meta is replaced, never merged.
    """
    given_set = set(given)
    unknown = given_set.difference(LAYERS)
    if unknown:
        raise ValueError(f"unknown layer(s) {sorted(unknown)}; layers are {', '.join(LAYERS)}")
    out = dict(meta)
    out[LAYERS_KEY] = {
        "predicted": [x for x in LAYERS if x not in given_set],
        "given": [x for x in LAYERS if x in given_set],
    }
    return out


@dataclass(eq=False)
class Found:
    """A span a model proposes, before ids are assigned.

    Attributes:
        start: character offset (inclusive).
        end: character offset (exclusive).
        label: span label.
        attrs: attributes from the schema's closed sets.
        score: confidence in [0, 1].
        reason: which rule or model produced it, shown to annotators.
        token_start: first token index (rules use it for distances).
        token_end: token index after the last token.
        sent: sentence index.
    """

    start: int
    end: int
    label: str
    attrs: dict[str, str] = field(default_factory=dict)
    score: float = 0.5
    reason: str = ""
    token_start: int = 0
    token_end: int = 0
    sent: int = 0


@dataclass(eq=False)
class FoundRelation:
    """A relation between two :class:`Found` spans."""

    head: Found
    tail: Found
    label: str
    attrs: dict[str, str] = field(default_factory=dict)
    score: float = 0.5
    reason: str = ""


def make_prediction(
    doc: Document,
    *,
    model: str,
    version: str,
    spans: list[Found],
    relations: list[FoundRelation],
    schema: Schema | None = None,
    doc_labels: dict[str, str] | None = None,
    given: Iterable[str] = (),
) -> Document:
    """Build the prediction Document for ``doc`` from found spans and relations.

    ``given`` names the layers (of :data:`LAYERS`) copied from the input rather than predicted;
    they are recorded in ``meta.layers`` (see :func:`declare_layers`).

    Duplicate spans (same offsets and label) are merged, keeping the higher score; relations
    whose ends were merged follow them.  The document ``score`` is the mean span score, which
    Label Studio shows as the prediction score.
    """
    best: dict[tuple[int, int, str], Found] = {}
    for f in spans:
        key = (f.start, f.end, f.label)
        if key not in best or f.score > best[key].score:
            best[key] = f
    ordered = sorted(best.values(), key=lambda f: (f.start, -f.end, f.label))
    counters: dict[str, int] = {}
    ids: dict[tuple[int, int, str], str] = {}
    out_spans: list[Span] = []
    text = doc.text
    for f in ordered:
        prefix = ID_PREFIX.get(f.label, "s")
        counters[prefix] = counters.get(prefix, 0) + 1
        sid = f"{prefix}{counters[prefix]}"
        ids[(f.start, f.end, f.label)] = sid
        out_spans.append(
            Span(
                id=sid,
                start=f.start,
                end=f.end,
                label=f.label,
                text=text[f.start : f.end],
                attrs=dict(f.attrs),
                score=round(f.score, 4),
                reason=f.reason or None,
            )
        )
    seen: set[tuple[str, str, str]] = set()
    out_rels: list[Relation] = []
    for r in relations:
        head = ids.get((r.head.start, r.head.end, r.head.label))
        tail = ids.get((r.tail.start, r.tail.end, r.tail.label))
        if head is None or tail is None or head == tail:
            continue
        key = (head, tail, r.label)
        if key in seen:
            continue
        seen.add(key)
        out_rels.append(
            Relation(
                head=head,
                tail=tail,
                label=r.label,
                attrs=dict(r.attrs),
                score=round(r.score, 4),
                reason=r.reason or None,
            )
        )
    score = round(sum(s.score or 0.0 for s in out_spans) / len(out_spans), 4) if out_spans else None
    pred = Document(
        id=doc.id,
        text=doc.text,
        meta=declare_layers(doc.meta, given),
        spans=out_spans,
        relations=out_rels,
        doc_labels=dict(doc_labels or {}),
        annotator=model,
        annotation=AnnotationInfo(model_version=f"{model}-{version}"),
        score=score,
        schema_version=schema.version if schema is not None else doc.schema_version,
    )
    return pred
