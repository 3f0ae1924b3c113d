"""From joined gold/prediction Documents to per-document count rows, one batch at a time.

This is the only module that looks inside Documents.  A batch (:data:`BATCH` documents) is
flattened into numpy arrays in one pass, checked (offsets, labels, attribute values, relation
ends and argument labels, all against the schema), matched with
:func:`~backchannel.eval.matching.match_spans`, and reduced to one row of integers per document
laid out by :class:`~backchannel.eval.metrics.Layout`.  Only the rows, a label confusion matrix
and the few documents kept for the error browser survive the batch, so memory stays flat.

Validation is fast-path: the checks run vectorised or inside the flattening loop, and when one
fails the document is handed to :func:`~backchannel.annotation.documents.validate_document` to
produce the exact one-line message (file, line, document, span).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from backchannel.annotation.documents import Document, validate_document
from backchannel.annotation.errors import DocumentError
from backchannel.annotation.schema import Schema
from backchannel.eval.matching import COR, INC, MIS, PAR, SPU, match_spans
from backchannel.eval.metrics import Layout
from backchannel.eval.relations import multiset_tp
from backchannel.eval.stance import polarity_confusion

__all__ = ["BATCH", "BrowserDoc", "Counter", "Located"]

BATCH = 1024
_STATUS = {COR: "COR", INC: "INC", PAR: "PAR", MIS: "MIS", SPU: "SPU"}


@dataclass(frozen=True)
class Located:
    """A Document with where it came from, for error messages."""

    doc: Document
    path: str
    line: int


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


@dataclass
class _Side:
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    per_doc: list[int] = field(default_factory=list)
    a_span: list[int] = field(default_factory=list)
    a_col: list[int] = field(default_factory=list)
    a_val: list[int] = field(default_factory=list)
    r_doc: list[int] = field(default_factory=list)
    r_lab: list[int] = field(default_factory=list)
    r_head: list[int] = field(default_factory=list)
    r_tail: list[int] = field(default_factory=list)
    r_pol: list[int] = field(default_factory=list)
    docs: list[Located | None] = field(default_factory=list)


class Counter:
    """Accumulates count rows, the label confusion matrix and the error-browser documents.

    Args:
        schema: the schema every label is checked against.
        layout: the column layout (its span labels may be a subset of the schema's).
        keep: how many worst documents to keep for the error browser.
    """

    def __init__(self, schema: Schema, layout: Layout, keep: int = 25) -> None:
        self.schema = schema
        self.layout = layout
        self.keep = keep
        self.all_labels = list(schema.span_labels)
        self.label_id = {lab: i for i, lab in enumerate(self.all_labels)}
        scored = {lab: i for i, lab in enumerate(layout.span_labels)}
        self.scored_of = np.array([scored.get(lab, -1) for lab in self.all_labels], np.int64)
        self.attr_col = {key: i for i, key in enumerate(layout.attributes)}
        self.attr_val = [{v: j for j, v in enumerate(vals)} for vals in layout.attr_values]
        self.span_attr_ok = {
            lab: {name: set(adef.values) for name, adef in ldef.attributes.items()}
            for lab, ldef in schema.spans.items()
        }
        # Per schema label: its attributes' default value ids (-1 elsewhere or without default).
        self.default_rows = np.full((len(self.all_labels), max(len(layout.attributes), 1)), -1)
        for col, (lab, _) in enumerate(layout.attributes):
            self.default_rows[self.label_id[lab], col] = layout.attr_defaults[col]
        self.rel_id = {lab: i for i, lab in enumerate(layout.relation_labels)}
        self.rel_attr_ok = {
            lab: {name: set(adef.values) for name, adef in rdef.attributes.items()}
            for lab, rdef in schema.relations.items()
        }
        n_lab, n_rel = len(self.all_labels), len(layout.relation_labels)
        self.head_ok = np.ones((max(n_rel, 1), n_lab), dtype=bool)
        self.tail_ok = np.ones((max(n_rel, 1), n_lab), dtype=bool)
        for r, lab in enumerate(layout.relation_labels):
            rdef = schema.relations[lab]
            if rdef.head:
                self.head_ok[r] = [x in rdef.head for x in self.all_labels]
            if rdef.tail:
                self.tail_ok[r] = [x in rdef.tail for x in self.all_labels]
        self.stance_rel = (
            self.rel_id.get(layout.stance_relation) if layout.stance_relation else None
        )
        self.pol_id = {p: i for i, p in enumerate(layout.polarities)}
        self.rows: list[np.ndarray] = []
        self.doc_ids: list[str] = []
        n_scored = len(layout.span_labels)
        self.confusion = np.zeros((n_scored + 1, n_scored + 1), dtype=np.int64)
        self._heap: list[tuple[int, int, BrowserDoc]] = []
        self._gold = _Side()
        self._pred = _Side()
        self._n = 0
        self._seen = 0

    # -- flattening ----------------------------------------------------------------------------
    def add(self, gold: Located, pred: Located | None) -> None:
        """Queue one joined pair (``pred`` None: nothing predicted); flushes full batches."""
        self._flatten(self._gold, gold)
        self._flatten(self._pred, pred)
        self.doc_ids.append(gold.doc.id)
        self._n += 1
        if self._n >= BATCH:
            self.flush()

    def _invalid(self, loc: Located) -> DocumentError:
        try:
            validate_document(loc.doc, self.schema)
        except DocumentError as exc:
            exc.path, exc.line = loc.path, loc.line
            exc.args = (exc.one_line(),)
            return exc
        return DocumentError(
            "inconsistent document (a span or relation fails the schema)",
            path=loc.path,
            line=loc.line,
            doc_id=loc.doc.id,
        )

    def _flatten(self, side: _Side, loc: Located | None) -> None:
        b = self._n
        side.docs.append(loc)
        if loc is None:
            side.per_doc.append(0)
            return
        doc = loc.doc
        spans = doc.spans
        base = len(side.starts)
        try:
            labels = [self.label_id[s.label] for s in spans]
        except KeyError:
            raise self._invalid(loc) from None
        side.starts.extend([s.start for s in spans])
        side.ends.extend([s.end for s in spans])
        side.labels.extend(labels)
        side.per_doc.append(len(spans))
        attr_col, attr_val = self.attr_col, self.attr_val
        for i, s in enumerate(spans):
            if s.text is not None and s.text != doc.text[s.start : s.end]:
                raise self._invalid(loc)
            if s.attrs:
                allowed = self.span_attr_ok[s.label]
                for key, value in s.attrs.items():
                    ok = allowed.get(key)
                    if ok is None or value not in ok:
                        raise self._invalid(loc)
                    col = attr_col.get((s.label, key))
                    if col is not None:
                        side.a_span.append(base + i)
                        side.a_col.append(col)
                        side.a_val.append(attr_val[col][value])
        ids = {s.id: base + i for i, s in enumerate(spans)}
        if len(ids) != len(spans):
            raise self._invalid(loc)
        if doc.relations:
            stance, pol_id = self.stance_rel, self.pol_id
            stance_attr = self.layout.stance_attribute
            n_pol = len(self.layout.polarities)
            try:
                for r in doc.relations:
                    rl = self.rel_id[r.label]
                    side.r_doc.append(b)
                    side.r_lab.append(rl)
                    side.r_head.append(ids[r.head])
                    side.r_tail.append(ids[r.tail])
                    pol = n_pol
                    if r.attrs:
                        allowed = self.rel_attr_ok[r.label]
                        for key, value in r.attrs.items():
                            ok = allowed.get(key)
                            if ok is None or value not in ok:
                                raise KeyError(key)
                        if rl == stance:
                            val = r.attrs.get(stance_attr)  # type: ignore[arg-type]
                            if val is not None:
                                pol = pol_id[val]
                    side.r_pol.append(pol)
            except KeyError:
                raise self._invalid(loc) from None
        if doc.doc_labels:
            try:
                self.schema.check_doc_labels(doc.doc_labels, doc_id=doc.id)
            except DocumentError as exc:
                exc.path, exc.line = loc.path, loc.line
                exc.args = (exc.one_line(),)
                raise

    # -- one batch -----------------------------------------------------------------------------
    def _arrays(self, side: _Side) -> dict[str, np.ndarray]:
        n_docs = self._n
        per_doc = np.array(side.per_doc, dtype=np.int64)
        a = {
            "doc": np.repeat(np.arange(n_docs, dtype=np.int64), per_doc),
            "start": np.array(side.starts, dtype=np.int64),
            "end": np.array(side.ends, dtype=np.int64),
            "full": np.array(side.labels, dtype=np.int64),
        }
        a["label"] = self.scored_of[a["full"]] if len(a["full"]) else a["full"]
        text_len = np.array(
            [len(loc.doc.text) if loc is not None else 0 for loc in side.docs], dtype=np.int64
        )
        bad = (a["start"] < 0) | (a["end"] > text_len[a["doc"]]) | (a["start"] >= a["end"])
        if bad.any():
            loc = side.docs[int(a["doc"][np.argmax(bad)])]
            assert loc is not None
            raise self._invalid(loc)
        n_attr = len(self.layout.attributes)
        attrs = np.full((len(a["start"]), max(n_attr, 1)), -1, dtype=np.int64)
        if n_attr:
            attrs[:, :] = self.default_rows[a["full"]]
            if side.a_span:
                attrs[np.array(side.a_span), np.array(side.a_col)] = np.array(side.a_val)
        a["attrs"] = attrs
        for key in ("r_doc", "r_lab", "r_head", "r_tail", "r_pol"):
            a[key] = np.array(getattr(side, key), dtype=np.int64)
        if len(a["r_lab"]):
            bad = ~(
                self.head_ok[a["r_lab"], a["full"][a["r_head"]]]
                & self.tail_ok[a["r_lab"], a["full"][a["r_tail"]]]
            )
            if bad.any():
                loc = side.docs[int(a["r_doc"][np.argmax(bad)])]
                assert loc is not None
                raise self._invalid(loc)
        return a

    def flush(self) -> None:
        """Score the queued batch and append its count rows."""
        if self._n == 0:
            return
        g, p = self._arrays(self._gold), self._arrays(self._pred)
        n_docs = self._n
        lay = self.layout
        n_lab = len(lay.span_labels)
        gk, pk = g["label"] >= 0, p["label"] >= 0
        gi_all, pi_all = np.flatnonzero(gk), np.flatnonzero(pk)
        row = np.zeros((n_docs, lay.n_columns), dtype=np.int64)
        spans = lay.view(row, "spans")

        overall = match_spans(
            g["doc"][gk], g["start"][gk], g["end"][gk], g["label"][gk],
            p["doc"][pk], p["start"][pk], p["end"][pk], p["label"][pk],
            n_docs,
        )  # fmt: skip
        spans[:, 0] = overall.counts
        per_label = match_spans(
            g["doc"][gk] * n_lab + g["label"][gk], g["start"][gk], g["end"][gk], g["label"][gk],
            p["doc"][pk] * n_lab + p["label"][pk], p["start"][pk], p["end"][pk], p["label"][pk],
            n_docs * max(n_lab, 1),
        )  # fmt: skip
        spans[:, 1:] = per_label.counts.reshape(n_docs, n_lab, *per_label.counts.shape[1:])

        strict_pairs = overall.pairs[0]
        if lay.attributes:
            cor = strict_pairs[strict_pairs[:, 2] == COR]
            gv = g["attrs"][gi_all[cor[:, 0]]]
            pv = p["attrs"][pi_all[cor[:, 1]]]
            doc = g["doc"][gi_all[cor[:, 0]]]
            has = gv >= 0
            right = has & (gv == pv)
            attrs = lay.view(row, "attrs")
            for j in range(len(lay.attributes)):
                attrs[:, j, 0] = np.bincount(doc[right[:, j]], minlength=n_docs)
                attrs[:, j, 1] = np.bincount(doc[has[:, j]], minlength=n_docs)

        self._relations(g, p, row, n_docs)

        partial_pairs = overall.pairs[2]
        gl, pl = g["label"][gk], p["label"][pk]
        np.add.at(self.confusion, (gl[partial_pairs[:, 0]], pl[partial_pairs[:, 1]]), 1)
        g_matched = np.zeros(len(gl), bool)
        g_matched[partial_pairs[:, 0]] = True
        p_matched = np.zeros(len(pl), bool)
        p_matched[partial_pairs[:, 1]] = True
        np.add.at(self.confusion, (gl[~g_matched], n_lab), 1)
        np.add.at(self.confusion, (n_lab, pl[~p_matched]), 1)

        if self.keep > 0:
            self._browse(g, p, gi_all, pi_all, strict_pairs, row)
        self.rows.append(row.astype(np.int32))
        self._seen += n_docs
        self._gold, self._pred, self._n = _Side(), _Side(), 0

    def _relations(
        self, g: dict[str, np.ndarray], p: dict[str, np.ndarray], row: np.ndarray, n_docs: int
    ) -> None:
        lay = self.layout
        n_rel = len(lay.relation_labels)
        if n_rel == 0:
            return
        keys: dict[str, list[np.ndarray]] = {}
        sides = []
        for a in (g, p):
            keep = np.ones(len(a["r_lab"]), dtype=bool)
            if len(keep):
                keep = (a["label"][a["r_head"]] >= 0) & (a["label"][a["r_tail"]] >= 0)
            h, t = a["r_head"][keep], a["r_tail"][keep]
            grp = a["r_doc"][keep] * n_rel + a["r_lab"][keep]
            hs, he, hl = a["start"][h], a["end"][h], a["full"][h]
            ts, te, tl = a["start"][t], a["end"][t], a["full"][t]
            keys.setdefault("strict", []).append(np.stack([grp, hs, he, hl, ts, te, tl], axis=1))
            keys.setdefault("boundaries", []).append(np.stack([grp, hs, he, ts, te], axis=1))
            sides.append((grp, a["r_doc"][keep], a["r_lab"][keep], a["r_pol"][keep], keys))
        rels = lay.view(row, "rels")
        for m, mode in enumerate(("strict", "boundaries")):
            run_group, tp = multiset_tp(keys[mode][0], keys[mode][1])
            tp_g = np.bincount(run_group, weights=tp, minlength=n_docs * n_rel).astype(np.int64)
            act = np.bincount(sides[1][0], minlength=n_docs * n_rel)
            pos = np.bincount(sides[0][0], minlength=n_docs * n_rel)
            block = np.stack([tp_g, act, pos], axis=1).reshape(n_docs, n_rel, 3)
            rels[:, 1:, m, :] = block
            rels[:, 0, m, :] = block.sum(axis=1)
        if self.stance_rel is None:
            return
        s = self.stance_rel
        n_pol = len(lay.polarities)
        st_keys, st_pol = [], []
        for side_i in range(2):
            grp, doc, lab, pol, _ = sides[side_i]
            sel = lab == s
            st_keys.append(keys["strict"][side_i][sel][:, 1:])
            st_keys[-1] = np.concatenate([doc[sel][:, None], st_keys[-1]], axis=1)
            st_pol.append(pol[sel])
        conf = polarity_confusion(st_keys[0], st_pol[0], st_keys[1], st_pol[1], n_docs, n_pol)
        lay.view(row, "polarity")[:] = conf.reshape(n_docs, -1).reshape(
            lay.view(row, "polarity").shape
        )
        with_pol = [
            np.concatenate([k, pol[:, None]], axis=1)
            for k, pol in zip(st_keys, st_pol, strict=True)
        ]
        run_doc, tp = multiset_tp(with_pol[0], with_pol[1])
        sp = lay.view(row, "stance_pol")
        sp[:, 0] = np.bincount(run_doc, weights=tp, minlength=n_docs).astype(np.int64)
        sp[:, 1] = np.bincount(st_keys[1][:, 0], minlength=n_docs)
        sp[:, 2] = np.bincount(st_keys[0][:, 0], minlength=n_docs)

    def _browse(
        self,
        g: dict[str, np.ndarray],
        p: dict[str, np.ndarray],
        gi_all: np.ndarray,
        pi_all: np.ndarray,
        strict_pairs: np.ndarray,
        row: np.ndarray,
    ) -> None:
        spans = self.layout.view(row, "spans")
        rels = self.layout.view(row, "rels")
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
        threshold = self._heap[0][0] if len(self._heap) >= self.keep else 0
        candidates = candidates[errors[candidates] > threshold]
        if not len(candidates):
            return
        g_status = np.full(len(g["start"]), MIS)
        p_status = np.full(len(p["start"]), SPU)
        g_status[gi_all[strict_pairs[:, 0]]] = strict_pairs[:, 2]
        p_status[pi_all[strict_pairs[:, 1]]] = strict_pairs[:, 2]
        g_first = np.concatenate([[0], np.cumsum(self._gold.per_doc)])
        p_first = np.concatenate([[0], np.cumsum(self._pred.per_doc)])
        for b in candidates:
            b = int(b)
            gloc, ploc = self._gold.docs[b], self._pred.docs[b]
            assert gloc is not None
            entry = BrowserDoc(
                doc_id=gloc.doc.id,
                text=gloc.doc.text,
                errors=int(errors[b]),
                gold=_listing(gloc, g, g_status, int(g_first[b])),
                pred=_listing(ploc, p, p_status, int(p_first[b])) if ploc else [],
            )
            item = (entry.errors, -(self._seen + b), entry)
            if len(self._heap) < self.keep:
                heapq.heappush(self._heap, item)
            elif item[:2] > self._heap[0][:2]:
                heapq.heapreplace(self._heap, item)

    # -- results -------------------------------------------------------------------------------
    def finish(self) -> np.ndarray:
        """Flush and return the ``(n_docs, n_columns)`` count array."""
        self.flush()
        if not self.rows:
            return np.zeros((0, self.layout.n_columns), dtype=np.int32)
        return np.concatenate(self.rows)

    def browser(self) -> list[BrowserDoc]:
        """The kept documents, most errors first."""
        return [e for _, _, e in sorted(self._heap, key=lambda x: (-x[0], -x[1]))]


def _listing(
    loc: Located, a: dict[str, Any], status: np.ndarray, first: int
) -> list[tuple[int, int, str, str, dict[str, str]]]:
    out = []
    for i, s in enumerate(loc.doc.spans):
        k = first + i
        if a["label"][k] < 0:
            continue
        out.append((s.start, s.end, s.label, _STATUS[int(status[k])], dict(s.attrs)))
    out.sort(key=lambda x: (x[0], x[1], x[2]))
    return out
