"""The typed results of :mod:`backchannel.annotation.agreement.agree` (what JSON reports are made
of).

Field names are the JSON keys of ``backchannel agree --format json``; undefined figures are
``None`` (``null``), never NaN or 0.
"""

from __future__ import annotations

import msgspec

from backchannel.annotation.agreement.quality import AnnotatorQuality

__all__ = [
    "AgreementReport",
    "BootstrapInfo",
    "CategoricalAgreement",
    "Disagreement",
    "MeanF1",
    "PairAgreement",
    "PairF1",
    "PairKappa",
    "PairModes",
    "RelationAgreement",
    "SpanModes",
    "StanceAgreement",
]


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
    # [low, high] of a bootstrap over articles; null without resamples or when undefined
    cohen_kappa_ci: list[float] | None = None
    krippendorff_alpha_ci: list[float] | None = None
    pairs: list[PairKappa] = []
    values: list[str] = []


class RelationAgreement(msgspec.Struct):
    strict: MeanF1
    per_label: dict[str, MeanF1]


class ContactAgreement(msgspec.Struct):
    """Who talks to whom: mean pairwise F1 of the resolved actor pairs (and country pairs)
    that share a contact, per article (:func:`backchannel.annotation.export.events.contact_pairs`):
    two annotators agree on a contact pair whichever mentions and spans they used for it."""

    actor_pairs: MeanF1
    country_pairs: MeanF1


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
    ``title`` is the article's ``meta.title`` when it has one, to find it again.
    """

    doc_id: str
    kind: str
    item: str
    values: dict[str, str | None]
    attribute: str | None = None
    start: int | None = None
    end: int | None = None
    title: str | None = None


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
    contacts: ContactAgreement | None = None
