"""Small builders for scoring tests: documents from ``(start, end, label)`` triples."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from backchannel.documents import Document, Relation, Span, write_documents
from backchannel.eval.scoring.matching import MatchResult, match_spans

TEXT = "abcdefghij" * 10  # 100 characters: offsets are all that matter here
LABELS = ["ACTOR", "CHANNEL", "VENUE", "ISSUE"]
Triple = tuple[int, int, str]


def spans(triples: Sequence[Triple], prefix: str = "s", **attrs: str) -> list[Span]:
    return [
        Span(id=f"{prefix}{i}", start=s, end=e, label=lab, attrs=dict(attrs))
        for i, (s, e, lab) in enumerate(triples)
    ]


def doc(
    doc_id: str,
    triples: Sequence[Triple],
    relations: Sequence[tuple[int, int, str, dict[str, str]]] = (),
    text: str = TEXT,
) -> Document:
    """A Document whose relations refer to spans by position in ``triples``."""
    ss = spans(triples)
    rels = [
        Relation(head=ss[h].id, tail=ss[t].id, label=lab, attrs=dict(a))
        for h, t, lab, a in relations
    ]
    return Document(id=doc_id, text=text, spans=ss, relations=rels)


def match(gold: Sequence[Triple], pred: Sequence[Triple]) -> MatchResult:
    """Match one document's spans (group 0)."""

    def arrays(xs: Sequence[Triple]) -> list[np.ndarray]:
        return [
            np.zeros(len(xs), dtype=np.int64),
            np.array([x[0] for x in xs], dtype=np.int64),
            np.array([x[1] for x in xs], dtype=np.int64),
            np.array([LABELS.index(x[2]) for x in xs], dtype=np.int64),
        ]

    return match_spans(*arrays(gold), *arrays(pred), 1)


def counts(gold: Sequence[Triple], pred: Sequence[Triple]) -> dict[str, dict[str, int]]:
    """``{schema: {COR: .., INC: .., PAR: .., MIS: .., SPU: ..}}`` for one document."""
    res = match(gold, pred).counts[0]
    names = ("COR", "INC", "PAR", "MIS", "SPU")
    schemas = ("strict", "exact", "partial", "type")
    return {s: dict(zip(names, map(int, res[k]), strict=True)) for k, s in enumerate(schemas)}


def write_pair(tmp: Path, gold: list[Document], pred: list[Document]) -> tuple[Path, Path]:
    g, p = tmp / "gold.jsonl", tmp / "pred.jsonl"
    write_documents(gold, g)
    write_documents(pred, p)
    return g, p
