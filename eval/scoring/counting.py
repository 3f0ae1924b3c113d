"""From joined gold/prediction Documents to per-document count rows, one batch at a time.

This is the only module that looks inside Documents (the lean records of
:class:`~backchannel.eval.scoring.joining.LeanDecoder`).  A batch (:data:`BATCH` documents) is
flattened
into numpy arrays with C-level field readers (``map(attrgetter(...))``, no Python loop over
spans), checked (offsets, span texts, span ids, relation ends and argument labels; the decoder
already checked labels and attribute values against the schema), matched with
:func:`~backchannel.eval.scoring.matching.match_spans`, and reduced to one row of integers per
document
laid out by :class:`~backchannel.eval.scoring.metrics.Layout`.  Only the rows, a label confusion
matrix
and the few documents kept for the error browser survive the batch, so memory stays flat.

Validation is fast-path: the checks run vectorised over the batch, and when one fails, the
batch's documents up to the failing one are read again in full and handed to
:func:`~backchannel.documents.validate_document`, so that the message is exact (file,
line, document, span) and names the first invalid document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain, count, repeat
from operator import attrgetter
from typing import Any

import numpy as np
from msgspec import UNSET

from backchannel.documents import validate_document
from backchannel.errors import DocumentError
from backchannel.eval.scoring.browser import BrowserDoc, ErrorBrowser
from backchannel.eval.scoring.joining import Block, LeanDecoder, Located, reread
from backchannel.eval.scoring.matching import COR, match_per_label, match_spans
from backchannel.eval.scoring.metrics import Layout
from backchannel.eval.scoring.relations import multiset_tp, run_ids
from backchannel.eval.scoring.stance import polarity_confusion
from backchannel.schema import Schema

__all__ = ["BATCH", "CHUNK", "BrowserDoc", "DocumentCounter"]

BATCH = 1024
CHUNK = 64


# C-level field readers: ``map(_START, spans)`` costs a fraction of a loop over the spans.
_SPANS, _RELATIONS, _TEXT = attrgetter("spans"), attrgetter("relations"), attrgetter("text")
_ATTRS, _ID = attrgetter("attrs"), attrgetter("id")
_START, _END, _HEAD, _TAIL = (
    attrgetter("start"),
    attrgetter("end"),
    attrgetter("head"),
    attrgetter("tail"),
)
_DOC_LABELS = attrgetter("doc_labels")


@dataclass
class _Side:
    """One side of a batch: the lean records and where they came from (None: not predicted)."""

    docs: list[Any] = field(default_factory=list)  # not yet flattened (fewer than CHUNK)
    where: list[tuple[str, int, int] | None] = field(default_factory=list)
    chunks: list[dict[str, np.ndarray]] = field(default_factory=list)
    done: int = 0  # records flattened into chunks


class DocumentCounter:
    """Accumulates count rows, the label confusion matrix and the error-browser documents.

    Args:
        schema: the schema every label is checked against.
        layout: the column layout (its span labels may be a subset of the schema's).
        keep: how many worst documents to keep for the error browser.
        decoder: the decoder of the records given to :meth:`add` (default: a new one); its
            attribute types say which label a record carries.
    """

    def __init__(
        self, schema: Schema, layout: Layout, keep: int = 25, decoder: LeanDecoder | None = None
    ) -> None:
        self.schema = schema
        self.decoder = decoder or LeanDecoder(schema)
        self.layout = layout
        self.keep = keep
        self.all_labels = list(schema.span_labels)
        self.label_id = {lab: i for i, lab in enumerate(self.all_labels)}
        scored = {lab: i for i, lab in enumerate(layout.span_labels)}
        self.scored_of = np.array([scored.get(lab, -1) for lab in self.all_labels], np.int64)
        self.attr_col = {key: i for i, key in enumerate(layout.attributes)}
        self.attr_val = [{v: j for j, v in enumerate(vals)} for vals in layout.attr_values]
        # Per schema label: its attributes' default value ids (-1 elsewhere or without default).
        self.default_rows = np.full((len(self.all_labels), max(len(layout.attributes), 1)), -1)
        for col, (lab, _) in enumerate(layout.attributes):
            self.default_rows[self.label_id[lab], col] = layout.attr_defaults[col]
        self.rel_id = {lab: i for i, lab in enumerate(layout.relation_labels)}
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
        self._span_codes: dict[Any, int] = {}
        self._table_full: list[int] = []
        self._table_attrs: list[np.ndarray] = []
        self._rel_codes: dict[Any, int] = {}
        self.rows: list[np.ndarray] = []
        self.doc_ids: list[str] = []
        n_scored = len(layout.span_labels)
        self.confusion = np.zeros((n_scored + 1, n_scored + 1), dtype=np.int64)
        self.errors = ErrorBrowser(keep)
        self._gold = _Side()
        self._pred = _Side()
        self._n = 0
        self._seen = 0

    # -- flattening ----------------------------------------------------------------------------
    def add(self, gold: Located, pred: Located | None) -> None:
        """Queue one joined pair (``pred`` None: nothing predicted); flushes full batches.

        Both records must come from :attr:`decoder`.  Nothing is looked at here: a whole batch
        is flattened at once in :meth:`flush`, with C-level maps instead of a loop per span.
        """
        g, p = self._gold, self._pred
        g.docs.append(gold.doc)
        g.where.append(gold[1:])
        if pred is None:
            p.docs.append(self.decoder.empty)
            p.where.append(None)
        else:
            p.docs.append(pred.doc)
            p.where.append(pred[1:])
        self.doc_ids.append(gold.doc.id)
        self._n += 1
        if len(g.docs) >= CHUNK:
            self._chunk(g)
            self._chunk(p)
        if self._n >= BATCH:
            self.flush()

    def add_block(self, gold: Block, pred: Block) -> None:
        """Queue the same documents of both files (see
        :func:`~backchannel.eval.scoring.joining.lockstep`).

        The block form of :meth:`add`, without a Python step per document.
        """
        g, p = self._gold, self._pred
        g.docs += gold.docs
        g.where += gold.where
        p.docs += pred.docs
        p.where += pred.where
        self.doc_ids += map(_ID, gold.docs)
        self._n += len(gold.docs)
        if len(g.docs) >= CHUNK:
            self._chunk(g)
            self._chunk(p)
        if self._n >= BATCH:
            self.flush()

    def _fail(self, side: _Side, suspect: int) -> DocumentError:
        """The error of the first invalid document of the batch, at or before ``suspect``.

        The vectorised checks know that ``suspect`` fails; the documents before it are
        validated in full (read again) so that the message names the first one in the file.
        """
        for where in side.where[:suspect]:
            if where is not None and (error := self._validation_error(reread(*where))):
                return error
        where = side.where[suspect]
        assert where is not None
        full = reread(*where)
        error = self._validation_error(full)
        if error is not None:
            return error
        return DocumentError(
            "inconsistent document (a span or relation fails the schema)",
            path=full.path,
            line=full.line,
            doc_id=full.doc.id,
        )

    def _validation_error(self, full: Located) -> DocumentError | None:
        """The exact message for a (full) document that fails validation, or None."""
        try:
            validate_document(full.doc, self.schema)
        except DocumentError as exc:
            exc.path, exc.line = full.path, full.line
            exc.args = (exc.one_line(),)
            return exc
        return None

    def _codes(self, records: list[Any], table: dict[Any, int], new: Any) -> np.ndarray:
        """Codes of the records' attribute structs through ``table``; ``new`` adds unseen ones.

        Documents repeat a small number of attribute combinations, so each one is turned into
        value ids once and then found by a dict lookup.
        """
        try:
            return np.fromiter(map(table.__getitem__, map(_ATTRS, records)), np.int64, len(records))
        except KeyError:
            for key in set(map(_ATTRS, records)).difference(table):
                table[key] = new(key)
            return np.fromiter(map(table.__getitem__, map(_ATTRS, records)), np.int64, len(records))

    def _new_span_code(self, attrs: Any) -> int:
        """Row of the (label, attribute value ids) table for a new attribute struct."""
        label = self.decoder.label_of[type(attrs)][1]
        lab = self.label_id[label]
        row = self.default_rows[lab].copy()
        for name in attrs.__struct_fields__:
            value = getattr(attrs, name)
            col = self.attr_col.get((label, name))
            if value is not UNSET and col is not None:
                row[col] = self.attr_val[col][value]
        self._table_full.append(lab)
        self._table_attrs.append(row)
        return len(self._table_full) - 1

    def _new_rel_code(self, attrs: Any) -> int:
        """``label id * (polarities + 1) + polarity id`` of a new relation attribute struct."""
        label = self.decoder.label_of[type(attrs)][1]
        rl = self.rel_id[label]
        pol = len(self.layout.polarities)
        if rl == self.stance_rel:
            value = getattr(attrs, self.layout.stance_attribute, UNSET)
            if value is not UNSET:
                pol = self.pol_id[value]
        return rl * (len(self.layout.polarities) + 1) + pol

    def _chunk(self, side: _Side) -> None:
        """Flatten the side's pending records into columns, checking them against the schema.

        Labels and attribute values were checked while decoding; here: offsets, span texts,
        unique span ids, relation ends, document labels.  Runs every :data:`CHUNK` records:
        while they are still in the CPU cache (a whole batch at once was measured 2x slower).
        Relation ends are indices into the chunk's spans; :meth:`_arrays` shifts them.
        """
        docs, base = side.docs, side.done
        n_docs = len(docs)
        if not n_docs:
            return
        span_lists = list(map(_SPANS, docs))
        per_doc = np.fromiter(map(len, span_lists), np.int64, n_docs)
        spans = list(chain.from_iterable(span_lists))
        n = len(spans)
        doc = np.repeat(np.arange(n_docs, dtype=np.int64), per_doc)
        codes = self._codes(spans, self._span_codes, self._new_span_code)
        try:
            starts = np.fromiter(map(_START, spans), np.int64, n)
            ends = np.fromiter(map(_END, spans), np.int64, n)
        except OverflowError:  # an offset beyond 64 bits: the exact error names its document
            raise self._fail(side, base + _doc_beyond_int64(span_lists)) from None
        text_len = np.fromiter(map(len, map(_TEXT, docs)), np.int64, n_docs)
        bad = (starts < 0) | (ends > text_len[doc]) | (starts >= ends)
        if bad.any():
            raise self._fail(side, base + int(doc[np.argmax(bad)]))
        if any(map(_TEXT, spans)):  # the decoder refuses an empty span text
            wrong = _wrong_span_text(docs, span_lists)
            if wrong is not None:
                raise self._fail(side, base + wrong)
        # Span ids as small integers, so that ``(document, id)`` is one int64 key.
        ids = list(map(_ID, spans))
        vocab = dict(zip(dict.fromkeys(ids), count(), strict=False))
        width = max(len(vocab), 1)
        key = doc * width + np.fromiter(map(vocab.__getitem__, ids), np.int64, n)
        order = np.argsort(key, kind="stable")
        keys = key[order]
        dup = np.flatnonzero(keys[1:] == keys[:-1])
        if len(dup):
            raise self._fail(side, base + int(doc[order[dup[0]]]))

        rel_lists = list(map(_RELATIONS, docs))
        r_per_doc = np.fromiter(map(len, rel_lists), np.int64, n_docs)
        rels = list(chain.from_iterable(rel_lists))
        r_doc = np.repeat(np.arange(n_docs, dtype=np.int64), r_per_doc)
        rcodes = self._codes(rels, self._rel_codes, self._new_rel_code)
        ends_of = []
        for get in (_HEAD, _TAIL):
            rid = np.fromiter(map(vocab.get, map(get, rels), repeat(-1)), np.int64, len(rels))
            want = r_doc * width + rid
            at = np.minimum(np.searchsorted(keys, want), max(n - 1, 0))
            found = (rid >= 0) & (keys[at] == want) if n else np.zeros(len(rels), dtype=bool)
            if not found.all():
                raise self._fail(side, base + int(r_doc[np.argmin(found)]))
            ends_of.append(order[at] if n else at)
        if any(map(_DOC_LABELS, docs)):
            for k, d in enumerate(docs):
                where = side.where[base + k]
                if where is not None and d.doc_labels:
                    try:
                        self.schema.check_doc_labels(d.doc_labels, doc_id=d.id)
                    except DocumentError as exc:
                        exc.path, exc.line = where[0], where[1]
                        exc.args = (exc.one_line(),)
                        raise
        side.chunks.append(
            {
                "per_doc": per_doc,
                "start": starts,
                "end": ends,
                "codes": codes,
                "r_per_doc": r_per_doc,
                "r_head": ends_of[0],
                "r_tail": ends_of[1],
                "r_codes": rcodes,
            }
        )
        side.done += n_docs
        side.docs = []

    def _arrays(self, side: _Side) -> dict[str, np.ndarray]:
        """The batch's columns of one side: its chunks joined, codes turned into labels."""
        self._chunk(side)
        chunks = side.chunks
        n_docs = side.done

        def cat(name: str) -> np.ndarray:
            return np.concatenate([c[name] for c in chunks]) if chunks else np.zeros(0, np.int64)

        per_doc, r_per_doc, codes = cat("per_doc"), cat("r_per_doc"), cat("codes")
        shift = np.repeat(
            np.cumsum([0] + [len(c["codes"]) for c in chunks[:-1]]),
            [len(c["r_codes"]) for c in chunks],
        ).astype(np.int64)
        n = len(codes)
        n_attr = max(len(self.layout.attributes), 1)
        full = np.array(self._table_full, dtype=np.int64)[codes] if n else codes
        a = {
            "per_doc": per_doc,
            "doc": np.repeat(np.arange(n_docs, dtype=np.int64), per_doc),
            "start": cat("start"),
            "end": cat("end"),
            "full": full,
            "label": self.scored_of[full] if n else full,
            "attrs": (
                np.array(self._table_attrs, dtype=np.int64).reshape(-1, n_attr)[codes]
                if n
                else np.zeros((0, n_attr), dtype=np.int64)
            ),
            "r_doc": np.repeat(np.arange(n_docs, dtype=np.int64), r_per_doc),
            "r_head": cat("r_head") + shift,
            "r_tail": cat("r_tail") + shift,
        }
        a["r_lab"], a["r_pol"] = np.divmod(cat("r_codes"), len(self.layout.polarities) + 1)
        if len(a["r_lab"]):
            bad = ~(
                self.head_ok[a["r_lab"], a["full"][a["r_head"]]]
                & self.tail_ok[a["r_lab"], a["full"][a["r_tail"]]]
            )
            if bad.any():
                raise self._fail(side, int(a["r_doc"][np.argmax(bad)]))
        return a

    # -- one batch -----------------------------------------------------------------------------
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
        per_label = match_per_label(
            overall,
            g["doc"][gk], g["start"][gk], g["end"][gk], g["label"][gk],
            p["doc"][pk], p["start"][pk], p["end"][pk], p["label"][pk],
            n_docs, max(n_lab, 1),
        )  # fmt: skip
        spans[:, 1:] = per_label.reshape(n_docs, n_lab, *per_label.shape[1:])

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
            self.errors.consider(
                self.layout,
                self._seen,
                self._gold.where,
                self._pred.where,
                g,
                p,
                gi_all,
                pi_all,
                strict_pairs,
                row,
            )
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
        bounds = _boundary_ids(g, p, n_docs * n_rel)
        for a, bound in zip((g, p), bounds, strict=True):
            keep = np.ones(len(a["r_lab"]), dtype=bool)
            if len(keep):
                keep = (a["label"][a["r_head"]] >= 0) & (a["label"][a["r_tail"]] >= 0)
            h, t = a["r_head"][keep], a["r_tail"][keep]
            grp = a["r_doc"][keep] * n_rel + a["r_lab"][keep]
            hl, tl = a["full"][h], a["full"][t]
            # An argument's boundaries: (start, end), or one id standing for them (long texts).
            hb = [a["start"][h], a["end"][h]] if bound is None else [bound[h]]
            tb = [a["start"][t], a["end"][t]] if bound is None else [bound[t]]
            keys.setdefault("strict", []).append(np.stack([grp, *hb, hl, *tb, tl], axis=1))
            keys.setdefault("boundaries", []).append(np.stack([grp, *hb, *tb], axis=1))
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

    def offer(self, item: tuple[Any, ...]) -> None:
        """Offer an error-browser candidate (see :meth:`ErrorBrowser.offer`)."""
        self.errors.offer(item)

    # -- results -------------------------------------------------------------------------------
    def reset(self, first: int) -> None:
        """Forget rows, ids, confusion and candidates; the next document has index ``first``.

        A worker process counts one batch after another with the same DocumentCounter (its
        label-and-attribute tables stay warm) and hands each batch's results back.
        """
        self.rows, self.doc_ids = [], []
        self.errors = ErrorBrowser(self.keep)
        self.confusion = np.zeros_like(self.confusion)
        self._gold, self._pred, self._n, self._seen = _Side(), _Side(), 0, first

    def take_heap(self) -> list[tuple[Any, ...]]:
        """The error-browser candidates kept so far (for merging with :meth:`offer`)."""
        return self.errors.take()

    def browser(self) -> list[BrowserDoc]:
        """The kept documents, most errors first."""
        return self.errors.documents()

    def finish(self) -> np.ndarray:
        """Flush and return the ``(n_docs, n_columns)`` count array."""
        self.flush()
        if not self.rows:
            return np.zeros((0, self.layout.n_columns), dtype=np.int32)
        return np.concatenate(self.rows)


def _doc_beyond_int64(span_lists: list[list[Any]]) -> int:
    """Index of the first document with a span offset outside int64 (only after an overflow)."""
    for doc, spans in enumerate(span_lists):
        for s in spans:
            if not (-(2**63) <= s.start < 2**63 and -(2**63) <= s.end < 2**63):
                return doc
    raise AssertionError("no offset beyond int64")


def _boundary_ids(
    g: dict[str, np.ndarray], p: dict[str, np.ndarray], n_groups: int
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """One id per distinct (document, start, end) over both sides, when offsets are long.

    Why: a strict relation key (group, head start, end, label, tail start, end, label) sorts
    as one packed int64 only while it fits in 62 bits; with articles of a few thousand
    characters it does not, and the seven-key ``lexsort`` costs several times more.  Two
    arguments have the same boundaries exactly when they have the same id, so the keys
    ``(group, head id, label, tail id, label)`` give the same matches and always pack.  For
    short texts the offsets are used directly (no extra sort).
    """
    ends = [int(a["end"].max()) for a in (g, p) if len(a["end"])]
    if not ends:
        return None, None
    offset_bits = max(ends).bit_length()
    if n_groups.bit_length() + 4 * offset_bits + 8 <= 62:
        return None, None
    cols = [np.concatenate([g[k], p[k]]) for k in ("doc", "start", "end")]
    order, run, _ = run_ids(np.stack(cols, axis=1))
    ids = np.empty(len(order), dtype=np.int64)
    ids[order] = run
    return ids[: len(g["end"])], ids[len(g["end"]) :]


def _wrong_span_text(docs: list[Any], span_lists: list[list[Any]]) -> int | None:
    """Index of the first document with a span whose ``text`` is not its stretch of text."""
    for k, (doc, spans) in enumerate(zip(docs, span_lists, strict=True)):
        text = doc.text
        if any(s.text is not None and s.text != text[s.start : s.end] for s in spans):
            return k
    return None
