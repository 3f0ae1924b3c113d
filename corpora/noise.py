"""Synthetic annotators: the gold, perturbed by a seeded, documented noise model.

The bundled corpus has one hand-made gold.  Agreement, adjudication and the Label Studio round
trip need several annotators' versions of the same articles, with the disagreements real
annotators produce.  We have no real second and third annotators, so this module derives them
from the gold.  Agreement measured on them therefore measures the TOOLING (does the agreement code
notice a dropped title, a swapped role?), not people.

The model, applied independently per (annotator, article) with ``random.Random(f"{seed}:{name}:
{article}")`` (string seeds hash with SHA-512, so results do not depend on ``PYTHONHASHSEED``):

1. ``missed_mention``: each span is dropped with probability ``miss``.
2. ``boundary_title``: a person ACTOR whose span starts with a title ("Prime Minister Sir ...")
   loses the title words with probability ``boundary``.
3. ``boundary_determiner``: a span starting with "the" loses it, or a span right after "the"
   takes it in, with probability ``boundary``.
4. ``label_confusion``: a metonymic ACTOR ("the Kremlin") becomes a VENUE, or a VENUE becomes a
   metonymic ACTOR, with probability ``label``.
5. ``modality_confusion`` (planned/requested, refused/negated, hypothetical to planned, generic to
   actual), ``role_confusion`` (initiator, recipient, visitor, host to participant and back;
   mediator/conduit), ``polarity_confusion`` (favor or against to neutral, neutral to favor),
   ``attribute_confusion`` (actor_kind government/state, expressed quoted/reported): each
   confusable value is swapped with probability ``attr``.
6. ``relation_lost``: relations whose span was dropped, or whose arguments no longer carry the
   labels the schema allows, are removed (so every output still validates).
7. ``missing_relation``: each remaining relation is dropped with probability ``relation``.
8. ``doc_label_confusion``: ``framing`` is changed with probability ``doc``.
9. ``skipped_article``: a profile with ``skips = k`` leaves out k articles entirely.

Span ids are renumbered ``s1, s2, ...`` in text order, as a Label Studio pull would give fresh
region ids; matching must use offsets, never ids.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from backchannel.documents import AnnotationInfo, Document, Relation, Span
from backchannel.schema import Schema

__all__ = [
    "DEFAULT_PROFILES",
    "DEFAULT_SEED",
    "NOISE_KINDS",
    "NoiseEvent",
    "NoiseProfile",
    "NoisyDocument",
    "make_annotations",
    "perturb",
    "skipped_articles",
]

DEFAULT_SEED = 20260305

# Every kind of disagreement the model produces, in the order the README table shows them.
NOISE_KINDS = (
    "missed_mention",
    "boundary_title",
    "boundary_determiner",
    "label_confusion",
    "modality_confusion",
    "role_confusion",
    "polarity_confusion",
    "attribute_confusion",
    "relation_lost",
    "missing_relation",
    "doc_label_confusion",
    "skipped_article",
)

# Words that count as a title before a person's name (stripped by ``boundary_title``).
TITLE_WORDS = frozenset(
    {
        "President",
        "Prime",
        "Minister",
        "Foreign",
        "Secretary",
        "Sir",
        "Dame",
        "Chancellor",
        "King",
        "Queen",
        "Ambassador",
        "Envoy",
        "Special",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Senator",
        "Cardinal",
        "Archbishop",
        "Deputy",
        "Vice",
        "General",
        "Defence",
        "Defense",
        "Interior",
        "State",
        "Premier",
        "Crown",
        "Prince",
        "Princess",
        "Sheikh",
        "Emir",
        "Commissioner",
        "Lord",
        "Baroness",
        "Monsignor",
        "Father",
        "Chief",
        "Admiral",
        "Colonel",
        "Spokesperson",
        "Spokesman",
        "Spokeswoman",
        "Opposition",
        "Leader",
        "Secretary-General",
        "High",
        "Representative",
        "Trade",
        "Finance",
        "Justice",
        "Home",
        "Governor",
        "Mayor",
        "Bishop",
        "Pope",
        "Sultan",
        "Counsellor",
        "Adviser",
        "Advisor",
        "National",
        "Security",
    }
)

_MODALITY = {
    "planned": "requested",
    "requested": "planned",
    "refused": "negated",
    "negated": "refused",
    "hypothetical": "planned",
    "generic": "actual",
}
_ROLE = {
    "initiator": "participant",
    "recipient": "participant",
    "visitor": "participant",
    "host": "participant",
    "mediator": "conduit",
    "conduit": "mediator",
    "participant": "initiator",
}
_POLARITY = {"favor": "neutral", "against": "neutral", "neutral": "favor"}
_ACTOR_KIND = {"government": "state", "state": "government"}
_EXPRESSED = {"quoted": "reported", "reported": "quoted", "inferred": "reported"}
_FRAMING = {
    "cooperative": "mixed",
    "confrontational": "mixed",
    "mixed": "confrontational",
    "neutral": "cooperative",
}


@dataclass(frozen=True)
class NoiseProfile:
    """How careless one synthetic annotator is: a probability per kind of error.

    Attributes:
        name: the annotator name written to ``Document.annotator``.
        description: one line for the README.
        miss: probability of dropping a span.
        boundary: probability of a title or determiner in/out on an eligible span.
        label: probability of swapping ACTOR (metonymy) and VENUE on an eligible span.
        attr: probability of swapping a confusable attribute value.
        relation: probability of dropping a relation.
        doc: probability of changing the ``framing`` document label.
        skips: how many articles this annotator leaves out entirely.
    """

    name: str
    description: str
    miss: float
    boundary: float
    label: float
    attr: float
    relation: float
    doc: float
    skips: int = 0


DEFAULT_PROFILES: tuple[NoiseProfile, ...] = (
    NoiseProfile("ann_amara", "careful", 0.02, 0.05, 0.05, 0.03, 0.02, 0.02),
    NoiseProfile("ann_bo", "average", 0.06, 0.15, 0.20, 0.08, 0.06, 0.08),
    NoiseProfile("ann_chen", "sloppy", 0.12, 0.30, 0.40, 0.15, 0.12, 0.15, skips=1),
)


@dataclass(frozen=True)
class NoiseEvent:
    """One perturbation, for the README table and for tests (``item`` is the gold id)."""

    kind: str
    item: str
    detail: str


@dataclass
class NoisyDocument:
    """One synthetic annotator's Document and what the noise model did to the gold."""

    document: Document
    events: list[NoiseEvent] = field(default_factory=list)


def _rng(seed: int, name: str, key: str) -> random.Random:
    return random.Random(f"{seed}:{name}:{key}")


def _strip_title(span: Span) -> tuple[int, str] | None:
    """New start after the leading title words, keeping at least one word; None if no title."""
    words = span.text.split(" ") if span.text else []
    k = 0
    while k < len(words) - 1 and words[k] in TITLE_WORDS:
        k += 1
    if k == 0:
        return None
    cut = len(" ".join(words[:k])) + 1
    return span.start + cut, " ".join(words[:k])


def _boundary(
    text: str, span: Span, rng: random.Random, profile: NoiseProfile
) -> tuple[Span, NoiseEvent] | None:
    """A title or determiner moved in or out of ``span``, or None."""
    p = profile.boundary
    stripped = (
        _strip_title(span)
        if span.label == "ACTOR" and span.attrs.get("actor_kind") == "person"
        else None
    )
    if stripped is not None and rng.random() < p:
        start, title = stripped
        new = Span(id=span.id, start=start, end=span.end, label=span.label, attrs=span.attrs)
        return new, NoiseEvent("boundary_title", span.id, f"title {title!r} left out")
    seg = text[span.start : span.end]
    if seg[:4] in ("the ", "The ") and len(seg) > 4:
        if rng.random() < p:
            new = Span(
                id=span.id, start=span.start + 4, end=span.end, label=span.label, attrs=span.attrs
            )
            return new, NoiseEvent("boundary_determiner", span.id, "determiner left out")
    elif (
        span.start >= 4
        and text[span.start - 4 : span.start] in ("the ", "The ")
        and (span.start == 4 or not text[span.start - 5].isalnum())
        and rng.random() < p
    ):
        new = Span(
            id=span.id, start=span.start - 4, end=span.end, label=span.label, attrs=span.attrs
        )
        return new, NoiseEvent("boundary_determiner", span.id, "determiner taken in")
    return None


def _relabel(
    text: str, span: Span, rng: random.Random, profile: NoiseProfile
) -> tuple[Span, NoiseEvent] | None:
    """Metonymy confusion: ACTOR (metonymy) to VENUE, or VENUE to a metonymic ACTOR."""
    p = profile.label
    if span.label == "ACTOR" and span.attrs.get("metonymy") == "yes" and rng.random() < p:
        new = Span(id=span.id, start=span.start, end=span.end, label="VENUE")
        return new, NoiseEvent("label_confusion", span.id, "ACTOR (metonymy) -> VENUE")
    if span.label == "VENUE" and rng.random() < p:
        attrs = {"actor_kind": "government", "metonymy": "yes"}
        new = Span(id=span.id, start=span.start, end=span.end, label="ACTOR", attrs=attrs)
        return new, NoiseEvent("label_confusion", span.id, "VENUE -> ACTOR (metonymy)")
    return None


def _swap(
    attrs: dict[str, str],
    key: str,
    table: dict[str, str],
    kind: str,
    owner: str,
    item: str,
    rng: random.Random,
    p: float,
    events: list[NoiseEvent],
) -> dict[str, str]:
    value = attrs.get(key)
    if value in table and rng.random() < p:
        attrs = {**attrs, key: table[value]}
        events.append(NoiseEvent(kind, item, f"{owner}.{key} {value} -> {table[value]}"))
    return attrs


def perturb(
    gold: Document, key: str, profile: NoiseProfile, schema: Schema, seed: int = DEFAULT_SEED
) -> NoisyDocument:
    """One synthetic annotator's version of ``gold`` (which is not modified).

    Args:
        gold: the gold Document (spans with gold ids).
        key: a stable article name (``NNN-slug``): seeds the randomness, so editing one article
            never changes another's noise.
        profile: the annotator's error rates.
        schema: used to drop relations whose arguments no longer fit.
        seed: the model's seed.
    """
    rng = _rng(seed, profile.name, key)
    text = gold.text
    events: list[NoiseEvent] = []
    spans: list[Span] = []
    taken: set[tuple[int, int, str]] = {(s.start, s.end, s.label) for s in gold.spans}
    for span in gold.spans:
        if rng.random() < profile.miss:
            events.append(NoiseEvent("missed_mention", span.id, f"{span.label} {span.text!r}"))
            continue
        new = span
        for step in (_boundary, _relabel):
            change = step(text, new, rng, profile)
            if change is None:
                continue
            cand, event = change
            spot = (cand.start, cand.end, cand.label)
            if spot in taken:  # would collide with another span: an annotator would not do that
                continue
            taken.discard((new.start, new.end, new.label))
            taken.add(spot)
            new = cand
            events.append(event)
        attrs = dict(new.attrs)
        if new.label == "CHANNEL":
            attrs = _swap(
                attrs,
                "modality",
                _MODALITY,
                "modality_confusion",
                "CHANNEL",
                span.id,
                rng,
                profile.attr,
                events,
            )
        if new.label == "ACTOR":
            attrs = _swap(
                attrs,
                "actor_kind",
                _ACTOR_KIND,
                "attribute_confusion",
                "ACTOR",
                span.id,
                rng,
                profile.attr,
                events,
            )
        spans.append(
            Span(
                id=span.id,
                start=new.start,
                end=new.end,
                label=new.label,
                text=text[new.start : new.end],
                attrs=attrs,
            )
        )

    labels = {s.id: s.label for s in spans}
    relations: list[Relation] = []
    for rel in gold.relations:
        rid = f"{rel.head}->{rel.tail}"
        rdef = schema.relations[rel.label]
        if labels.get(rel.head) not in rdef.head or labels.get(rel.tail) not in rdef.tail:
            events.append(NoiseEvent("relation_lost", rid, f"{rel.label}: an argument changed"))
            continue
        if rng.random() < profile.relation:
            events.append(NoiseEvent("missing_relation", rid, rel.label))
            continue
        attrs = dict(rel.attrs)
        attrs = _swap(
            attrs, "role", _ROLE, "role_confusion", rel.label, rid, rng, profile.attr, events
        )
        attrs = _swap(
            attrs,
            "polarity",
            _POLARITY,
            "polarity_confusion",
            rel.label,
            rid,
            rng,
            profile.attr,
            events,
        )
        attrs = _swap(
            attrs,
            "expressed",
            _EXPRESSED,
            "attribute_confusion",
            rel.label,
            rid,
            rng,
            profile.attr,
            events,
        )
        relations.append(Relation(head=rel.head, tail=rel.tail, label=rel.label, attrs=attrs))

    doc_labels = _swap(
        dict(gold.doc_labels),
        "framing",
        _FRAMING,
        "doc_label_confusion",
        "document",
        gold.id,
        rng,
        profile.doc,
        events,
    )

    # Fresh region ids in text order, as a pull from Label Studio would give.
    spans.sort(key=lambda s: (s.start, -s.end, s.label))
    new_id = {s.id: f"s{i}" for i, s in enumerate(spans, 1)}
    spans = [
        Span(id=new_id[s.id], start=s.start, end=s.end, label=s.label, text=s.text, attrs=s.attrs)
        for s in spans
    ]
    relations = [
        Relation(head=new_id[r.head], tail=new_id[r.tail], label=r.label, attrs=r.attrs)
        for r in relations
    ]
    meta = {k: v for k, v in gold.meta.items() if k != "normalised"}
    meta["synthetic_annotator"] = (
        f"corpora/noise.py profile {profile.name} ({profile.description}), seed {seed}"
    )
    minute = rng.randrange(0, 60 * 24 * 5)
    info = AnnotationInfo(
        ground_truth=False,
        lead_time=round(rng.uniform(90.0, 900.0), 1),
        created_at=(
            f"2026-03-{10 + minute // 1440:02d}T{minute // 60 % 24:02d}:{minute % 60:02d}:00Z"
        ),
    )
    doc = Document(
        id=gold.id,
        text=text,
        meta=meta,
        spans=spans,
        relations=relations,
        doc_labels=doc_labels,
        annotator=profile.name,
        annotation=info,
        schema_version=gold.schema_version,
    )
    return NoisyDocument(doc, events)


def skipped_articles(
    keys: Sequence[str], profile: NoiseProfile, seed: int = DEFAULT_SEED
) -> set[str]:
    """The article keys ``profile`` leaves out: a seeded sample of ``profile.skips`` keys."""
    if profile.skips <= 0 or not keys:
        return set()
    return set(_rng(seed, profile.name, "skip").sample(sorted(keys), min(profile.skips, len(keys))))


def make_annotations(
    items: Sequence[tuple[str, Document]],
    schema: Schema,
    *,
    profiles: Sequence[NoiseProfile] = DEFAULT_PROFILES,
    seed: int = DEFAULT_SEED,
) -> list[NoisyDocument]:
    """Every profile's version of every ``(key, gold)`` item, in article then profile order."""
    keys = [key for key, _ in items]
    skips = {p.name: skipped_articles(keys, p, seed) for p in profiles}
    out = []
    for key, gold in items:
        for profile in profiles:
            if key not in skips[profile.name]:
                out.append(perturb(gold, key, profile, schema, seed))
    return out
