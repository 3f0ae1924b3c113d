"""Counts to figures: the column layout of per-document counts and every metric derived from it.

Counts are addable and rates are derived (spaCy's ``PRFScore`` idea): each document contributes
one row of integers, a corpus is the sum of its rows, and a bootstrap replicate is a weighted sum
of the same rows.  :func:`compute_metrics` therefore takes totals with any number of leading
dimensions (one corpus, or ``B`` bootstrap replicates) and returns every figure vectorised over
them, so a thousand replicates cost one matrix product and one call.

Conventions (see ``docs/scoring.md``):

- spans: ``ACT = COR + INC + PAR + SPU``, ``POS = COR + INC + PAR + MIS``,
  ``precision = (COR + 0.5 PAR) / ACT``, ``recall = (COR + 0.5 PAR) / POS`` (PAR is always 0 in
  strict, exact and type, so one formula serves all four), ``f1 = 2 P R / (P + R)``;
- a row with ``ACT = POS = 0`` (a label nothing was said about) is undefined: NaN here, ``null``
  in JSON, and left out of macro averages; otherwise a zero denominator gives 0 (as scikit-learn's
  ``zero_division=0``);
- macro = the unweighted mean of the defined per-label figures (macro-F1 is the mean of per-label
  F1, not the F1 of macro precision and recall);
- in a bootstrap replicate, a macro average is taken over the classes defined in the point
  estimate (:func:`class_sets`), a class without support in the replicate counting 0; without
  that rule, replicates that happen to lack a hard class drop it and the interval reaches 1.0
  around a point estimate of 0.6;
- ``stance.majority_baseline``: what predicting the most frequent gold polarity for every
  matched holder-target pair would score (ties: the first in schema order).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from backchannel.eval.scoring.matching import CATEGORIES, SCHEMAS
from backchannel.schema import Schema

__all__ = [
    "REL_COUNTS",
    "REL_MODES",
    "Layout",
    "class_sets",
    "compute_metrics",
    "majority_polarity",
    "prf",
]

REL_MODES: tuple[str, ...] = ("strict", "boundaries")
REL_COUNTS: tuple[str, ...] = ("TP", "ACT", "POS")


@dataclass(frozen=True)
class Layout:
    """Which column of a per-document count row holds what; everything comes from the schema.

    Attributes:
        span_labels: scored span labels (schema order, or the ``--labels`` subset).
        attributes: ``(label, attribute)`` pairs scored for accuracy.
        attr_values: for each of ``attributes``, its allowed values (id = position).
        attr_defaults: the schema default value id of each attribute, or -1.
        relation_labels: relation labels (schema order).
        polarities: stance polarity values (schema order); the confusion matrix has one more
            row and column, ``(missing)``, for a matched pair whose polarity is absent.
        favg: the polarities averaged in F_avg.
        stance_relation: the relation label that carries stance, or None.
    """

    span_labels: tuple[str, ...]
    attributes: tuple[tuple[str, str], ...]
    attr_values: tuple[tuple[str, ...], ...]
    attr_defaults: tuple[int, ...]
    relation_labels: tuple[str, ...]
    polarities: tuple[str, ...]
    favg: tuple[str, ...]
    stance_relation: str | None
    stance_attribute: str | None
    offsets: dict[str, int] = field(default_factory=dict, compare=False)

    @classmethod
    def from_schema(cls, schema: Schema, labels: list[str] | None = None) -> Layout:
        """Derive the layout; ``labels`` restricts the span labels (relations follow)."""
        span_labels = tuple(labels) if labels else tuple(schema.span_labels)
        attributes: list[tuple[str, str]] = []
        values: list[tuple[str, ...]] = []
        defaults: list[int] = []
        for lab in span_labels:
            for name, adef in schema.spans[lab].attributes.items():
                attributes.append((lab, name))
                vals = tuple(adef.values)
                values.append(vals)
                defaults.append(vals.index(adef.default) if adef.default in vals else -1)
        stance = schema.stance
        layout = cls(
            span_labels=span_labels,
            attributes=tuple(attributes),
            attr_values=tuple(values),
            attr_defaults=tuple(defaults),
            relation_labels=tuple(schema.relation_labels),
            polarities=tuple(schema.polarities),
            favg=tuple(stance.favg) if stance else (),
            stance_relation=stance.relation if stance else None,
            stance_attribute=stance.attribute if stance else None,
        )
        off = layout.offsets
        pos = 0
        for name, size in (
            ("spans", layout.n_span_cols),
            ("attrs", 2 * len(layout.attributes)),
            ("rels", (1 + len(layout.relation_labels)) * len(REL_MODES) * len(REL_COUNTS)),
            ("polarity", (len(layout.polarities) + 1) ** 2),
            ("stance_pol", len(REL_COUNTS)),
        ):
            off[name] = pos
            pos += size
        off["total"] = pos
        return layout

    @property
    def n_span_cols(self) -> int:
        return (1 + len(self.span_labels)) * len(SCHEMAS) * len(CATEGORIES)

    @property
    def n_columns(self) -> int:
        return self.offsets["total"]

    def reduction(self) -> tuple[np.ndarray, np.ndarray]:
        """Matrices ``P (c x k)`` and ``Q (k x c)`` that shrink count rows for resampling.

        Figures need fewer numbers than the counts hold: per span scope, ACT and POS (equal in
        all schemas), COR per schema and PAR of partial; per relation scope, TP per mode and
        ACT and POS (equal in both modes).  ``rows @ P`` keeps just those, and ``totals @ Q``
        rebuilds rows that give every figure exactly (INC set to 0 and folded into MIS and
        SPU, which leaves ACT and POS, hence every rate, unchanged).  It roughly halves the
        bootstrap's matrix product.  Counts rebuilt this way are not the real counts: use it for
        figures only.
        """
        c = self.n_columns
        cols: list[dict[int, float]] = []  # each reduced column as {source column: weight}
        q_terms: list[tuple[int, int, float]] = []  # (reduced column, full column, weight)
        idx = np.arange(c).reshape(c)
        spans = self.view(idx, "spans")
        n_scope = spans.shape[0]
        for r in range(n_scope):
            s = spans[r]
            act = len(cols)
            cols.append({int(s[0, i]): 1.0 for i in (0, 1, 2, 4)})  # COR INC PAR SPU (strict)
            pos = len(cols)
            cols.append({int(s[0, i]): 1.0 for i in (0, 1, 2, 3)})  # COR INC PAR MIS
            for k in range(s.shape[0]):
                cor = len(cols)
                cols.append({int(s[k, 0]): 1.0})
                q_terms += [(cor, int(s[k, 0]), 1.0), (cor, int(s[k, 3]), -1.0)]
                q_terms += [(cor, int(s[k, 4]), -1.0)]
                q_terms += [(act, int(s[k, 4]), 1.0), (pos, int(s[k, 3]), 1.0)]
                if SCHEMAS[k].value == "partial":
                    par = len(cols)
                    cols.append({int(s[k, 2]): 1.0})
                    q_terms += [(par, int(s[k, 2]), 1.0), (par, int(s[k, 3]), -1.0)]
                    q_terms += [(par, int(s[k, 4]), -1.0)]
        rels = self.view(idx, "rels")
        for r in range(rels.shape[0]):
            act = len(cols)
            cols.append({int(rels[r, 0, 1]): 1.0})
            pos = len(cols)
            cols.append({int(rels[r, 0, 2]): 1.0})
            for m in range(rels.shape[1]):
                tp = len(cols)
                cols.append({int(rels[r, m, 0]): 1.0})
                q_terms += [(tp, int(rels[r, m, 0]), 1.0)]
                q_terms += [(act, int(rels[r, m, 1]), 1.0), (pos, int(rels[r, m, 2]), 1.0)]
        o = self.offsets
        for part in (("attrs", "rels"), ("polarity", "total")):
            for j in range(o[part[0]], o[part[1]]):
                k = len(cols)
                cols.append({j: 1.0})
                q_terms.append((k, j, 1.0))
        p = np.zeros((c, len(cols)), dtype=np.float32)
        for k, src in enumerate(cols):
            for j, w in src.items():
                p[j, k] = w
        q = np.zeros((len(cols), c), dtype=np.float64)
        for k, j, w in q_terms:
            q[k, j] += w
        return p, q

    def view(self, totals: np.ndarray, part: str) -> np.ndarray:
        """The ``part`` of ``totals`` (``(..., n_columns)``) reshaped to its natural axes."""
        lead = totals.shape[:-1]
        o = self.offsets
        if part == "spans":
            block = totals[..., o["spans"] : o["attrs"]]
            return block.reshape(*lead, 1 + len(self.span_labels), len(SCHEMAS), len(CATEGORIES))
        if part == "attrs":
            return totals[..., o["attrs"] : o["rels"]].reshape(*lead, len(self.attributes), 2)
        if part == "rels":
            block = totals[..., o["rels"] : o["polarity"]]
            return block.reshape(
                *lead, 1 + len(self.relation_labels), len(REL_MODES), len(REL_COUNTS)
            )
        if part == "polarity":
            k = len(self.polarities) + 1
            return totals[..., o["polarity"] : o["stance_pol"]].reshape(*lead, k, k)
        if part == "stance_pol":
            return totals[..., o["stance_pol"] : o["total"]]
        raise KeyError(part)


def _div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), 0.0)


def prf(tp: np.ndarray, act: np.ndarray, pos: np.ndarray) -> tuple[np.ndarray, ...]:
    """Precision, recall, F1 from (weighted) true positives, predicted and gold totals.

    Undefined (NaN) where ``act + pos == 0``; a single zero denominator gives 0.
    """
    tp, act, pos = (np.asarray(x, dtype=np.float64) for x in (tp, act, pos))
    p = _div(tp, act)
    r = _div(tp, pos)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(p + r > 0, 2 * p * r / np.where(p + r > 0, p + r, 1), 0.0)
    undefined = (act + pos) == 0
    return (
        np.where(undefined, np.nan, p),
        np.where(undefined, np.nan, r),
        np.where(undefined, np.nan, f),
    )


def _nanmean(x: np.ndarray, axis: int) -> np.ndarray:
    ok = ~np.isnan(x)
    n = ok.sum(axis=axis)
    s = np.where(ok, x, 0.0).sum(axis=axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, s / np.where(n > 0, n, 1), np.nan)


def _macro(stack: np.ndarray, name: str, classes: Mapping[str, np.ndarray] | None) -> np.ndarray:
    """Mean over the last axis: of the defined entries, or over ``classes[name]`` (NaN as 0)."""
    if classes is None or name not in classes:
        return _nanmean(stack, axis=-1)
    mask = np.asarray(classes[name], dtype=bool)
    if not mask.any():
        return np.full(stack.shape[:-1], np.nan)
    return np.nan_to_num(stack[..., mask], nan=0.0).mean(axis=-1)


def _macro_parts(out: dict[str, np.ndarray], layout: Layout) -> dict[str, list[str]]:
    """For each macro figure, the per-class figure names it averages (in column order)."""
    parts: dict[str, list[str]] = {}
    for schema in SCHEMAS:
        for metric in ("precision", "recall", "f1"):
            parts[f"spans.macro.{schema.value}.{metric}"] = [
                f"spans.per_label.{lab}.{schema.value}.{metric}" for lab in layout.span_labels
            ]
    for mode in REL_MODES:
        for metric in ("precision", "recall", "f1"):
            parts[f"relations.macro.{mode}.{metric}"] = [
                f"relations.per_label.{lab}.{mode}.{metric}" for lab in layout.relation_labels
            ]
    pols = [f"stance.polarity.per_label.{p}.f1" for p in layout.polarities]
    favg = [f"stance.polarity.per_label.{p}.f1" for p in layout.favg if p in layout.polarities]
    parts["stance.polarity.macro_f1"] = pols
    parts["stance.polarity.f_avg"] = favg
    base = [f"stance.majority_baseline.per_label.{p}.f1" for p in layout.polarities]
    parts["stance.majority_baseline.macro_f1"] = base
    parts["stance.majority_baseline.f_avg"] = [
        f"stance.majority_baseline.per_label.{p}.f1" for p in layout.favg if p in layout.polarities
    ]
    return {k: v for k, v in parts.items() if k in out and v}


def class_sets(totals: np.ndarray, layout: Layout) -> dict[str, np.ndarray]:
    """The classes each macro average counts, as defined by the point estimate ``totals``.

    Pass the result as ``classes`` to :func:`compute_metrics` for bootstrap replicates, so that
    every replicate averages over the same classes as the point estimate: a class defined there
    (gold or predicted instances) counts in every replicate, with 0 where the replicate has
    none of it, and a class undefined there never counts.
    """
    point = compute_metrics(np.asarray(totals, dtype=np.float64), layout)
    return {
        name: np.array([not np.isnan(point[c]) for c in comps], dtype=bool)
        for name, comps in _macro_parts(point, layout).items()
    }


def majority_polarity(totals: np.ndarray, layout: Layout) -> str | None:
    """The most frequent gold polarity among matched holder-target pairs (None: no pairs)."""
    if not layout.polarities or layout.stance_relation is None:
        return None
    conf = layout.view(np.asarray(totals, dtype=np.float64), "polarity")
    gold = conf[: len(layout.polarities), :].sum(axis=-1)
    if gold.sum() <= 0:
        return None
    return layout.polarities[int(np.argmax(gold))]


def compute_metrics(
    totals: np.ndarray, layout: Layout, classes: Mapping[str, np.ndarray] | None = None
) -> dict[str, np.ndarray]:
    """Every figure of a report from summed counts, vectorised over leading dimensions.

    Args:
        totals: ``(..., layout.n_columns)`` summed counts (integers or bootstrap-weighted sums).
        layout: the column layout.
        classes: per macro figure, which classes it averages (see :func:`class_sets`); default:
            the classes defined in each row of ``totals``.

    Returns:
        A flat mapping from dotted JSON path (``spans.micro.strict.f1``) to an array of shape
        ``totals.shape[:-1]``; NaN marks an undefined figure.  Counts are included too.
    """
    t = np.asarray(totals, dtype=np.float64)
    out: dict[str, np.ndarray] = {}
    spans = layout.view(t, "spans")
    for k, schema in enumerate(SCHEMAS):
        name = schema.value
        per_label = []
        for row, scope in enumerate(("micro", *layout.span_labels)):
            c = spans[..., row, k, :]
            cor, inc, par, mis, spu = (c[..., i] for i in range(5))
            act = cor + inc + par + spu
            pos = cor + inc + par + mis
            p, r, f = prf(cor + 0.5 * par, act, pos)
            base = f"spans.micro.{name}" if row == 0 else f"spans.per_label.{scope}.{name}"
            for cname, val in zip(CATEGORIES, (cor, inc, par, mis, spu), strict=True):
                out[f"{base}.{cname}"] = val
            out[f"{base}.ACT"], out[f"{base}.POS"] = act, pos
            out[f"{base}.precision"], out[f"{base}.recall"], out[f"{base}.f1"] = p, r, f
            if row:
                per_label.append((p, r, f))
        if per_label:
            for i, metric in enumerate(("precision", "recall", "f1")):
                stack = np.stack([x[i] for x in per_label], axis=-1)
                key = f"spans.macro.{name}.{metric}"
                out[key] = _macro(stack, key, classes)

    attrs = layout.view(t, "attrs")
    if layout.attributes:
        for i, (lab, attr) in enumerate(layout.attributes):
            correct, total = attrs[..., i, 0], attrs[..., i, 1]
            base = f"attributes.{lab}.{attr}"
            out[f"{base}.correct"], out[f"{base}.total"] = correct, total
            out[f"{base}.accuracy"] = np.where(total > 0, _div(correct, total), np.nan)
        correct, total = attrs[..., 0].sum(axis=-1), attrs[..., 1].sum(axis=-1)
        out["attributes.micro.correct"], out["attributes.micro.total"] = correct, total
        out["attributes.micro.accuracy"] = np.where(total > 0, _div(correct, total), np.nan)

    rels = layout.view(t, "rels")
    for m, mode in enumerate(REL_MODES):
        per_label = []
        for row, scope in enumerate(("micro", *layout.relation_labels)):
            tp, act, pos = (rels[..., row, m, i] for i in range(3))
            p, r, f = prf(tp, act, pos)
            base = f"relations.micro.{mode}" if row == 0 else f"relations.per_label.{scope}.{mode}"
            out[f"{base}.TP"], out[f"{base}.FP"], out[f"{base}.FN"] = tp, act - tp, pos - tp
            out[f"{base}.ACT"], out[f"{base}.POS"] = act, pos
            out[f"{base}.precision"], out[f"{base}.recall"], out[f"{base}.f1"] = p, r, f
            if row:
                per_label.append((p, r, f))
        if per_label:
            for i, metric in enumerate(("precision", "recall", "f1")):
                stack = np.stack([x[i] for x in per_label], axis=-1)
                key = f"relations.macro.{mode}.{metric}"
                out[key] = _macro(stack, key, classes)

    if layout.stance_relation is not None and layout.stance_relation in layout.relation_labels:
        row = 1 + layout.relation_labels.index(layout.stance_relation)
        for m, mode in enumerate(REL_MODES):
            tp, act, pos = (rels[..., row, m, i] for i in range(3))
            p, r, f = prf(tp, act, pos)
            base = f"stance.relations.{mode}"
            out[f"{base}.TP"], out[f"{base}.ACT"], out[f"{base}.POS"] = tp, act, pos
            out[f"{base}.precision"], out[f"{base}.recall"], out[f"{base}.f1"] = p, r, f
        sp = layout.view(t, "stance_pol")
        tp, act, pos = sp[..., 0], sp[..., 1], sp[..., 2]
        p, r, f = prf(tp, act, pos)
        base = "stance.with_polarity"
        out[f"{base}.TP"], out[f"{base}.ACT"], out[f"{base}.POS"] = tp, act, pos
        out[f"{base}.precision"], out[f"{base}.recall"], out[f"{base}.f1"] = p, r, f
        conf = layout.view(t, "polarity")
        n_pol = len(layout.polarities)
        f1s = {}
        for j, pol in enumerate(layout.polarities):
            tp = conf[..., j, j]
            act = conf[..., :, j].sum(axis=-1)
            pos = conf[..., j, :].sum(axis=-1)
            p, r, f = prf(tp, act, pos)
            base = f"stance.polarity.per_label.{pol}"
            out[f"{base}.TP"], out[f"{base}.ACT"], out[f"{base}.POS"] = tp, act, pos
            out[f"{base}.precision"], out[f"{base}.recall"], out[f"{base}.f1"] = p, r, f
            f1s[pol] = f
        matched = conf.sum(axis=(-1, -2))
        diag = np.trace(conf[..., :n_pol, :n_pol], axis1=-2, axis2=-1)
        out["stance.polarity.pairs"] = matched
        out["stance.polarity.accuracy"] = np.where(matched > 0, _div(diag, matched), np.nan)
        if f1s:
            key = "stance.polarity.macro_f1"
            out[key] = _macro(np.stack(list(f1s.values()), -1), key, classes)
        fav = [f1s[p] for p in layout.favg if p in f1s]
        if fav:
            out["stance.polarity.f_avg"] = _macro(
                np.stack(fav, -1), "stance.polarity.f_avg", classes
            )
        if n_pol:
            _majority_baseline(out, conf, matched, layout, classes)
    return out


def _majority_baseline(
    out: dict[str, np.ndarray],
    conf: np.ndarray,
    matched: np.ndarray,
    layout: Layout,
    classes: Mapping[str, np.ndarray] | None,
) -> None:
    """Figures of predicting the most frequent gold polarity for every matched pair."""
    n_pol = len(layout.polarities)
    gold = conf[..., :n_pol, :].sum(axis=-1)  # (..., n_pol) gold polarity counts
    top = np.argmax(gold, axis=-1)
    onehot = np.arange(n_pol) == top[..., None]
    n_top = np.take_along_axis(gold, top[..., None], axis=-1)
    tp = np.where(onehot, n_top, 0.0)
    act = np.where(onehot, matched[..., None], 0.0)
    _, _, f = prf(tp, act, gold)
    f1s = {}
    for j, pol in enumerate(layout.polarities):
        out[f"stance.majority_baseline.per_label.{pol}.f1"] = f[..., j]
        f1s[pol] = f[..., j]
    base = "stance.majority_baseline"
    out[f"{base}.accuracy"] = np.where(matched > 0, _div(n_top[..., 0], matched), np.nan)
    out[f"{base}.macro_f1"] = _macro(f, f"{base}.macro_f1", classes)
    fav = [f1s[p] for p in layout.favg if p in f1s]
    if fav:
        out[f"{base}.f_avg"] = _macro(np.stack(fav, -1), f"{base}.f_avg", classes)


def finite_or_none(x: float) -> float | None:
    """A figure as JSON shows it: ``None`` where it is undefined (NaN)."""
    return None if math.isnan(x) else float(x)
