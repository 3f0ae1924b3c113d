"""Inter-annotator agreement: spans, attributes, relations, stance and document labels.

Computed on the articles that two or more annotators completed (see
:class:`~backchannel.annotation.annotation_set.AnnotationSet`):

* **spans**: for each annotator pair, F1 = 2|A∩B| / (|A|+|B|) summed over the articles both
  annotated, in ``strict`` mode (same start, end and label) and ``overlap`` mode (same label,
  overlapping offsets, one-to-one: a maximum matching, so one long span never counts twice);
  per label and with all labels pooled; ``overall`` is the mean over pairs.  Confidence
  intervals are a percentile bootstrap over articles on per-article count arrays.
* **attributes** (``LABEL.attr``, span and relation attributes alike): units are items marked
  identically by at least two annotators; Cohen's kappa per pair (mean over pairs) and
  Krippendorff's alpha (nominal) over all annotators, a non-marker counting as missing.  An
  attribute left unset takes the schema default when it has one, else it is missing.
* **relations**: strict (both ends and the label equal), as pairwise F1.
* **stance**: the stance relation's strict F1, and polarity agreement on holder-target pairs
  that both annotators marked.
* **doc_labels**: kappa and alpha per document label, units = articles.
* **disagreements**: every item on which the annotators of an article differ, in text order.

All label and attribute lists come from the schema.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import msgspec
import numpy as np

from backchannel.annotation.agreement_stats import (
    bootstrap_f1,
    cohen_kappa,
    encode_values,
    krippendorff_alpha_nominal,
    mean_over_pairs,
    pair_f1,
    value_counts,
)
from backchannel.annotation.annotation_set import (
    AnnotatedDoc,
    AnnotationSet,
    RelKey,
    SpanKey,
    load_annotation_set,
)
from backchannel.annotation.progress import track
from backchannel.annotation.quality import AnnotatorQuality, quality_against_file
from backchannel.annotation.schema import AttributeDef, Schema, load_schema

__all__ = [
    "AgreementReport",
    "BootstrapInfo",
    "CategoricalAgreement",
    "Disagreement",
    "MeanF1",
    "PairAgreement",
    "PairF1",
    "PairKappa",
    "RelationAgreement",
    "SpanModes",
    "StanceAgreement",
    "agreement",
    "compute_agreement",
    "overlap_matches",
]


# -- result records ----------------------------------------------------------------------------
class PairF1(msgspec.Struct):
    """F1 between two annotators, with the counts it comes from and its bootstrap interval."""

    f1: float | None
    ci_low: float | None
    ci_high: float | None
    matched: int
    a: int
    b: int


class MeanF1(msgspec.Struct):
    """Mean of pairwise F1 over the annotator pairs where it is defined (``pairs`` of them)."""

    f1: float | None
    ci_low: float | None
    ci_high: float | None
    pairs: int


class SpanModes(msgspec.Struct):
    strict: MeanF1
    overlap: MeanF1


class PairModes(msgspec.Struct):
    strict: PairF1
    overlap: PairF1


class PairAgreement(msgspec.Struct):
    """Everything measured between two annotators on the articles both completed."""

    annotators: list[str]
    documents: int
    strict: PairF1
    overlap: PairF1
    per_label: dict[str, PairModes]
    relations: PairF1


class PairKappa(msgspec.Struct):
    annotators: list[str]
    cohen_kappa: float | None
    n: int


class CategoricalAgreement(msgspec.Struct):
    """Agreement on one categorical attribute over ``n`` units (items marked by >= 2)."""

    cohen_kappa: float | None
    krippendorff_alpha: float | None
    n: int
    pairs: list[PairKappa] = []
    values: list[str] = []


class RelationAgreement(msgspec.Struct):
    strict: MeanF1
    per_label: dict[str, MeanF1]


class StanceAgreement(msgspec.Struct):
    """Stance = the schema's stance relation: its strict F1, and polarity on matched pairs."""

    relation: str
    attribute: str
    strict: MeanF1
    polarity: CategoricalAgreement


class Disagreement(msgspec.Struct, omit_defaults=True):
    """One item the annotators of an article do not agree on.

    ``values`` maps every annotator of the article to what they said: for ``span`` and
    ``relation`` items ``"marked"``, a nearby span they marked instead, or ``None``; for
    attributes and document labels the value (``None`` = not set, or item not marked).
    """

    doc_id: str
    kind: str
    item: str
    values: dict[str, str | None]
    attribute: str | None = None
    start: int | None = None
    end: int | None = None


class BootstrapInfo(msgspec.Struct):
    resamples: int
    seed: int
    confidence: float


class AgreementReport(msgspec.Struct):
    """The result of :func:`agreement`; ``msgspec.json.encode`` gives the JSON report."""

    source: str | None
    schema: str
    documents: int
    single_annotator_documents: int
    annotators: list[str]
    bootstrap: BootstrapInfo
    overall: SpanModes
    per_label: dict[str, SpanModes]
    pairs: list[PairAgreement]
    attributes: dict[str, CategoricalAgreement]
    relations: RelationAgreement
    stance: StanceAgreement | None
    doc_labels: dict[str, CategoricalAgreement]
    disagreements: list[Disagreement]
    quality: list[AnnotatorQuality] | None = None


# -- span matching -----------------------------------------------------------------------------
def overlap_matches(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    """Size of a maximum one-to-one matching between overlapping half-open intervals.

    Kuhn's augmenting paths: exact, and cheap for the handful of same-label spans an article
    has.  Candidates are tried identical-first, then by overlap length, so that the matching
    found pairs the obvious partners (the size is maximal whatever the order).

    Example:
        >>> overlap_matches([(0, 10)], [(0, 3), (5, 8)])
        1
    """
    if not a or not b:
        return 0
    adj: list[list[int]] = []
    for s1, e1 in a:
        cands = []
        for j, (s2, e2) in enumerate(b):
            if s1 < e2 and s2 < e1:
                exact = s1 == s2 and e1 == e2
                cands.append((not exact, -(min(e1, e2) - max(s1, s2)), j))
        cands.sort()
        adj.append([j for _, _, j in cands])
    match_b = [-1] * len(b)

    def augment(u: int, seen: list[bool]) -> bool:
        for v in adj[u]:
            if not seen[v]:
                seen[v] = True
                if match_b[v] == -1 or augment(match_b[v], seen):
                    match_b[v] = u
                    return True
        return False

    return sum(1 for u in range(len(a)) if adj[u] and augment(u, [False] * len(b)))


# -- helpers -----------------------------------------------------------------------------------
def _num(x: float) -> float | None:
    return None if x is None or np.isnan(x) else float(x)


def _value(attrs: dict[str, str], name: str, adef: AttributeDef) -> str | None:
    value = attrs.get(name)
    return value if value is not None else adef.default


def _describe_span(text: str, key: SpanKey) -> str:
    start, end, label = key
    snippet = text[start:end]
    if len(snippet) > 60:
        snippet = snippet[:59] + "…"
    return f'{label} [{start},{end}) "{snippet}"'


def _describe_rel(text: str, key: RelKey) -> str:
    head, tail, label = key
    return f"{label}: {_describe_span(text, head)} → {_describe_span(text, tail)}"


class _Units:
    """Collects categorical units (one row of per-annotator values each) for one attribute."""

    __slots__ = ("rows",)

    def __init__(self) -> None:
        self.rows: list[list[str | None]] = []

    def result(self, annotators: list[str]) -> CategoricalAgreement:
        if not self.rows:
            return CategoricalAgreement(cohen_kappa=None, krippendorff_alpha=None, n=0)
        columns = list(zip(*self.rows, strict=True))
        codes, values = encode_values(*columns)
        matrix = np.vstack(codes) if codes else np.empty((0, 0), dtype=np.int64)
        alpha = krippendorff_alpha_nominal(value_counts(matrix))
        pairs = []
        kappas = []
        for i, j in combinations(range(len(annotators)), 2):
            both = (matrix[i] >= 0) & (matrix[j] >= 0)
            n = int(both.sum())
            if n == 0:
                continue
            k = cohen_kappa(matrix[i], matrix[j])
            pairs.append(PairKappa(annotators=[annotators[i], annotators[j]], cohen_kappa=k, n=n))
            if k is not None:
                kappas.append(k)
        n_units = int(((matrix >= 0).sum(axis=0) >= 2).sum())
        return CategoricalAgreement(
            cohen_kappa=float(np.mean(kappas)) if kappas else None,
            krippendorff_alpha=alpha,
            n=n_units,
            pairs=pairs,
            values=sorted(str(v) for v in values),
        )


# -- the computation ---------------------------------------------------------------------------
def compute_agreement(
    aset: AnnotationSet,
    schema: Schema,
    *,
    resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    progress: bool = False,
) -> AgreementReport:
    """Agreement on an already loaded :class:`AnnotationSet` (see the module docstring).

    Args:
        aset: the annotations, grouped by article.
        schema: where label and attribute lists come from.
        resamples: bootstrap samples for the confidence intervals (0 = no intervals).
        seed: bootstrap seed; the same seed gives the same intervals.
        confidence: two-sided level of the intervals.
        progress: show a progress bar on stderr (only for a terminal).
    """
    docs = aset.multi(2)
    names = sorted({a for d in docs for a in d.views})
    index = {a: i for i, a in enumerate(names)}
    pair_list = list(combinations(names, 2))
    pair_index = {p: k for k, p in enumerate(pair_list)}
    labels = schema.span_labels
    label_index = {lab: i for i, lab in enumerate(labels)}
    rel_labels = schema.relation_labels
    rel_index = {lab: i for i, lab in enumerate(rel_labels)}
    n_docs, n_pairs = len(docs), len(pair_list)

    # (docs, [inter, |A|, |B|], groups = pooled + labels, pairs)
    strict = np.zeros((n_docs, 3, len(labels) + 1, n_pairs), dtype=np.int32)
    overlap = np.zeros_like(strict)
    rels = np.zeros((n_docs, 3, len(rel_labels) + 1, n_pairs), dtype=np.int32)
    pair_docs = np.zeros(n_pairs, dtype=np.int64)

    attr_units: dict[str, _Units] = {}
    for lab, ldef in schema.spans.items():
        for attr in ldef.attributes:
            attr_units[f"{lab}.{attr}"] = _Units()
    for lab, rdef in schema.relations.items():
        for attr in rdef.attributes:
            attr_units[f"{lab}.{attr}"] = _Units()
    doc_units = {name: _Units() for name in schema.doc_labels}
    disagreements: list[Disagreement] = []

    items = track(docs, "agreement", total=n_docs) if progress else docs
    for d, adoc in enumerate(items):
        anns = adoc.annotators
        by_label: dict[str, dict[str, list[SpanKey]]] = {}
        for a, view in adoc.views.items():
            per = by_label[a] = {}
            for key in view.spans:
                per.setdefault(key[2], []).append(key)
        for a, b in combinations(anns, 2):
            p = pair_index[(a, b)]
            pair_docs[p] += 1
            va, vb = adoc.views[a], adoc.views[b]
            for lab in set(by_label[a]) | set(by_label[b]):
                g = label_index[lab] + 1
                ka, kb = by_label[a].get(lab, []), by_label[b].get(lab, [])
                inter = len(set(ka) & set(kb))
                ov = overlap_matches([(s, e) for s, e, _ in ka], [(s, e) for s, e, _ in kb])
                strict[d, :, g, p] = (inter, len(ka), len(kb))
                overlap[d, :, g, p] = (ov, len(ka), len(kb))
            rel_a, rel_b = va.relations, vb.relations
            for key in rel_a.keys() | rel_b.keys():
                g = rel_index[key[2]] + 1
                rels[d, 0, g, p] += key in rel_a and key in rel_b
                rels[d, 1, g, p] += key in rel_a
                rels[d, 2, g, p] += key in rel_b
        _collect_units(adoc, schema, index, attr_units, doc_units, disagreements)

    strict[:, :, 0] = strict[:, :, 1:].sum(axis=2)
    overlap[:, :, 0] = overlap[:, :, 1:].sum(axis=2)
    rels[:, :, 0] = rels[:, :, 1:].sum(axis=2)

    s_pair, s_mean = _f1_tables(strict, resamples, seed, confidence)
    o_pair, o_mean = _f1_tables(overlap, resamples, seed + 1, confidence)
    r_pair, r_mean = _f1_tables(rels, resamples, seed + 2, confidence)

    pairs = []
    for k, (a, b) in enumerate(pair_list):
        pairs.append(
            PairAgreement(
                annotators=[a, b],
                documents=int(pair_docs[k]),
                strict=s_pair[0][k],
                overlap=o_pair[0][k],
                per_label={
                    lab: PairModes(strict=s_pair[g + 1][k], overlap=o_pair[g + 1][k])
                    for g, lab in enumerate(labels)
                },
                relations=r_pair[0][k],
            )
        )
    attributes = {key: units.result(names) for key, units in attr_units.items()}
    stance = None
    if schema.stance is not None:
        rel = schema.stance.relation
        stance = StanceAgreement(
            relation=rel,
            attribute=schema.stance.attribute,
            strict=r_mean[rel_index[rel] + 1],
            polarity=attributes[f"{rel}.{schema.stance.attribute}"],
        )
    disagreements.sort(key=lambda x: (x.doc_id, x.start if x.start is not None else -1, x.kind))
    return AgreementReport(
        source=aset.path,
        schema=f"{schema.name} {schema.version}",
        documents=n_docs,
        single_annotator_documents=len(aset.docs) - n_docs,
        annotators=names,
        bootstrap=BootstrapInfo(resamples=resamples, seed=seed, confidence=confidence),
        overall=SpanModes(strict=s_mean[0], overlap=o_mean[0]),
        per_label={
            lab: SpanModes(strict=s_mean[g + 1], overlap=o_mean[g + 1])
            for g, lab in enumerate(labels)
        },
        pairs=pairs,
        attributes=attributes,
        relations=RelationAgreement(
            strict=r_mean[0],
            per_label={lab: r_mean[g + 1] for g, lab in enumerate(rel_labels)},
        ),
        stance=stance,
        doc_labels={name: units.result(names) for name, units in doc_units.items()},
        disagreements=disagreements,
    )


def _f1_tables(
    counts: np.ndarray, resamples: int, seed: int, confidence: float
) -> tuple[list[list[PairF1]], list[MeanF1]]:
    """Point F1 per (group, pair) and mean per group, with bootstrap bounds."""
    totals = counts.sum(axis=0)  # (3, groups, pairs)
    f1 = pair_f1(totals[0], totals[1], totals[2])
    mean = mean_over_pairs(f1) if f1.shape[-1] else np.full(f1.shape[0], np.nan)
    low, high = bootstrap_f1(counts, resamples=resamples, seed=seed, confidence=confidence)
    groups, n_pairs = f1.shape
    per_pair = [
        [
            PairF1(
                f1=_num(f1[g, k]),
                ci_low=_num(low[g, k]) if not np.isnan(f1[g, k]) else None,
                ci_high=_num(high[g, k]) if not np.isnan(f1[g, k]) else None,
                matched=int(totals[0, g, k]),
                a=int(totals[1, g, k]),
                b=int(totals[2, g, k]),
            )
            for k in range(n_pairs)
        ]
        for g in range(groups)
    ]
    means = [
        MeanF1(
            f1=_num(mean[g]),
            ci_low=_num(low[g, n_pairs]) if not np.isnan(mean[g]) else None,
            ci_high=_num(high[g, n_pairs]) if not np.isnan(mean[g]) else None,
            pairs=int((~np.isnan(f1[g])).sum()),
        )
        for g in range(groups)
    ]
    return per_pair, means


def _collect_units(
    adoc: AnnotatedDoc,
    schema: Schema,
    index: dict[str, int],
    attr_units: dict[str, _Units],
    doc_units: dict[str, _Units],
    out: list[Disagreement],
) -> None:
    """Add one article's attribute units and its disagreements."""
    anns = adoc.annotators
    text = adoc.text
    width = len(index)
    views = adoc.views

    span_keys: dict[SpanKey, list[str]] = {}
    for a, view in views.items():
        for key in view.spans:
            span_keys.setdefault(key, []).append(a)
    for key, markers in span_keys.items():
        start, end, label = key
        if len(markers) < len(anns):
            values: dict[str, str | None] = {}
            for a in anns:
                if a in markers:
                    values[a] = "marked"
                else:
                    near = [
                        k for k in views[a].spans if k[0] < end and start < k[1] and k[2] == label
                    ] or [k for k in views[a].spans if k[0] < end and start < k[1]]
                    values[a] = "; ".join(_describe_span(text, k) for k in near) or None
            out.append(
                Disagreement(
                    doc_id=adoc.id,
                    kind="span",
                    item=_describe_span(text, key),
                    values=values,
                    start=start,
                    end=end,
                )
            )
        if len(markers) < 2:
            continue
        for attr, adef in schema.spans[label].attributes.items():
            row: list[str | None] = [None] * width
            for a in markers:
                row[index[a]] = _value(views[a].spans[key].attrs, attr, adef)
            attr_units[f"{label}.{attr}"].rows.append(row)
            given = {row[index[a]] for a in markers}
            if len(given) > 1:
                out.append(
                    Disagreement(
                        doc_id=adoc.id,
                        kind="span_attribute",
                        item=_describe_span(text, key),
                        attribute=f"{label}.{attr}",
                        values={a: row[index[a]] if a in markers else None for a in anns},
                        start=start,
                        end=end,
                    )
                )

    rel_keys: dict[RelKey, list[str]] = {}
    for a, view in views.items():
        for rkey in view.relations:
            rel_keys.setdefault(rkey, []).append(a)
    for rkey, markers in rel_keys.items():
        head, _tail, label = rkey
        if len(markers) < len(anns):
            out.append(
                Disagreement(
                    doc_id=adoc.id,
                    kind="relation",
                    item=_describe_rel(text, rkey),
                    values={a: "marked" if a in markers else None for a in anns},
                    start=head[0],
                    end=head[1],
                )
            )
        if len(markers) < 2:
            continue
        for attr, adef in schema.relations[label].attributes.items():
            row = [None] * width
            for a in markers:
                row[index[a]] = _value(views[a].relations[rkey].attrs, attr, adef)
            attr_units[f"{label}.{attr}"].rows.append(row)
            if len({row[index[a]] for a in markers}) > 1:
                out.append(
                    Disagreement(
                        doc_id=adoc.id,
                        kind="relation_attribute",
                        item=_describe_rel(text, rkey),
                        attribute=f"{label}.{attr}",
                        values={a: row[index[a]] if a in markers else None for a in anns},
                        start=head[0],
                        end=head[1],
                    )
                )

    for name, adef in schema.doc_labels.items():
        row = [None] * width
        for a in anns:
            row[index[a]] = _value(views[a].doc.doc_labels, name, adef)
        doc_units[name].rows.append(row)
        if len({row[index[a]] for a in anns}) > 1:
            out.append(
                Disagreement(
                    doc_id=adoc.id,
                    kind="doc_label",
                    item=f"document label {name}",
                    attribute=name,
                    values={a: row[index[a]] for a in anns},
                )
            )


def agreement(
    path: str | Path,
    *,
    schema: Schema | None = None,
    resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    gold: str | Path | None = None,
    progress: bool = False,
) -> AgreementReport:
    """Read an annotations JSONL and measure agreement (and quality against ``gold``, if given).

    Example:
        >>> report = agreement("corpora/diplomacy/annotations.jsonl")  # doctest: +SKIP
        >>> report.overall.strict.f1  # doctest: +SKIP
        0.81
    """
    schema = schema or load_schema()
    aset = load_annotation_set(path, schema)
    report = compute_agreement(
        aset, schema, resamples=resamples, seed=seed, confidence=confidence, progress=progress
    )
    if gold is not None:
        report.quality = quality_against_file(aset, gold, schema)
    return report
