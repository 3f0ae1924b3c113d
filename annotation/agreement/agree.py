"""Inter-annotator agreement: spans, attributes, relations, stance and document labels.

Computed on the articles that two or more annotators completed (see
:class:`~backchannel.annotation.annotation_set.AnnotationSource`):

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
* **contacts**: who talks to whom, as pairwise F1 of the sets of resolved actor pairs (and
  country pairs) sharing a contact in each article: the event table's resolution, so two
  annotators agree on "Hartley talked to Koval" whichever mentions they linked.
* **stance**: the stance relation's strict F1, and polarity agreement on holder-target pairs
  that both annotators marked.
* **doc_labels**: kappa and alpha per document label, units = articles.
* **disagreements**: every item on which the annotators of an article differ, in text order.

All label and attribute lists come from the schema.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import numpy as np

from backchannel.annotation.agreement.ci import categorical_intervals
from backchannel.annotation.agreement.items import Units, collect_units
from backchannel.annotation.agreement.quality import quality_against_file
from backchannel.annotation.agreement.records import (
    AgreementReport,
    BootstrapInfo,
    CategoricalAgreement,
    ContactAgreement,
    Disagreement,
    MeanF1,
    PairAgreement,
    PairF1,
    PairKappa,
    PairModes,
    RelationAgreement,
    SpanModes,
    StanceAgreement,
)
from backchannel.annotation.agreement.stats import bootstrap_f1, mean_over_pairs, pair_f1
from backchannel.annotation.annotation_set import AnnotationSource, SpanKey, open_annotations
from backchannel.annotation.export.event_records import CHANNEL, PARTICIPANT, contact_pairs
from backchannel.progress import track
from backchannel.schema import Schema, load_schema
from backchannel.spans import overlap_matches

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
]


def _num(x: float) -> float | None:
    return None if x is None or np.isnan(x) else float(x)


# -- the computation ---------------------------------------------------------------------------
def compute_agreement(
    aset: AnnotationSource,
    schema: Schema,
    *,
    resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    progress: bool = False,
) -> AgreementReport:
    """Agreement on grouped annotations, in memory or streamed (see the module docstring).

    Args:
        aset: the annotations, grouped by article (in memory or streamed).
        schema: where label and attribute lists come from.
        resamples: bootstrap samples for the confidence intervals (0 = no intervals).
        seed: bootstrap seed; the same seed gives the same intervals.
        confidence: two-sided level of the intervals.
        progress: show a progress bar on stderr (only for a terminal).
    """
    n_docs = aset.articles(2)
    docs = aset.iter_docs(2)
    names = aset.article_annotators(2)
    index = {a: i for i, a in enumerate(names)}
    pair_list = list(combinations(names, 2))
    pair_index = {p: k for k, p in enumerate(pair_list)}
    labels = schema.span_labels
    label_index = {lab: i for i, lab in enumerate(labels)}
    rel_labels = schema.relation_labels
    rel_index = {lab: i for i, lab in enumerate(rel_labels)}
    n_pairs = len(pair_list)

    # (docs, [inter, |A|, |B|], groups = pooled + labels, pairs)
    strict = np.zeros((n_docs, 3, len(labels) + 1, n_pairs), dtype=np.int32)
    overlap = np.zeros_like(strict)
    rels = np.zeros((n_docs, 3, len(rel_labels) + 1, n_pairs), dtype=np.int32)
    # contact pairs: (docs, [inter, |A|, |B|], [actor pairs, country pairs], pairs)
    with_contacts = CHANNEL in schema.spans and PARTICIPANT in schema.relations
    contacts = np.zeros((n_docs, 3, 2, n_pairs), dtype=np.int32)
    pair_docs = np.zeros(n_pairs, dtype=np.int64)

    attr_units: dict[str, Units] = {}
    for lab, ldef in schema.spans.items():
        for attr in ldef.attributes:
            attr_units[f"{lab}.{attr}"] = Units()
    for lab, rdef in schema.relations.items():
        for attr in rdef.attributes:
            attr_units[f"{lab}.{attr}"] = Units()
    doc_units = {name: Units() for name in schema.doc_labels}
    disagreements: list[Disagreement] = []

    items = track(docs, "agreement", total=n_docs) if progress else docs
    ids: list[str] = []
    position: dict[str, int] = {}
    for d, adoc in enumerate(items):
        ids.append(adoc.id)
        position[adoc.id] = adoc.position
        anns = adoc.annotators
        by_label: dict[str, dict[str, list[SpanKey]]] = {}
        for a, view in adoc.views.items():
            per = by_label[a] = {}
            for key in view.spans:
                per.setdefault(key[2], []).append(key)
        pairs_of = (
            {
                a: [contact_pairs(v.doc, schema, level=lvl) for lvl in ("actor", "country")]
                for a, v in adoc.views.items()
            }
            if with_contacts
            else {}
        )
        for a, b in combinations(anns, 2):
            p = pair_index[(a, b)]
            pair_docs[p] += 1
            for g, (pa, pb) in enumerate(
                zip(pairs_of.get(a, ()), pairs_of.get(b, ()), strict=True)
            ):
                contacts[d, :, g, p] = (len(pa & pb), len(pa), len(pb))
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
        collect_units(adoc, schema, index, attr_units, doc_units, disagreements)
        for units in (*attr_units.values(), *doc_units.values()):
            units.docs.extend([d] * (len(units.rows) - len(units.docs)))

    # documents in id order: the bootstrap draws, hence the intervals, do not depend on the
    # order of the input file
    by_id = np.array(sorted(range(len(ids)), key=ids.__getitem__), dtype=np.int64)
    strict, overlap, rels = strict[by_id], overlap[by_id], rels[by_id]
    contacts = contacts[by_id]
    strict[:, :, 0] = strict[:, :, 1:].sum(axis=2)
    overlap[:, :, 0] = overlap[:, :, 1:].sum(axis=2)
    rels[:, :, 0] = rels[:, :, 1:].sum(axis=2)

    s_pair, s_mean = _f1_tables(strict, resamples, seed, confidence)
    o_pair, o_mean = _f1_tables(overlap, resamples, seed, confidence)
    r_pair, r_mean = _f1_tables(rels, resamples, seed, confidence)
    contact_agreement = None
    if with_contacts:
        _c_pair, c_mean = _f1_tables(contacts, resamples, seed, confidence)
        contact_agreement = ContactAgreement(actor_pairs=c_mean[0], country_pairs=c_mean[1])

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
    doc_agreement = {name: units.result(names) for name, units in doc_units.items()}
    _add_intervals(
        [
            *zip(attr_units.values(), attributes.values(), strict=True),
            *zip(doc_units.values(), doc_agreement.values(), strict=True),
        ],
        np.argsort(by_id),
        resamples,
        seed,
        confidence,
    )
    stance = None
    if schema.stance is not None:
        rel = schema.stance.relation
        stance = StanceAgreement(
            relation=rel,
            attribute=schema.stance.attribute,
            strict=r_mean[rel_index[rel] + 1],
            polarity=attributes[f"{rel}.{schema.stance.attribute}"],
        )
    # the file's order of articles (a person works through them as they were annotated)
    disagreements.sort(
        key=lambda x: (position[x.doc_id], x.start if x.start is not None else -1, x.kind)
    )
    return AgreementReport(
        source=aset.path,
        schema=f"{schema.name} {schema.version}",
        documents=n_docs,
        single_annotator_documents=aset.articles(1) - n_docs,
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
        doc_labels=doc_agreement,
        disagreements=disagreements,
        contacts=contact_agreement,
    )


def _add_intervals(
    pairs: list[tuple[Units, CategoricalAgreement]],
    rank: np.ndarray,
    resamples: int,
    seed: int,
    confidence: float,
) -> None:
    """Set kappa and alpha intervals (articles in id order, as for F1) on each result."""
    used = [(u, r) for u, r in pairs if u.rows]
    if resamples <= 0 or not used:
        return
    matrices = []
    for units, _ in used:
        matrix, docs = units.codes()
        matrices.append((matrix, rank[docs]))
    bounds = categorical_intervals(
        matrices, len(rank), resamples=resamples, seed=seed, confidence=confidence
    )
    for (_, result), (kappa_ci, alpha_ci) in zip(used, bounds, strict=True):
        result.cohen_kappa_ci = kappa_ci if result.cohen_kappa is not None else None
        result.krippendorff_alpha_ci = alpha_ci if result.krippendorff_alpha is not None else None


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
    aset = open_annotations(path, schema)
    report = compute_agreement(
        aset, schema, resamples=resamples, seed=seed, confidence=confidence, progress=progress
    )
    if gold is not None:
        report.quality = quality_against_file(aset, gold, schema)
    return report
