"""The real-text floors of issue 17: person recall and precision, ACTOR and CHANNEL F1.

Why a module of its own: the floors are measured the same way by the benchmark
(``benchmarks/evaluate_realnews.py``) and by the regression test on the held-out sources, so the
recipe lives in one place.  Every figure comes from :func:`backchannel.eval.scoring.scorer.score`
with its bootstrap over documents; nothing is counted here.

Matching is *overlap* one-to-one matching: the scorer's ``type`` schema per label (a predicted
span that overlaps a gold span of the same label is a hit; each gold span pairs with at most one
prediction).  The ``partial`` schema (boundary mismatches earn half) is reported beside it.

Person figures: both sides are cut down to their ACTOR spans with ``actor_kind: person`` and
scored with ``labels=["ACTOR"]``, so a predicted person that overlaps a gold *role* counts as
spurious and a gold person found as a *group* counts as missed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

from backchannel.documents import Document, read_documents, write_documents
from backchannel.eval.scoring.scorer import score

__all__ = ["FIRST_HELD_OUT", "FLOORS", "floor_figures", "is_held_out", "person_only"]

# The real-text corpus's blind set: articles numbered from here on were annotated without any
# model output in view and never looked at while the rules were developed (round 5; see
# ``benchmarks/evaluate_realnews.py``).  Articles before it are the development set.
FIRST_HELD_OUT = 89

# figure -> floor (issue 17); the figure names are those of floor_figures().
FLOORS: dict[str, float] = {
    "person.recall": 0.95,
    "person.precision": 0.85,
    "ACTOR.f1": 0.85,
    "CHANNEL.f1": 0.80,
}


def is_held_out(doc: Document) -> bool:
    """True for a ``corpora/realnews`` article of the blind set (by its ``NNN-`` file number)."""
    name = Path(str(doc.meta.get("file", ""))).name
    number = name.split("-", 1)[0]
    return number.isdigit() and int(number) >= FIRST_HELD_OUT


def person_only(docs: Iterable[Document]) -> list[Document]:
    """The same documents with only their person ACTOR spans, and no relations or labels."""
    out = []
    for d in docs:
        spans = [s for s in d.spans if s.label == "ACTOR" and s.attrs.get("actor_kind") == "person"]
        out.append(Document(id=d.id, text=d.text, meta=d.meta, spans=spans))
    return out


def floor_figures(
    gold: str | Path,
    predictions: str | Path,
    *,
    bootstrap: int = 1000,
    seed: int = 13,
    extra: Iterable[str] = (),
) -> dict[str, tuple[float | None, float | None, float | None]]:
    """Each floor figure (and a few beside it) as ``(value, ci_low, ci_high)``.

    Names: ``person.recall``, ``person.precision``, ``person.f1``, ``ACTOR.f1``,
    ``ACTOR.precision``, ``ACTOR.recall``, ``CHANNEL.f1``, and the same with ``.partial``; plus
    each of ``extra``, a figure name of the scorer (``attributes.micro.accuracy``), taken from
    the same scoring run rather than a second one.
    """
    out: dict[str, tuple[float | None, float | None, float | None]] = {}
    full = score(gold, predictions, bootstrap=bootstrap, seed=seed, allow_missing=True)
    for key in extra:
        lo, hi = full.intervals.get(key, (None, None))
        out[key] = (full.value(key), lo, hi)
    for label in ("ACTOR", "CHANNEL"):
        for schema, suffix in (("type", ""), ("partial", ".partial")):
            for fig in ("precision", "recall", "f1"):
                key = f"spans.per_label.{label}.{schema}.{fig}"
                lo, hi = full.intervals.get(key, (None, None))
                out[f"{label}.{fig}{suffix}"] = (full.value(key), lo, hi)
    with tempfile.TemporaryDirectory(prefix="backchannel-floors-") as tmp:
        g, p = Path(tmp) / "gold.jsonl", Path(tmp) / "pred.jsonl"
        write_documents(person_only(read_documents(gold)), g)
        write_documents(person_only(read_documents(predictions)), p)
        res = score(g, p, labels=["ACTOR"], bootstrap=bootstrap, seed=seed, allow_missing=True)
    for schema, suffix in (("type", ""), ("partial", ".partial")):
        for fig in ("precision", "recall", "f1"):
            key = f"spans.per_label.ACTOR.{schema}.{fig}"
            lo, hi = res.intervals.get(key, (None, None))
            out[f"person.{fig}{suffix}"] = (res.value(key), lo, hi)
    return out
