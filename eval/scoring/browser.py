"""The error browser of the HTML report: the documents with the most errors, and their spans.

While counting, each batch offers its documents with errors (strict span errors plus relation
errors); a heap keeps the ``keep`` worst, ordered by (errors, earliest document) so the kept set
does not depend on the order of the offers and workers' candidates merge to the same set.
Only the kept documents are read again, at the end, for their text.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Any

import numpy as np

from backchannel.eval.scoring.joining import Located, reread
from backchannel.eval.scoring.matching import COR, INC, MIS, PAR, SPU
from backchannel.eval.scoring.metrics import Layout

__all__ = ["BrowserDoc", "ErrorBrowser"]

_STATUS = {COR: "COR", INC: "INC", PAR: "PAR", MIS: "MIS", SPU: "SPU"}


@dataclass
class BrowserDoc:
    """One document of the HTML error browser: its text and both sides' spans with a status.

    ``gold`` and ``pred`` hold ``(start, end, label, status, attrs)`` with status COR/INC/MIS
    (gold) or COR/INC/SPU (predicted) under the strict schema.
    """

    doc_id: str
    text: str
    errors: int
    gold: list[tuple[int, int, str, str, dict[str, str]]]
    pred: list[tuple[int, int, str, str, dict[str, str]]]


class ErrorBrowser:
    """Keeps the ``keep`` documents with the most errors seen so far."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.heap: list[tuple[Any, ...]] = []

    def consider(
        self,
        layout: Layout,
        seen: int,
        g_where: list[Any],
        p_where: list[Any],
        g: dict[str, np.ndarray],
        p: dict[str, np.ndarray],
        gi_all: np.ndarray,
        pi_all: np.ndarray,
        strict_pairs: np.ndarray,
        row: np.ndarray,
    ) -> None:
        spans = layout.view(row, "spans")
        rels = layout.view(row, "rels")
        errors = (
            spans[:, 0, 0, INC]
            + spans[:, 0, 0, MIS]
            + spans[:, 0, 0, SPU]
            + (rels[:, 0, 0, 1] - rels[:, 0, 0, 0])
            + (rels[:, 0, 0, 2] - rels[:, 0, 0, 0])
        )
        candidates = np.flatnonzero(errors > 0)
        if not len(candidates):
            return
        threshold = self.heap[0][0] if len(self.heap) >= self.keep else 0
        candidates = candidates[errors[candidates] > threshold]
        if not len(candidates):
            return
        if len(candidates) > self.keep:
            # Only this batch's ``keep`` worst can enter the kept set (most errors, then the
            # earliest document): list spans for those only.  A worker starts each batch with
            # an empty heap, so without this it would list every document with an error.
            candidates = candidates[np.lexsort((candidates, -errors[candidates]))[: self.keep]]
        g_status = np.full(len(g["start"]), MIS)
        p_status = np.full(len(p["start"]), SPU)
        g_status[gi_all[strict_pairs[:, 0]]] = strict_pairs[:, 2]
        p_status[pi_all[strict_pairs[:, 1]]] = strict_pairs[:, 2]
        g_first = np.concatenate([[0], np.cumsum(g["per_doc"])])
        p_first = np.concatenate([[0], np.cumsum(p["per_doc"])])
        for b in candidates:
            b = int(b)
            item = (
                int(errors[b]),
                -(seen + b),
                g_where[b],
                p_where[b],
                _status_rows(g, g_status, int(g_first[b]), int(g_first[b + 1])),
                _status_rows(p, p_status, int(p_first[b]), int(p_first[b + 1])),
            )
            self.offer(item)

    def offer(self, item: tuple[Any, ...]) -> None:
        """Keep an error-browser candidate if it is among the ``keep`` worst so far.

        Items are ``(errors, -document index, ...)``: the order is total, so the kept set does
        not depend on the order of the offers (workers' candidates merge to the same set).
        """
        if len(self.heap) < self.keep:
            heapq.heappush(self.heap, item)
        elif item[:2] > self.heap[0][:2]:
            heapq.heapreplace(self.heap, item)

    def take(self) -> list[tuple[Any, ...]]:
        """The error-browser candidates kept so far (for merging with :meth:`offer`)."""
        return list(self.heap)

    def documents(self) -> list[BrowserDoc]:
        """The kept documents, most errors first (their text is read again from the files)."""
        out = []
        for errors, _, g_where, p_where, g_rows, p_rows in sorted(
            self.heap, key=lambda x: (-x[0], -x[1])
        ):
            gold = reread(*g_where)
            pred = reread(*p_where) if p_where is not None else None
            out.append(
                BrowserDoc(
                    doc_id=gold.doc.id,
                    text=gold.doc.text,
                    errors=errors,
                    gold=_listing(gold, g_rows),
                    pred=_listing(pred, p_rows) if pred is not None else [],
                )
            )
        return out


def _status_rows(
    a: dict[str, Any], status: np.ndarray, first: int, last: int
) -> list[tuple[int, int]]:
    """(position in the document's span list, status) of its scored spans."""
    return [(k - first, int(status[k])) for k in range(first, last) if a["label"][k] >= 0]


def _listing(
    loc: Located, rows: list[tuple[int, int]]
) -> list[tuple[int, int, str, str, dict[str, str]]]:
    spans = loc.doc.spans
    out = []
    for i, st in rows:
        s = spans[i]
        out.append((s.start, s.end, s.label, _STATUS[st], dict(s.attrs)))
    out.sort(key=lambda x: (x[0], x[1], x[2]))
    return out
