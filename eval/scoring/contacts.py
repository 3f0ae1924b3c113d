"""Contact-pair scoring: who talks to whom, judged the way an analyst of event data reads it.

Span and relation figures reward finding the same characters as the annotator; an analyst asks
whether a model found that A talked to B.  Here each document becomes the set of unordered
pairs of resolved actors that share a contact
(:func:`backchannel.annotation.export.events.contact_pairs`, the same resolution as the event
table), in gold and in the predictions; a pair counts as found whichever mentions named the two
actors ("Hartley" or "Prime Minister Sir Alan Hartley").  The same at the level of countries
(``country_pairs``): a model that gives the right countries but the wrong office still scores.

Per document: true positives (pairs in both), false positives (predicted only), false
negatives (gold only).  Precision, recall and F1 are micro over all documents; intervals are
the percentile bootstrap over documents of :mod:`backchannel.bootstrap`, like every other
figure of ``score``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from backchannel.annotation.export.event_records import CHANNEL, PARTICIPANT, contact_pairs
from backchannel.atomic import STDIO
from backchannel.bootstrap import bootstrap_totals, percentile_interval
from backchannel.eval.scoring.metrics import finite_or_none
from backchannel.eval.scoring.significance import (
    approximate_randomisation,
    bootstrap_p,
    paired_bootstrap,
)
from backchannel.schema import Schema

__all__ = [
    "FIGURE_NAMES",
    "LEVELS",
    "contact_pair_counts",
    "contact_pair_figures",
    "document_pair_counts",
    "pair_metrics",
]

#: JSON names of the two levels and the pair level each scores.
LEVELS = {"actor_pairs": "actor", "country_pairs": "country"}
_COLUMNS = ("tp", "fp", "fn")


def document_pair_counts(gold: object, pred: object | None, schema: Schema) -> list[int]:
    """``[tp, fp, fn]`` per level (actor pairs, then country pairs) for one document.

    ``pred`` is ``None`` for a missing prediction: every gold pair is missed.
    """
    out: list[int] = []
    for level in LEVELS.values():
        g = contact_pairs(gold, schema, level=level)  # type: ignore[arg-type]
        p = contact_pairs(pred, schema, level=level) if pred is not None else set()  # type: ignore[arg-type]
        out += [len(g & p), len(p - g), len(g - p)]
    return out


def contact_pair_counts(
    gold: str | Path, predictions: str | Path, schema: Schema, *, allow_missing: bool = False
) -> np.ndarray:
    """The ``(documents, 6)`` count matrix: tp, fp, fn of actor pairs, then of country pairs.

    Raises:
        DocumentError: as :func:`backchannel.eval.scoring.joining.join` does.
    """
    import tempfile

    from backchannel.documents import write_documents
    from backchannel.eval.scoring.joining import join
    from backchannel.shards import is_sharded, iter_corpus

    with tempfile.TemporaryDirectory(prefix="backchannel-contacts-") as tmp:
        # shards (a folder or glob) are joined as the one file they make, as counting does
        files = []
        for k, source in enumerate((gold, predictions)):
            if is_sharded(source):
                joined = Path(tmp) / f"{k}.jsonl"
                write_documents(iter_corpus(source, schema=schema, validate=False), joined)
                source = joined
            files.append(source)
        rows = [
            document_pair_counts(g.doc, p.doc if p is not None else None, schema)
            for g, p in join(files[0], files[1], allow_missing=allow_missing)
        ]
    return np.asarray(rows, dtype=np.int64).reshape(-1, 3 * len(LEVELS))


def _prf(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> dict[str, np.ndarray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(tp + fp > 0, tp / (tp + fp), np.nan)
        r = np.where(tp + fn > 0, tp / (tp + fn), np.nan)
        f = np.where(tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), np.nan)
    return {"precision": p, "recall": r, "f1": f}


def pair_metrics(totals: np.ndarray) -> dict[str, np.ndarray]:
    """Precision, recall, F1 of both levels from count totals (the last axis: the six
    columns of :func:`contact_pair_counts`), named ``contacts.<level>.<figure>``; NaN when
    undefined.  One totals row or a batch of replicates alike (the significance tests' shape).
    """
    t = np.asarray(totals, dtype=np.float64)
    out: dict[str, np.ndarray] = {}
    for k, name in enumerate(LEVELS):
        prf = _prf(t[..., 3 * k], t[..., 3 * k + 1], t[..., 3 * k + 2])
        out.update({f"contacts.{name}.{fig}": arr for fig, arr in prf.items()})
    return out


#: The rates :func:`pair_metrics` gives, in report order.
FIGURE_NAMES = [f"contacts.{lvl}.{fig}" for lvl in LEVELS for fig in ("precision", "recall", "f1")]


def contact_pair_figures(
    rows: np.ndarray, *, bootstrap: int, seed: int, confidence: float = 0.95
) -> tuple[dict[str, float | None], dict[str, tuple[float | None, float | None]]]:
    """Values and intervals under ``contacts.<level>.<figure>`` from the count matrix.

    Values: ``precision``, ``recall``, ``f1`` (``None`` when undefined) and the counts ``tp``,
    ``fp``, ``fn``, ``gold`` (pairs in the gold) and ``predicted``.
    """
    totals = rows.sum(axis=0)
    samples = bootstrap_totals(rows, bootstrap, seed) if bootstrap > 0 and rows.shape[0] else None
    values: dict[str, float | None] = {}
    intervals: dict[str, tuple[float | None, float | None]] = {}
    for k, name in enumerate(LEVELS):
        tp, fp, fn = (totals[3 * k + j] for j in range(3))
        point = _prf(np.array([tp]), np.array([fp]), np.array([fn]))
        prefix = f"contacts.{name}"
        for fig, arr in point.items():
            v = float(arr[0])
            values[f"{prefix}.{fig}"] = None if np.isnan(v) else v
        values[f"{prefix}.tp"], values[f"{prefix}.fp"], values[f"{prefix}.fn"] = tp, fp, fn
        values[f"{prefix}.gold"], values[f"{prefix}.predicted"] = tp + fn, tp + fp
        if samples is None:
            for fig in point:
                intervals[f"{prefix}.{fig}"] = (None, None)
            continue
        boot = _prf(*(samples[:, 3 * k + j].astype(np.float64) for j in range(3)))
        figs = list(boot)
        lo, hi = percentile_interval(np.stack([boot[f] for f in figs], axis=1), confidence)
        for j, fig in enumerate(figs):
            intervals[f"{prefix}.{fig}"] = (
                None if np.isnan(lo[j]) else float(lo[j]),
                None if np.isnan(hi[j]) else float(hi[j]),
            )
    return {k: (None if v is None else float(v)) for k, v in values.items()}, intervals


def schema_has_contacts(schema: Schema) -> bool:
    """Whether the schema has the contact-event model (else there is nothing to pair)."""
    return CHANNEL in schema.spans and PARTICIPANT in schema.relations


def score_figures(
    gold: str | Path,
    predictions: str | Path,
    schema: Schema,
    *,
    allow_missing: bool,
    bootstrap: int,
    seed: int,
    confidence: float,
) -> tuple[dict[str, float | None], dict[str, tuple[float | None, float | None]]]:
    """The contact-pair figures of ``score``; none for a schema
    without the contact-event model, or for predictions read from standard input (one pass
    only)."""
    if not schema_has_contacts(schema) or str(predictions) == STDIO:
        return {}, {}
    rows = contact_pair_counts(gold, predictions, schema, allow_missing=allow_missing)
    return contact_pair_figures(rows, bootstrap=bootstrap, seed=seed, confidence=confidence)


def compare_rows(
    gold: str | Path,
    a: str | Path,
    b: str | Path,
    schema: Schema,
    *,
    allow_missing: bool,
    bootstrap: int,
    permutations: int,
    seed: int,
    confidence: float,
) -> dict[str, dict[str, float | None]]:
    """The contact-pair rows of ``compare``: same tests as every other figure, documents as
    the unit (both systems' counts come in gold order, so rows pair up)."""
    if not schema_has_contacts(schema) or STDIO in (str(a), str(b)):
        return {}
    ca = contact_pair_counts(gold, a, schema, allow_missing=allow_missing)
    cb = contact_pair_counts(gold, b, schema, allow_missing=allow_missing)
    fn = pair_metrics
    va, vb = fn(ca.sum(axis=0)), fn(cb.sum(axis=0))
    names = [n for n in FIGURE_NAMES if not (math.isnan(float(va[n])) and math.isnan(float(vb[n])))]
    if not names:
        return {}
    deltas, observed = paired_bootstrap(ca, cb, fn, names, bootstrap, seed)
    p_ar = approximate_randomisation(ca, cb, fn, names, permutations, seed)
    lo, hi = percentile_interval(deltas, confidence)
    p_boot = bootstrap_p(deltas, observed)
    return {
        n: {
            "a": finite_or_none(float(va[n])),
            "b": finite_or_none(float(vb[n])),
            "delta": finite_or_none(observed[j]),
            "ci_low": finite_or_none(lo[j]),
            "ci_high": finite_or_none(hi[j]),
            "p_bootstrap": finite_or_none(p_boot[j]),
            "p_randomisation": finite_or_none(p_ar[j]),
        }
        for j, n in enumerate(names)
    }
