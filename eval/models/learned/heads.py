"""All the learned heads of one model: fit on gold Documents, fill in predicted spans, save.

Why one object: the span model hands over bare spans (offsets, label, score) and gets back
:class:`~backchannel.eval.models.base.Found` spans with attributes and the relations between
them; training, prediction and the directory layout stay together here, and the span model
(:mod:`backchannel.eval.models.ner`) knows nothing of features.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backchannel.eval.models.base import Found, FoundRelation
from backchannel.eval.models.learned.attributes import (
    attribute_tasks,
    fill_attributes,
    fit_attributes,
)
from backchannel.eval.models.learned.features import gazetteer
from backchannel.eval.models.learned.linear import LinearHead
from backchannel.eval.models.learned.relations import (
    fit_relations,
    link_pairs,
    pair_types,
    relation_attributes,
)
from backchannel.eval.models.learned.store import load_heads, save_heads
from backchannel.eval.models.learned.tokens import Mention, TokenView

if TYPE_CHECKING:
    from backchannel.documents import Document
    from backchannel.schema import Schema

__all__ = ["Heads"]

#: ``(start, end, label, score, reason)`` in characters: a span as a span model proposes it.
Item = tuple[int, int, str, float, str]


class Heads:
    """Attribute and relation classifiers for one schema.

    Example:
        >>> heads = Heads.fit(gold_documents, schema, seed=0)  # doctest: +SKIP
        >>> spans, relations = heads.annotate(text, [(0, 20, "ACTOR", 0.9, "spancat")])
        >>> heads.save(model_dir)  # doctest: +SKIP
    """

    def __init__(self, schema: Schema, heads: dict[str, LinearHead]) -> None:
        import spacy

        self.schema = schema
        self.heads = heads
        self.gaz = gazetteer()
        self.tasks = attribute_tasks(schema, self.gaz)
        self.types = pair_types(schema)
        self.relation_attributes = relation_attributes(schema)
        self.tokenizer = spacy.blank(schema.language or "en").tokenizer

    # -- training ------------------------------------------------------------------------------
    @classmethod
    def fit(cls, docs: Iterable[Document], schema: Schema, *, seed: int = 0) -> Heads:
        """Train every head the gold has examples for."""
        empty = cls(schema, {})
        span_docs: list[tuple[TokenView, list[Mention]]] = []
        rel_docs = []
        for doc in docs:
            view = empty.view(doc.text)
            mentions = []
            for s in doc.spans:
                m = view.mention(s.start, s.end, s.label, key=s.id)
                if m is not None:
                    m.attrs = dict(s.attrs)
                    mentions.append(m)
            gold = {(r.head, r.tail): (r.label, dict(r.attrs)) for r in doc.relations}
            span_docs.append((view, mentions))
            rel_docs.append((view, mentions, gold))
        heads = fit_attributes(span_docs, empty.tasks, empty.gaz, seed)
        heads.update(fit_relations(rel_docs, empty.types, empty.relation_attributes, seed))
        return cls(schema, heads)

    # -- prediction ----------------------------------------------------------------------------
    def view(self, text: str) -> TokenView:
        """The token view the heads read (spaCy's blank tokenizer, the rules' sentences)."""
        return TokenView(self.tokenizer(text))

    def annotate(self, text: str, items: Sequence[Item]) -> tuple[list[Found], list[FoundRelation]]:
        """Attributes for each proposed span, and the relations between them."""
        view = self.view(text)
        mentions = []
        for k, (start, end, label, _score, _reason) in enumerate(items):
            m = view.mention(start, end, label, key=k)
            if m is not None:
                mentions.append(m)
        fill_attributes(view, mentions, self.tasks, self.heads, self.gaz)
        found: dict[int, Found] = {}
        for m in mentions:
            _, _, label, score, reason = items[m.key]
            found[id(m)] = Found(m.start, m.end, label, m.attrs, score, reason, m.s, m.e, m.sent)
        rels = [
            FoundRelation(
                found[id(link.head)],
                found[id(link.tail)],
                link.label,
                dict(link.attrs),
                link.score,
                f"pair classifier p={link.score:.2f}",
            )
            for link in link_pairs(view, mentions, self.types, self.relation_attributes, self.heads)
        ]
        return list(found.values()), rels

    # -- the model directory -------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        """Write ``heads.json`` and ``heads.npz`` (see :mod:`.store`)."""
        save_heads(Path(directory), self.heads)

    @classmethod
    def load(cls, directory: Path, schema: Schema) -> Heads:
        """Read the heads :meth:`save` wrote."""
        return cls(schema, load_heads(Path(directory)))

    def summary(self) -> dict[str, Any]:
        """``{head: {"classes": n, "examples": n}}`` for ``meta.json``."""
        return {
            name: {"classes": len(h.classes), "examples": h.examples}
            for name, h in sorted(self.heads.items())
        }
