"""Per-annotator quality against a gold version: precision, recall and F1 per label.

What Label Studio Enterprise calls ground-truth scoring, done openly: each annotator's Documents
are compared with the gold Documents of the same article, spans strictly (same start, end and
label) and relations strictly (both ends and the label equal).  Deliberately simple and exact:
the partial-credit modes of model evaluation live in ``eval``; here a reviewer wants to know who
needs more training on which label.  Only articles present in the gold are counted.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from backchannel.annotation.annotation_set import AnnotationSource, view_of
from backchannel.documents import Document, read_documents
from backchannel.errors import GoldError
from backchannel.schema import Schema

__all__ = [
    "PRF",
    "AnnotatorQuality",
    "QualityReport",
    "annotator_quality",
    "quality",
    "quality_against_file",
    "quality_to_markdown",
]


class PRF(msgspec.Struct):
    """Counts and the rates derived from them (``None`` where a rate is 0/0)."""

    tp: int
    fp: int
    fn: int
    precision: float | None
    recall: float | None
    f1: float | None

    @classmethod
    def of(cls, tp: int, fp: int, fn: int) -> PRF:
        p = tp / (tp + fp) if tp + fp else None
        r = tp / (tp + fn) if tp + fn else None
        f = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
        return cls(tp=tp, fp=fp, fn=fn, precision=p, recall=r, f1=f)


class AnnotatorQuality(msgspec.Struct):
    """One annotator scored against the gold on the ``documents`` articles both have."""

    annotator: str
    documents: int
    spans: PRF
    per_label: dict[str, PRF]
    relations: PRF
    relations_per_label: dict[str, PRF]


def annotator_quality(
    aset: AnnotationSource, gold: dict[str, Document], schema: Schema
) -> list[AnnotatorQuality]:
    """Score every annotator of ``aset`` against ``gold`` (article id -> gold Document)."""
    labels = schema.span_labels
    rel_labels = schema.relation_labels
    zero = {"tp": 0, "fp": 0, "fn": 0}
    counts: dict[str, dict[str, dict[str, int]]] = {}
    rel_counts: dict[str, dict[str, dict[str, int]]] = {}
    ndocs: dict[str, int] = {}
    gold_views = {}
    for adoc in aset.iter_docs(1):
        gdoc = gold.get(adoc.id)
        if gdoc is None:
            continue
        gview = gold_views.get(adoc.id) or view_of(gdoc)
        gold_views[adoc.id] = gview
        for name, view in adoc.views.items():
            ndocs[name] = ndocs.get(name, 0) + 1
            per = counts.setdefault(name, {lab: dict(zero) for lab in labels})
            for key in view.spans.keys() | gview.spans.keys():
                c = per[key[2]]
                if key in view.spans and key in gview.spans:
                    c["tp"] += 1
                elif key in view.spans:
                    c["fp"] += 1
                else:
                    c["fn"] += 1
            rper = rel_counts.setdefault(name, {lab: dict(zero) for lab in rel_labels})
            for rkey in view.relations.keys() | gview.relations.keys():
                c = rper[rkey[2]]
                if rkey in view.relations and rkey in gview.relations:
                    c["tp"] += 1
                elif rkey in view.relations:
                    c["fp"] += 1
                else:
                    c["fn"] += 1
    out = []
    for name in sorted(counts):
        per, rper = counts[name], rel_counts[name]
        out.append(
            AnnotatorQuality(
                annotator=name,
                documents=ndocs[name],
                spans=PRF.of(*(sum(c[k] for c in per.values()) for k in ("tp", "fp", "fn"))),
                per_label={lab: PRF.of(c["tp"], c["fp"], c["fn"]) for lab, c in per.items()},
                relations=PRF.of(*(sum(c[k] for c in rper.values()) for k in ("tp", "fp", "fn"))),
                relations_per_label={
                    lab: PRF.of(c["tp"], c["fp"], c["fn"]) for lab, c in rper.items()
                },
            )
        )
    return out


def quality_against_file(
    aset: AnnotationSource, gold_path: str | Path, schema: Schema
) -> list[AnnotatorQuality]:
    """Load a gold JSONL and score every annotator against it.

    Raises:
        GoldError: the gold file shares no article with the annotations (wrong file?).
        DocumentError: the gold file is malformed.
    """
    gold = {doc.id: doc for doc in read_documents(gold_path, schema=schema)}
    result = annotator_quality(aset, gold, schema)
    if not result:
        raise GoldError(
            "the gold shares no document with the annotations",
            path=gold_path,
            hint="check that both files describe the same articles",
        )
    return result


class QualityReport(msgspec.Struct):
    """Every annotator of ``annotations`` scored against the gold file ``gold``."""

    annotations: str
    gold: str
    annotators: list[AnnotatorQuality]


def quality(
    annotations: str | Path,
    gold: str | Path,
    *,
    directory: str | Path | None = None,
    schema: Schema | None = None,
) -> QualityReport:
    """Read annotations and a gold version (name in ``directory``, or path); score annotators.

    Example:
        >>> quality("annotations.jsonl", "v0001", directory="gold")  # doctest: +SKIP
    """
    from backchannel.annotation.annotation_set import open_annotations
    from backchannel.annotation.gold.versions import resolve_version
    from backchannel.schema import load_schema

    schema = schema or load_schema()
    gold_path = resolve_version(gold, directory)
    aset = open_annotations(annotations, schema)
    return QualityReport(
        annotations=str(annotations),
        gold=str(gold_path),
        annotators=quality_against_file(aset, gold_path, schema),
    )


def _f(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def quality_to_markdown(report: QualityReport) -> str:
    """One table: annotator x label with P/R/F1 and the counts."""

    def esc(s: str) -> str:
        return s.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")

    lines = [
        "# Annotator quality against the gold (strict match)",
        "",
        f"- annotations: {esc(report.annotations)}",
        f"- gold: {esc(report.gold)}",
        "",
        "| annotator | documents | label | P | R | F1 | TP | FP | FN |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for q in report.annotators:
        rows = [("all spans", q.spans), *q.per_label.items(), ("all relations", q.relations)]
        rows += list(q.relations_per_label.items())
        for label, prf in rows:
            lines.append(
                f"| {esc(q.annotator)} | {q.documents} | {label} | {_f(prf.precision)} | "
                f"{_f(prf.recall)} | {_f(prf.f1)} | {prf.tp} | {prf.fp} | {prf.fn} |"
            )
    return "\n".join(lines) + "\n"
