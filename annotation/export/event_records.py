"""The rows of the event table: contacts read off one Document, with resolved actors and codes.

"Who talks to whom" is derived, never annotated twice: two PARTICIPANTs of one CHANNEL talk to
each other through it.  One :class:`ContactEvent` per pair of resolved actors of a contact; a
contact with fewer than two resolved actors is one :class:`UnpairedContact`.  See
:mod:`backchannel.annotation.export.events` for the columns and their CAMEO/PLOVER codes.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

import msgspec

from backchannel.documents import Document
from backchannel.errors import SchemaError

if TYPE_CHECKING:
    from backchannel.annotation.export.actor_gazetteer import ActorRef, Gazetteer, Resolution
    from backchannel.schema import Schema

__all__ = [
    "ABOUT",
    "CHANNEL",
    "COLUMNS",
    "DROPPED_MODALITIES",
    "HELD_AT",
    "PARTICIPANT",
    "UNPAIRED_COLUMNS",
    "ContactEvent",
    "UnpairedContact",
    "check_event_schema",
    "contact_pairs",
    "document_contacts",
    "document_events",
    "event_codes",
]


# The event model the table is read from (ARCHITECTURE.md section 4): a schema must declare
# these labels for ``events`` to work; :func:`check_event_schema` says so otherwise.
CHANNEL = "CHANNEL"


PARTICIPANT = "PARTICIPANT"


HELD_AT = "HELD_AT"


ABOUT = "ABOUT"


DROPPED_MODALITIES = frozenset({"negated", "generic", "hypothetical"})


_ROLE_RANK = {
    "initiator": 0,
    "visitor": 0,
    "mediator": 0,
    "host": 1,
    "recipient": 1,
    "participant": 2,
    "conduit": 2,
    "audience": 3,
}


_MODALITY_CODES: dict[str, dict[str, str]] = {
    "planned": {"cameo": "036", "plover": "AGREE"},
    "requested": {"cameo": "026", "plover": "REQUEST/meet"},
    "refused": {"cameo": "125", "plover": "REJECT/meet"},
    "halted": {"cameo": "161", "plover": "SANCTION/discontinue"},
}


_HALTED_BY_KIND: dict[str, dict[str, str]] = {
    "talks": {"cameo": "164"},
    "mediation": {"cameo": "165"},
    "diplomatic_mission": {"cameo": "166", "plover": "SANCTION/expel"},
}


class ContactEvent(msgspec.Struct, kw_only=True):
    """One row of the event table: a pair of resolved actors of one contact."""

    event_id: str
    doc_id: str
    contact_id: str
    channel_id: str
    channel_text: str
    channel_start: int
    channel_end: int
    channel_kind: str | None
    visibility: str | None
    official: str | None
    modality: str
    realis: str
    source_actor_id: str
    source_actor: str
    target_actor_id: str
    target_actor: str
    source_id: str | None
    source_text: str | None
    source_country: str | None
    source_kind: str | None
    source_sector: str | None
    source_role: str | None
    target_id: str | None
    target_text: str | None
    target_country: str | None
    target_kind: str | None
    target_sector: str | None
    target_role: str | None
    directed: bool
    n_participants: int
    venue: str | None
    issue: str | None
    cameo: str | None
    plover: str | None
    ace: str | None
    title: str | None
    published: str | None


COLUMNS = list(ContactEvent.__struct_fields__)


class UnpairedContact(msgspec.Struct, kw_only=True):
    """A contact with fewer than two resolved actors: the second table, one row per contact.

    ``reason`` says why: ``one actor`` (the other participants are generic, unknown, or the
    same actor again), ``no resolved actor``, or ``no participant`` annotated.
    """

    doc_id: str
    contact_id: str
    channel_id: str
    channel_text: str
    channel_kind: str | None
    modality: str
    realis: str
    reason: str
    actor_id: str | None
    actor: str | None
    actor_country: str | None
    n_mentions: int
    participants: str | None
    unresolved: str | None
    venue: str | None
    issue: str | None
    cameo: str | None
    plover: str | None
    ace: str | None
    title: str | None
    published: str | None


UNPAIRED_COLUMNS = list(UnpairedContact.__struct_fields__)


def check_event_schema(schema: Schema) -> None:
    """Refuse a schema without the contact-event model (a CHANNEL span, PARTICIPANT relation).

    Raises:
        SchemaError: naming what is missing.
    """
    missing = [CHANNEL] if CHANNEL not in schema.spans else []
    missing += [PARTICIPANT] if PARTICIPANT not in schema.relations else []
    if missing:
        raise SchemaError(
            f"the event table needs {' and '.join(missing)} in the schema "
            f"({schema.name} {schema.version} has none)",
            path=schema.path or None,
        )


def event_codes(schema: Schema, kind: str | None, modality: str) -> dict[str, str]:
    """CAMEO/PLOVER/ACE codes of a contact of ``kind`` with ``modality`` (see module docstring)."""
    base = schema.channel_codes(kind) if kind else {}
    if modality in DROPPED_MODALITIES:
        return {}
    declared = _modality_value_codes(schema, modality)
    if declared:
        return {**base, **declared}
    if modality in _MODALITY_CODES:
        codes = {**base, **_MODALITY_CODES[modality], "ace": ""}
        if modality == "halted" and kind in _HALTED_BY_KIND:
            codes.update(_HALTED_BY_KIND[kind])
        return codes
    return base


def _modality_value_codes(schema: Schema, modality: str) -> dict[str, str]:
    for label in schema.spans.values():
        attr = label.attributes.get("modality")
        if attr is not None and modality in attr.values and attr.values[modality].codes:
            return dict(attr.values[modality].codes)
    return {}


def _realis(modality: str) -> str:
    return modality if modality in ("actual", "generic") else "other"


def _join(items: list[str]) -> str | None:
    return "; ".join(dict.fromkeys(items)) if items else None


def document_events(
    doc: Document,
    schema: Schema,
    *,
    include_negated: bool = False,
    gazetteer: Gazetteer | None = None,
) -> list[ContactEvent]:
    """The pair rows of one document, in text order of the channels.

    Example:
        >>> rows = document_events(sample_document(), load_schema())  # doctest: +SKIP
        >>> (rows[0].source_actor, rows[0].target_actor, rows[0].cameo)
        ('Anna Reyes', 'Government (Russia)', '041')
    """
    return document_contacts(doc, schema, include_negated=include_negated, gazetteer=gazetteer)[0]


def document_contacts(
    doc: Document,
    schema: Schema,
    *,
    include_negated: bool = False,
    gazetteer: Gazetteer | None = None,
    resolution: dict[str, Resolution] | None = None,
) -> tuple[list[ContactEvent], list[UnpairedContact]]:
    """Pair rows and unpaired contacts of one document (see the module docstring).

    Participants are resolved with :func:`~backchannel.annotation.export.actors.resolve_document`
    (or the ``resolution`` given); each actor counts once per contact, represented by its first
    participant mention in role order, then text order.
    """
    from backchannel.annotation.export.actors import resolve_document

    resolution = resolution if resolution is not None else resolve_document(doc, gazetteer)
    spans = {s.id: s for s in doc.spans}
    text = doc.text
    participants: dict[str, list[tuple[str, str | None]]] = {}
    venues: dict[str, list[str]] = {}
    issues: dict[str, list[str]] = {}
    for rel in doc.relations:
        head = spans.get(rel.head)
        tail = spans.get(rel.tail)
        if head is None or tail is None:
            continue
        if rel.label == PARTICIPANT:
            participants.setdefault(rel.head, []).append((rel.tail, rel.attrs.get("role")))
        elif rel.label == HELD_AT:
            venues.setdefault(rel.head, []).append(text[tail.start : tail.end])
        elif rel.label == ABOUT:
            issues.setdefault(rel.head, []).append(text[tail.start : tail.end])
    rows: list[ContactEvent] = []
    unpaired: list[UnpairedContact] = []
    channels = sorted(
        (s for s in doc.spans if s.label == CHANNEL), key=lambda s: (s.start, s.end, s.id)
    )
    title = _str_or_none(doc.meta.get("title"))
    published = _str_or_none(doc.meta.get("published"))
    for ch in channels:
        modality = ch.attrs.get("modality", "actual")
        if modality in DROPPED_MODALITIES and not include_negated:
            continue
        kind = ch.attrs.get("channel_kind")
        codes = event_codes(schema, kind, modality)
        # one mention once per contact (first role given wins), ordered by role then position
        seen: dict[str, str | None] = {}
        for aid, role in participants.get(ch.id, []):
            seen.setdefault(aid, role)
        ordered = sorted(
            seen.items(),
            key=lambda ar: (_ROLE_RANK.get(ar[1] or "", 2), spans[ar[0]].start, ar[0]),
        )
        actors: dict[str, tuple[str, str | None, ActorRef]] = {}
        unresolved: list[str] = []
        for aid, role in ordered:
            res = resolution.get(aid)
            if res is None or res.actor is None:
                status = res.status if res is not None else "unknown"
                unresolved.append(f"{_clean(text[spans[aid].start : spans[aid].end])} ({status})")
                continue
            actors.setdefault(res.actor.actor_id, (aid, role, res.actor))
        contact_id = f"{doc.id}/{ch.id}"
        common = {
            "doc_id": doc.id,
            "contact_id": contact_id,
            "channel_id": ch.id,
            "channel_text": text[ch.start : ch.end],
            "channel_kind": kind,
            "modality": modality,
            "realis": _realis(modality),
            "venue": _join(venues.get(ch.id, [])),
            "issue": _join(issues.get(ch.id, [])),
            "cameo": codes.get("cameo") or None,
            "plover": codes.get("plover") or None,
            "ace": codes.get("ace") or None,
            "title": title,
            "published": published,
        }
        if len(actors) < 2:
            only = next(iter(actors.values()), None)
            reason = "one actor" if only else "no resolved actor" if ordered else "no participant"
            unpaired.append(
                UnpairedContact(
                    **common,
                    reason=reason,
                    actor_id=only[2].actor_id if only else None,
                    actor=only[2].canonical if only else None,
                    actor_country=only[2].country if only else None,
                    n_mentions=len(ordered),
                    participants=_join(
                        [_clean(text[spans[a].start : spans[a].end]) for a, _ in ordered]
                    ),
                    unresolved=_join(unresolved),
                )
            )
            continue
        for n, (src, tgt) in enumerate(itertools.combinations(actors.values(), 2), start=1):
            rows.append(
                ContactEvent(
                    **common,
                    event_id=f"{contact_id}/{n}",
                    visibility=ch.attrs.get("visibility"),
                    official=ch.attrs.get("official"),
                    source_actor_id=src[2].actor_id,
                    source_actor=src[2].canonical,
                    target_actor_id=tgt[2].actor_id,
                    target_actor=tgt[2].canonical,
                    **_actor("source", src, spans, text),
                    **_actor("target", tgt, spans, text),
                    directed=_ROLE_RANK.get(src[1] or "", 2) != _ROLE_RANK.get(tgt[1] or "", 2),
                    n_participants=len(actors),
                    channel_start=ch.start,
                    channel_end=ch.end,
                )
            )
    return rows, unpaired


def contact_pairs(
    doc: Document,
    schema: Schema,
    *,
    level: str = "actor",
    gazetteer: Gazetteer | None = None,
) -> set[tuple[str, str]]:
    """Who talks to whom in one document, as a set of unordered pairs (sorted tuples).

    ``level="actor"`` pairs resolved actor ids; ``level="country"`` pairs their countries
    (pairs with an actor of no country are left out; a contact within one country is a pair of
    one country with itself).  This is what contact-pair scoring compares between gold and
    predictions: the same contacts found through any spans, whichever mention named each actor.
    Negated, generic and hypothetical contacts are not contacts and give no pair.
    """
    if level not in ("actor", "country"):
        raise ValueError(f"level must be actor or country, not {level!r}")
    pairs: set[tuple[str, str]] = set()
    for row in document_events(doc, schema, gazetteer=gazetteer):
        if level == "actor":
            a, b = row.source_actor_id, row.target_actor_id
        else:
            a, b = row.source_country, row.target_country
            if a in (None, "", "UNK") or b in (None, "", "UNK"):
                continue
        pairs.add((min(a, b), max(a, b)))  # type: ignore[type-var]
    return pairs


def _clean(text: str) -> str:
    return " ".join(text.split())


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _actor(
    prefix: str, who: tuple[str, str | None, ActorRef], spans: dict[str, Any], text: str
) -> dict[str, Any]:
    aid, role, actor = who
    span = spans[aid]
    return {
        f"{prefix}_id": aid,
        f"{prefix}_text": text[span.start : span.end],
        f"{prefix}_country": actor.country or span.attrs.get("country"),
        f"{prefix}_kind": span.attrs.get("actor_kind"),
        f"{prefix}_sector": actor.sector or span.attrs.get("sector"),
        f"{prefix}_role": role,
    }
