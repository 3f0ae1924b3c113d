"""Relation heads: a pair classifier per (head label, tail label), and relation attributes.

Candidates are every ordered pair of non-overlapping mentions in one sentence whose labels some
relation of the schema allows (CHANNEL→ACTOR for PARTICIPANT, ACTOR→ISSUE for STANCE, …); the
gold relations cover 97% of the bundled corpus's relations that way, and a sentence holds at
most a dozen mentions, so the pairs stay few.  Each pair type has its own classifier whose
classes are ``none`` and the relations seen for it in training; each relation attribute
(``role``, ``polarity``, ``expressed``) has a classifier trained on the gold relations of its
label, over the same pair features.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from backchannel.eval.models.learned.features import pair_features
from backchannel.eval.models.learned.linear import LinearHead, fit_linear
from backchannel.eval.models.learned.tokens import Mention, TokenView

if TYPE_CHECKING:
    from backchannel.schema import Schema

__all__ = [
    "NONE",
    "PairLink",
    "RelationAttribute",
    "candidate_pairs",
    "fit_relations",
    "link_pairs",
    "pair_types",
    "relation_attributes",
]

#: The class of a candidate pair that is not related.
NONE = "none"


@dataclass(frozen=True)
class RelationAttribute:
    """One categorical relation attribute to learn, as the schema defines it."""

    relation: str
    attribute: str
    values: tuple[str, ...]
    required: bool
    default: str | None

    @property
    def name(self) -> str:
        """The head's name in the model directory: ``relation/LABEL/attribute``."""
        return f"relation/{self.relation}/{self.attribute}"


@dataclass(eq=False)
class PairLink:
    """A predicted relation between two mentions, with its probability and attributes."""

    head: Mention
    tail: Mention
    label: str
    score: float
    attrs: dict[str, str] = field(default_factory=dict)


def pair_types(schema: Schema) -> dict[tuple[str, str], list[str]]:
    """(head label, tail label) -> the relations the schema allows between them."""
    out: dict[tuple[str, str], list[str]] = {}
    for name, rdef in schema.relations.items():
        for h in rdef.head or list(schema.spans):
            for t in rdef.tail or list(schema.spans):
                out.setdefault((h, t), []).append(name)
    return out


def pair_name(key: tuple[str, str]) -> str:
    """The pair head's name in the model directory: ``pair/HEAD/TAIL``."""
    return f"pair/{key[0]}/{key[1]}"


def relation_attributes(schema: Schema) -> list[RelationAttribute]:
    """Every relation attribute of the schema, in schema order."""
    return [
        RelationAttribute(rel, name, tuple(adef.values), adef.required, adef.default)
        for rel, rdef in schema.relations.items()
        for name, adef in rdef.attributes.items()
    ]


def candidate_pairs(
    view: TokenView, mentions: Sequence[Mention], types: dict[tuple[str, str], list[str]]
) -> Iterator[tuple[Mention, Mention, dict[str, float]]]:
    """Every allowed ordered pair in one sentence, with its features."""
    by_sent: dict[int, list[Mention]] = {}
    for m in mentions:
        by_sent.setdefault(m.sent, []).append(m)
    for group in by_sent.values():
        for h in group:
            for t in group:
                if h is t or (h.label, t.label) not in types:
                    continue
                if h.s < t.e and t.s < h.e:
                    continue  # nested or overlapping mentions: one phrase, never two parties
                yield h, t, pair_features(view, h, t, group)


def fit_relations(
    docs: Sequence[tuple[TokenView, list[Mention], dict[tuple[str, str], tuple[str, dict]]]],
    types: dict[tuple[str, str], list[str]],
    attributes: Sequence[RelationAttribute],
    seed: int,
) -> dict[str, LinearHead]:
    """Pair heads and relation attribute heads from gold documents.

    ``docs`` holds, per document, its view, its gold mentions (``key`` = span id) and its gold
    relations as ``{(head id, tail id): (label, attrs)}``.
    """
    pair_rows: dict[tuple[str, str], tuple[list, list]] = {}
    attr_rows: dict[str, tuple[list, list]] = {}
    for view, mentions, gold in docs:
        for h, t, feats in candidate_pairs(view, mentions, types):
            label, attrs = gold.get((h.key, t.key), (NONE, {}))
            if label != NONE and label not in types[(h.label, t.label)]:
                label, attrs = NONE, {}
            rows, targets = pair_rows.setdefault((h.label, t.label), ([], []))
            rows.append(feats)
            targets.append(label)
            for ra in attributes:
                if ra.relation != label:
                    continue
                value = attrs.get(ra.attribute, ra.default)
                if value is not None:
                    a_rows, a_targets = attr_rows.setdefault(ra.name, ([], []))
                    a_rows.append(feats)
                    a_targets.append(value)
    heads = {}
    for key, (rows, targets) in pair_rows.items():
        if any(t != NONE for t in targets):
            heads[pair_name(key)] = fit_linear(rows, targets, seed)
    for name, (rows, targets) in attr_rows.items():
        heads[name] = fit_linear(rows, targets, seed)
    return heads


def link_pairs(
    view: TokenView,
    mentions: Sequence[Mention],
    types: dict[tuple[str, str], list[str]],
    attributes: Sequence[RelationAttribute],
    heads: dict[str, LinearHead],
) -> list[PairLink]:
    """The relations the pair heads predict, with their attributes.

    A pair is related when a relation beats ``none``; its attributes come from their heads, and
    a required attribute no example taught gets the schema default (else its first value).
    """
    links: list[PairLink] = []
    by_type: dict[tuple[str, str], list[tuple[Mention, Mention, dict[str, float]]]] = {}
    for h, t, feats in candidate_pairs(view, mentions, types):
        if pair_name((h.label, t.label)) in heads:
            by_type.setdefault((h.label, t.label), []).append((h, t, feats))
    for key, group in by_type.items():
        head = heads[pair_name(key)]
        probs = head.proba([feats for _, _, feats in group])
        for (h, t, feats), p in zip(group, probs, strict=True):
            k = int(np.argmax(p))
            label = head.classes[k]
            if label != NONE:
                attrs = _attributes(label, feats, attributes, heads)
                links.append(PairLink(h, t, label, float(p[k]), attrs))
    return links


def _attributes(
    label: str,
    feats: dict[str, float],
    attributes: Sequence[RelationAttribute],
    heads: dict[str, LinearHead],
) -> dict[str, str]:
    attrs = {}
    for ra in attributes:
        if ra.relation != label:
            continue
        head = heads.get(ra.name)
        if head is not None:
            p = head.proba([feats])[0]
            order = [head.classes[k] for k in np.argsort(-p, kind="stable")]
            value = next((c for c in order if c in ra.values), None)
            if value is not None:
                attrs[ra.attribute] = value
                continue
        if ra.required:
            attrs[ra.attribute] = ra.default if ra.default is not None else ra.values[0]
    return attrs
