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
from array import array
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from msgspec import UNSET

from backchannel.annotation.documents import validate_document
from backchannel.annotation.errors import DocumentError
from backchannel.annotation.schema import Schema
from backchannel.eval.joining import Located, reread
from backchannel.eval.matching import COR, INC, MIS, PAR, SPU, match_spans
from backchannel.eval.metrics import Layout
from backchannel.eval.relations import multiset_tp
from backchannel.eval.stance import polarity_confusion

__all__ = ["BATCH", "BrowserDoc", "Counter"]

BATCH = 1024
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


@dataclass
class _Side:
    """One side of a batch: integer columns as lists, turned into numpy arrays per batch."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    codes: list[int] = field(default_factory=list)
    per_doc: list[int] = field(default_factory=list)
    r_per_doc: list[int] = field(default_factory=list)
    r_codes: list[int] = field(default_factory=list)
    r_head: list[int] = field(default_factory=list)
    r_tail: list[int] = field(default_factory=list)
    where: list[tuple[str, int, int] | None] = field(default_factory=list)
    text_len: list[int] = field(default_factory=list)


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
        self._span_codes: dict[tuple[str, Any], int] = {}
        self._table_full: list[int] = []
        self._table_attrs: list[np.ndarray] = []
        self._rel_codes: dict[tuple[str, Any], int] = {}
        self.rows: list[np.ndarray] = []
        self.doc_ids: list[str] = []
        n_scored = len(layout.span_labels)
        self.confusion = np.zeros((n_scored + 1, n_scored + 1), dtype=np.int64)
        self._heap: list[tuple[Any, ...]] = []
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

    def _invalid_at(self, where: tuple[str, int, int] | None) -> DocumentError:
        assert where is not None
        return self._invalid(reread(*where))

    def _invalid(self, loc: Located) -> DocumentError:
        """The exact message for a document that failed a fast check (read again in full)."""
        full = reread(loc.path, loc.line, loc.offset)
        try:
            validate_document(full.doc, self.schema)
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

    def _span_code(self, key: tuple[str, Any]) -> int | None:
        """Row of the (label, attributes) table for a new combination; None if invalid.

        Documents repeat a small number of label-and-attribute combinations, so each one is
        validated and turned into value ids once and then found by a dict lookup.
        """
        label, attrs = key
        lab = self.label_id.get(label)
        if lab is None:
            return None
        allowed = self.span_attr_ok[label]
        row = self.default_rows[lab].copy()
        for name, value in _attr_items(attrs):
            ok = allowed.get(name)
            if ok is None or value not in ok:
                return None
            col = self.attr_col.get((label, name))
            if col is not None:
                row[col] = self.attr_val[col][value]
        code = len(self._table_full)
        self._table_full.append(lab)
        self._table_attrs.append(row)
        self._span_codes[key] = code
        return code

    def _rel_code(self, key: tuple[str, Any]) -> int | None:
        """``label id * (polarities + 1) + polarity id`` of a new (label, attributes), or None."""
        label, attrs = key
        rl = self.rel_id.get(label)
        if rl is None:
            return None
        allowed = self.rel_attr_ok[label]
        pol = len(self.layout.polarities)
        for name, value in _attr_items(attrs):
            ok = allowed.get(name)
            if ok is None or value not in ok:
                return None
            if rl == self.stance_rel and name == self.layout.stance_attribute:
                pol = self.pol_id[value]
        code = rl * (len(self.layout.polarities) + 1) + pol
        self._rel_codes[key] = code
        return code

    def _flatten(self, side: _Side, loc: Located | None) -> None:
        if loc is None:
            side.where.append(None)
            side.text_len.append(0)
            side.per_doc.append(0)
            side.r_per_doc.append(0)
            return
        doc = loc.doc
        side.where.append((loc.path, loc.line, loc.offset))
        side.text_len.append(len(doc.text))
        spans = doc.spans
        n = len(spans)
        base = len(side.starts)
        side.per_doc.append(n)
        # One list comprehension per field: attribute reads are the cheapest way from decoded
        # records to columns (measured 25% faster than msgspec ``astuple`` plus transposition).
        if n:
            table = self._span_codes
            try:
                codes = [table[s.label, s.attrs] for s in spans]
            except (KeyError, TypeError):  # new combination, or a full Document's dict attrs
                codes = []
                for k in map(_hashable, [(s.label, s.attrs) for s in spans]):
                    code = self._span_codes.get(k)
                    if code is None:
                        code = self._span_code(k)
                        if code is None:
                            raise self._invalid(loc) from None
                    codes.append(code)
            side.codes += codes
            side.starts += [s.start for s in spans]
            side.ends += [s.end for s in spans]
            texts = [s.text for s in spans]
            if texts.count(None) != n:
                text = doc.text
                if any(
                    t is not None and t != text[s.start : s.end]
                    for t, s in zip(texts, spans, strict=True)
                ):
                    raise self._invalid(loc)
            index = dict(zip([s.id for s in spans], range(base, base + n), strict=True))
            if len(index) != n:
                raise self._invalid(loc)
        rels = doc.relations
        side.r_per_doc.append(len(rels))
        if rels:
            if not n:
                raise self._invalid(loc)
            try:
                rtable = self._rel_codes
                try:
                    rcodes = [rtable[r.label, r.attrs] for r in rels]
                except (KeyError, TypeError):
                    rcodes = []
                    for k in map(_hashable, [(r.label, r.attrs) for r in rels]):
                        code = self._rel_codes.get(k)
                        if code is None:
                            code = self._rel_code(k)
                            if code is None:  # not a bare raise: the error may be a TypeError
                                raise self._invalid(loc) from None
                        rcodes.append(code)
                heads = [index[r.head] for r in rels]
                tails = [index[r.tail] for r in rels]
            except KeyError:
                raise self._invalid(loc) from None
            side.r_head += heads
            side.r_tail += tails
            side.r_codes += rcodes
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
        codes = _column(side.codes)
        full_table = np.array(self._table_full, dtype=np.int64)
        try:
            starts, ends = _column(side.starts), _column(side.ends)
        except OverflowError:  # an offset beyond 64 bits: name its document, with the exact error
            raise self._invalid_at(side.where[_doc_beyond_int64(side)]) from None
        a = {
            "doc": np.repeat(np.arange(n_docs, dtype=np.int64), per_doc),
            "start": starts,
            "end": ends,
            "full": full_table[codes] if len(codes) else codes,
        }
        a["label"] = self.scored_of[a["full"]] if len(a["full"]) else a["full"]
        text_len = np.array(side.text_len, dtype=np.int64)
        bad = (a["start"] < 0) | (a["end"] > text_len[a["doc"]]) | (a["start"] >= a["end"])
        if bad.any():
            raise self._invalid_at(side.where[int(a["doc"][np.argmax(bad)])])
        n_attr = max(len(self.layout.attributes), 1)
        if len(codes):
            a["attrs"] = np.array(self._table_attrs, dtype=np.int64).reshape(-1, n_attr)[codes]
        else:
            a["attrs"] = np.zeros((0, n_attr), dtype=np.int64)
        a["r_doc"] = np.repeat(np.arange(n_docs, dtype=np.int64), side.r_per_doc)
        for key in ("r_head", "r_tail"):
            a[key] = _column(getattr(side, key))
        a["r_lab"], a["r_pol"] = np.divmod(_column(side.r_codes), len(self.layout.polarities) + 1)
        if len(a["r_lab"]):
            bad = ~(
                self.head_ok[a["r_lab"], a["full"][a["r_head"]]]
                & self.tail_ok[a["r_lab"], a["full"][a["r_tail"]]]
            )
            if bad.any():
                raise self._invalid_at(side.where[int(a["r_doc"][np.argmax(bad)])])
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
            n_attr = len(lay.attributes)
            cell = doc[:, None] * n_attr + np.arange(n_attr)[None, :]
            attrs = lay.view(row, "attrs")
            size = n_docs * n_attr
            attrs[:, :, 0] = np.bincount(cell[right], minlength=size).reshape(n_docs, n_attr)
            attrs[:, :, 1] = np.bincount(cell[has], minlength=size).reshape(n_docs, n_attr)

        self._relations(g, p, row, n_docs)

        partial_pairs = overall.pairs[2]
        gl, pl = g["label"][gk], p["label"][pk]
        k = n_lab + 1
        matched_g = np.zeros(len(gl), bool)
        matched_g[partial_pairs[:, 0]] = True
        matched_p = np.zeros(len(pl), bool)
        matched_p[partial_pairs[:, 1]] = True
        cells = np.concatenate(
            [
                gl[partial_pairs[:, 0]] * k + pl[partial_pairs[:, 1]],
                gl[~matched_g] * k + n_lab,
                n_lab * k + pl[~matched_p],
            ]
        )
        self.confusion += np.bincount(cells, minlength=k * k).reshape(k, k)

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
        if len(candidates) > self.keep:
            # Only this batch's ``keep`` worst can enter the kept set (most errors, then the
            # earliest document): list spans for those only.  A worker starts each batch with
            # an empty heap, so without this it would list every document with an error.
            candidates = candidates[np.lexsort((candidates, -errors[candidates]))[: self.keep]]
        g_status = np.full(len(g["start"]), MIS)
        p_status = np.full(len(p["start"]), SPU)
        g_status[gi_all[strict_pairs[:, 0]]] = strict_pairs[:, 2]
        p_status[pi_all[strict_pairs[:, 1]]] = strict_pairs[:, 2]
        g_first = np.concatenate([[0], np.cumsum(self._gold.per_doc)])
        p_first = np.concatenate([[0], np.cumsum(self._pred.per_doc)])
        for b in candidates:
            b = int(b)
            item = (
                int(errors[b]),
                -(self._seen + b),
                self._gold.where[b],
                self._pred.where[b],
                _status_rows(g, g_status, int(g_first[b]), int(g_first[b + 1])),
                _status_rows(p, p_status, int(p_first[b]), int(p_first[b + 1])),
            )
            self.offer(item)

    def offer(self, item: tuple[Any, ...]) -> None:
        """Keep an error-browser candidate if it is among the ``keep`` worst so far.

        Items are ``(errors, -document index, ...)``: the order is total, so the kept set does
        not depend on the order of the offers (workers' candidates merge to the same set).
        """
        if len(self._heap) < self.keep:
            heapq.heappush(self._heap, item)
        elif item[:2] > self._heap[0][:2]:
            heapq.heapreplace(self._heap, item)

    # -- results -------------------------------------------------------------------------------
    def reset(self, first: int) -> None:
        """Forget rows, ids, confusion and candidates; the next document has index ``first``.

        A worker process counts one batch after another with the same Counter (its
        label-and-attribute tables stay warm) and hands each batch's results back.
        """
        self.rows, self.doc_ids, self._heap = [], [], []
        self.confusion = np.zeros_like(self.confusion)
        self._gold, self._pred, self._n, self._seen = _Side(), _Side(), 0, first

    def take_heap(self) -> list[tuple[Any, ...]]:
        """The error-browser candidates kept so far (for merging with :meth:`offer`)."""
        return list(self._heap)

    def finish(self) -> np.ndarray:
        """Flush and return the ``(n_docs, n_columns)`` count array."""
        self.flush()
        if not self.rows:
            return np.zeros((0, self.layout.n_columns), dtype=np.int32)
        return np.concatenate(self.rows)

    def browser(self) -> list[BrowserDoc]:
        """The kept documents, most errors first (their text is read again from the files)."""
        out = []
        for errors, _, g_where, p_where, g_rows, p_rows in sorted(
            self._heap, key=lambda x: (-x[0], -x[1])
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


def _doc_beyond_int64(side: _Side) -> int:
    """Index of the first document with a span offset outside int64 (only after an overflow)."""
    k = 0
    for doc, count in enumerate(side.per_doc):
        for value in (*side.starts[k : k + count], *side.ends[k : k + count]):
            if not -(2**63) <= value < 2**63:
                return doc
        k += count
    raise AssertionError("no offset beyond int64")


def _column(values: list[int]) -> np.ndarray:
    """An int64 array from a list of ints (through ``array('q')``: the fastest route measured)."""
    return np.frombuffer(array("q", values), dtype=np.int64)


def _hashable(key: tuple[str, Any]) -> tuple[str, Any]:
    """A dict key for ``(label, attrs)``: a full Document's attribute dict becomes item pairs.

    The lean decoder gives hashable attribute structs; a line it refuses (say an attribute
    name the schema does not know) is decoded as a full Document, so that validation can name
    the problem.
    """
    label, attrs = key
    return (label, tuple(attrs.items())) if isinstance(attrs, dict) else key


def _attr_items(attrs: Any) -> list[tuple[str, str]]:
    """``(name, value)`` pairs of a lean attribute struct (unset fields skipped) or item pairs."""
    if isinstance(attrs, tuple):
        return list(attrs)
    return [(f, v) for f in attrs.__struct_fields__ if (v := getattr(attrs, f)) is not UNSET]


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
