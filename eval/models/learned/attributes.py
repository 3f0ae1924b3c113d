"""Span attribute heads: one classifier per categorical attribute of each span label.

The schema says which attributes exist (``actor_kind``, ``country``, ``modality``, …), which are
required and which have a default; nothing here names one.  Each head is trained on the gold
spans of its label that carry the attribute (or, when the schema gives a default, on every span
of the label, the default standing in for an absent value, as the scorer counts it).

A country-like attribute (one whose values hold most of the gazetteer's ISO codes) learns a
relative class as well, :data:`GAZETTEER` = "the country the gazetteer finds in the span", so
that *Kenyan officials* gets ``KEN`` even when no Kenyan actor was in the training gold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from backchannel.eval.models.learned.features import Gazetteer, span_features
from backchannel.eval.models.learned.linear import LinearHead, fit_linear
from backchannel.eval.models.learned.tokens import Mention, TokenView

if TYPE_CHECKING:
    from backchannel.schema import Schema

__all__ = ["GAZETTEER", "AttributeTask", "attribute_tasks", "fill_attributes", "fit_attributes"]

#: The relative class of a country-like attribute: the gazetteer's country in the span.
GAZETTEER = "=gazetteer"


@dataclass(frozen=True)
class AttributeTask:
    """One categorical span attribute to learn, as the schema defines it."""

    label: str
    attribute: str
    values: tuple[str, ...]
    required: bool
    default: str | None
    country_like: bool

    @property
    def name(self) -> str:
        """The head's name in the model directory: ``span/LABEL/attribute``."""
        return f"span/{self.label}/{self.attribute}"

    def fallback(self) -> str:
        """The value of a required attribute no example taught: the default, else the first."""
        return self.default if self.default is not None else self.values[0]


def attribute_tasks(schema: Schema, gaz: Gazetteer) -> list[AttributeTask]:
    """Every span attribute of the schema, in schema order."""
    tasks = []
    for label, ldef in schema.spans.items():
        for name, adef in ldef.attributes.items():
            values = tuple(adef.values)
            shared = len(gaz.codes.intersection(values))
            tasks.append(
                AttributeTask(
                    label=label,
                    attribute=name,
                    values=values,
                    required=adef.required,
                    default=adef.default,
                    country_like=bool(gaz.codes) and shared >= len(gaz.codes) / 2,
                )
            )
    return tasks


def _target(task: AttributeTask, view: TokenView, m: Mention, gaz: Gazetteer) -> str | None:
    """The class a gold mention teaches, or None when it says nothing about the attribute."""
    value = m.attrs.get(task.attribute, task.default)
    if value is None:
        return None
    if task.country_like:
        hits = gaz.hits(view.words[m.s : m.e])
        if hits and hits[0] == value:
            return GAZETTEER
    return value


def fit_attributes(
    docs: Sequence[tuple[TokenView, list[Mention]]],
    tasks: Sequence[AttributeTask],
    gaz: Gazetteer,
    seed: int,
) -> dict[str, LinearHead]:
    """One head per task that the gold gives at least one example of."""
    heads = {}
    for task in tasks:
        rows, targets = [], []
        for view, mentions in docs:
            for m in mentions:
                if m.label != task.label:
                    continue
                target = _target(task, view, m, gaz)
                if target is not None:
                    rows.append(span_features(view, m, gaz))
                    targets.append(target)
        if targets:
            heads[task.name] = fit_linear(rows, targets, seed)
    return heads


def fill_attributes(
    view: TokenView,
    mentions: Sequence[Mention],
    tasks: Sequence[AttributeTask],
    heads: dict[str, LinearHead],
    gaz: Gazetteer,
) -> None:
    """Set ``attrs`` of every mention: each learned attribute, and every required one.

    A learned attribute is always filled (the scorer counts a missing value as wrong, and an
    annotator corrects a value faster than types one); a required attribute without a head
    gets :meth:`AttributeTask.fallback`.
    """
    feats = {id(m): span_features(view, m, gaz) for m in mentions}
    for task in tasks:
        mine = [m for m in mentions if m.label == task.label]
        if not mine:
            continue
        head = heads.get(task.name)
        if head is None:
            if task.required:
                for m in mine:
                    m.attrs[task.attribute] = task.fallback()
            continue
        probs = head.proba([feats[id(m)] for m in mine])
        for m, p in zip(mine, probs, strict=True):
            m.attrs[task.attribute] = _choose(task, head, p, view, m, gaz)


def _choose(
    task: AttributeTask,
    head: LinearHead,
    p: np.ndarray,
    view: TokenView,
    m: Mention,
    gaz: Gazetteer,
) -> str:
    """The most probable class that is a value here (the gazetteer class needs a hit)."""
    hits = gaz.hits(view.words[m.s : m.e]) if task.country_like else []
    for k in np.argsort(-p, kind="stable"):
        cls = head.classes[k]
        if cls == GAZETTEER:
            if hits and hits[0] in task.values:
                return hits[0]
            continue
        if cls in task.values:
            return cls
    return task.fallback()
