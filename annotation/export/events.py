"""Gold -> the who-talks-to-whom event table (CAMEO / PLOVER coded) and its graph.

"Who talks to whom" is derived, never annotated: two PARTICIPANTs of one CHANNEL talk to each
other through it.  Participants are first resolved to actors
(:mod:`~backchannel.annotation.export.actors`: "Hartley" and "Prime Minister Sir Alan Hartley"
are one actor, "Downing Street" is the British government, "both capitals" is nobody).  The
table has **one row per (contact, pair of resolved actors)**, the dyadic shape of CAMEO/PLOVER
event data (source actor, target actor, event code): a call between A and B is one row; a summit
of A, B and C is three rows (A-B, A-C, B-C).  A contact with fewer than two resolved actors is
no row of it: it goes to the *unpaired* table (:class:`UnpairedContact`), so no pair row has an
empty side.  ``contact_id`` groups the rows of one contact.  Column by column, with POLECAT and
CAMEO counterparts: ``docs/events.md``.

Within a pair the *source* is the participant whose role acts first (initiator, visitor,
mediator, then host and recipient, then participant and conduit, then audience), ties broken by
position in the text; ``directed`` says whether the roles gave that direction.

Codes: the CAMEO, PLOVER and ACE codes of the channel kind come from the schema
(``schema.channel_codes(kind)``).  The modality then changes the event, following ``DOMAIN.md``
(schema modality values may carry their own ``codes``, which win):

==============  ==========================================  =======================
modality        CAMEO                                       PLOVER
==============  ==========================================  =======================
actual          the channel kind's code                     the channel kind's code
planned         036 express intent to meet or negotiate     AGREE
requested       026 appeal to others to meet or negotiate   REQUEST/meet
refused         125 reject proposal to meet, negotiate      REJECT/meet
halted          164 halt negotiations (talks), 165 halt     SANCTION/discontinue
                mediation, 166 expel or withdraw            (SANCTION/expel for a
                (diplomatic mission), else 161 reduce or    diplomatic mission)
                break relations
==============  ==========================================  =======================

``negated`` and ``generic`` contacts (no event happened) and ``hypothetical`` ones (none has
happened yet, nor was one agreed) are left out unless ``include_negated``; kept, they get empty
codes.  ``realis`` follows Rich ERE: actual, generic, or other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from backchannel.annotation.export.event_graph import EventGraph
from backchannel.annotation.export.event_records import (
    CHANNEL,
    DROPPED_MODALITIES,
    ContactEvent,
    UnpairedContact,
    check_event_schema,
    document_contacts,
)
from backchannel.annotation.export.event_tables import EventsWriter
from backchannel.atomic import atomic_write
from backchannel.documents import Document, read_documents
from backchannel.errors import InputError

if TYPE_CHECKING:
    from backchannel.annotation.export.actor_gazetteer import Gazetteer
    from backchannel.schema import Schema


__all__ = [
    "DocumentEvents",
    "EventTotals",
    "EventsResult",
    "check_views",
    "document_record",
    "dropped_contacts",
    "events_result",
    "unpaired_path",
    "write_events",
    "write_views",
]


def _read(gold: str | Path, schema: Schema) -> Iterable[Document]:
    """A gold file, or a folder or glob of JSONL shards or exported parquet, in order."""
    from backchannel.shards import is_sharded, iter_corpus

    if not is_sharded(gold) and not str(gold).lower().endswith(".parquet"):
        return read_documents(gold, schema=schema)
    from backchannel.annotation.export.rows import FromRow

    return iter_corpus(gold, schema=schema, from_row=FromRow(schema))


def dropped_contacts(doc: Document, include_negated: bool) -> int:
    """Contacts of ``doc`` left out of the table (negated, generic, hypothetical)."""
    if include_negated:
        return 0
    return sum(
        1
        for s in doc.spans
        if s.label == CHANNEL and s.attrs.get("modality", "actual") in DROPPED_MODALITIES
    )


class DocumentEvents(msgspec.Struct, array_like=True):
    """Everything one document gives the event table: what a cluster worker hands back.

    ``statuses`` counts the document's ACTOR mentions by resolution status and ``actor_ids``
    lists the actors they resolved to, for the run's totals.
    """

    rows: list[ContactEvent]
    unpaired: list[UnpairedContact]
    dropped: int
    statuses: dict[str, int]
    actor_ids: list[str]


def document_record(
    doc: Document,
    schema: Schema,
    *,
    include_negated: bool = False,
    gazetteer: Gazetteer | None = None,
) -> DocumentEvents:
    """The rows, unpaired contacts and resolution counts of one document (serial or worker)."""
    from backchannel.annotation.export.actors import resolve_document

    resolution = resolve_document(doc, gazetteer)
    rows, unpaired = document_contacts(
        doc, schema, include_negated=include_negated, resolution=resolution
    )
    statuses = Counter(r.status for r in resolution.values())
    ids = sorted({r.actor.actor_id for r in resolution.values() if r.actor is not None})
    return DocumentEvents(
        rows, unpaired, dropped_contacts(doc, include_negated), dict(statuses), ids
    )


class EventTotals:
    """Run totals over documents (the serial run and the sharded one add the same records)."""

    def __init__(self) -> None:
        self.documents = 0
        self.dropped = 0
        self.statuses: Counter[str] = Counter()
        self.ids: set[str] = set()

    def add(self, record: DocumentEvents) -> None:
        self.documents += 1
        self.dropped += record.dropped
        self.statuses.update(record.statuses)
        self.ids.update(record.actor_ids)


def write_views(
    graph_data: EventGraph,
    graph: str | Path | None,
    html: str | Path | None,
    monthly: str | Path | None,
) -> tuple[int, Path | None]:
    """Draw the views of a finished table: the PNG graph, the HTML graph, the monthly table.

    Returns:
        The number of graph edges and the monthly plot's path (when ``monthly`` was given).
    """
    edges = graph_data.draw(graph) if graph is not None else len(graph_data.edges)
    plot = None
    if html is not None or monthly is not None:
        from backchannel.annotation.export import event_views

        if html is not None:
            event_views.write_html_graph(graph_data, html)
        if monthly is not None:
            plot = Path(monthly).with_suffix(".png")
            event_views.write_monthly(graph_data, monthly, plot)
    return edges, plot


def check_views(graph: Any, html: Any, monthly: Any) -> None:
    """Refuse a view of the wrong suffix before any work."""
    for view, ext in ((graph, ".png"), (html, ".html"), (monthly, ".csv")):
        if view is not None and Path(view).suffix.lower() != ext:
            raise InputError(f"this view must be a {ext} file", path=view)


def events_result(
    totals: EventTotals,
    writer: EventsWriter,
    edges: int,
    output: Any,
    side: Any,
    graph: Any,
    html: Any,
    monthly: Any,
    plot: Path | None,
) -> EventsResult:
    """The :class:`EventsResult` of a run (serial or sharded)."""
    return EventsResult(
        documents=totals.documents,
        contacts=writer.contacts,
        rows=writer.rows,
        edges=edges,
        output=str(output),
        graph=str(graph) if graph is not None else None,
        dropped_contacts=totals.dropped,
        unpaired=writer.unpaired,
        unpaired_output=str(side) if side is not None else None,
        html=str(html) if html is not None else None,
        monthly=str(monthly) if monthly is not None else None,
        monthly_plot=str(plot) if plot is not None else None,
        actors=len(totals.ids),
        mentions=sum(totals.statuses.values()),
        generic_mentions=totals.statuses["generic"],
        unknown_mentions=totals.statuses["unknown"],
    )


class EventsResult(msgspec.Struct):
    """What :func:`write_events` wrote."""

    documents: int
    contacts: int
    rows: int
    edges: int
    output: str
    graph: str | None = None
    dropped_contacts: int = 0
    unpaired: int = 0
    unpaired_output: str | None = None
    html: str | None = None
    monthly: str | None = None
    monthly_plot: str | None = None
    actors: int = 0
    mentions: int = 0
    generic_mentions: int = 0
    unknown_mentions: int = 0


def unpaired_path(output: str | Path) -> Path:
    """Where the unpaired contacts of the table ``output`` go: ``events_unpaired.csv`` beside
    ``events.csv`` (same format)."""
    out = Path(output)
    return out.with_name(f"{out.stem}_unpaired{out.suffix}")


def write_events(
    gold: str | Path,
    output: str | Path,
    *,
    schema: Schema | None = None,
    include_negated: bool = False,
    graph: str | Path | None = None,
    html: str | Path | None = None,
    monthly: str | Path | None = None,
    gazetteer: Gazetteer | None = None,
    progress: bool = False,
) -> EventsResult:
    """Write the event table of a gold file to ``.parquet`` or ``.csv``, and its views.

    Beside ``output`` (``events.csv``) goes the table of unpaired contacts
    (``events_unpaired.csv``, :func:`unpaired_path`).  Views, each optional: ``graph`` a PNG of
    who talks to whom, ``html`` the same graph interactive (plotly, its JavaScript inlined so
    it opens offline), ``monthly`` a CSV of contacts per pair per month with a heat-map PNG
    beside it (same stem).  Every file is written atomically: on bad input none appears.

    Raises:
        InputError: for an output name that is neither ``.parquet`` nor ``.csv``, or a view
            of the wrong suffix.
        DocumentError: for a bad gold record.
    """
    from contextlib import ExitStack

    from backchannel.progress import track
    from backchannel.schema import load_schema

    schema = schema or load_schema()
    check_event_schema(schema)
    out = Path(output)
    suffix = out.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise InputError(
            "event table must end in .parquet or .csv", path=out, hint="for example events.parquet"
        )
    check_views(graph, html, monthly)
    totals = EventTotals()
    side = unpaired_path(out)
    with ExitStack() as stack:
        fh = stack.enter_context(atomic_write(out, "wb"))
        side_fh = stack.enter_context(atomic_write(side, "wb"))
        parquet = suffix == ".parquet"
        writer = EventsWriter(
            fh if parquet else None,
            None if parquet else fh,
            unpaired_parquet=side_fh if parquet else None,
            unpaired_csv=None if parquet else side_fh,
        )
        docs = _read(gold, schema)
        for doc in track(docs, "events") if progress else docs:
            record = document_record(
                doc, schema, include_negated=include_negated, gazetteer=gazetteer
            )
            totals.add(record)
            writer.add(record.rows, record.unpaired)
        writer.close()
        edges, plot = write_views(writer.graph, graph, html, monthly)
    return events_result(totals, writer, edges, out, side, graph, html, monthly, plot)
