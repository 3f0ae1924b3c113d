"""``events/events.{parquet,csv}``, the who-talks-to-whom table of the whole export (not split:
one row per pair of resolved actors of a contact), ``events/events_unpaired.{parquet,csv}``
(contacts with fewer than two resolved actors) and ``events/graph.png``; see
:mod:`backchannel.annotation.export.events` for the rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backchannel.annotation.export.formats.base import Format, Target
from backchannel.errors import SchemaError

if TYPE_CHECKING:
    from backchannel.annotation.export.tokenize import BioResult
    from backchannel.documents import Document
    from backchannel.schema import Schema

__all__ = ["FORMAT", "EventTableWriter", "check_schema"]


def check_schema(schema: Schema) -> None:
    """Refuse a schema without the contact-event model, naming the option that skips events."""
    from backchannel.annotation.export.event_records import check_event_schema

    try:
        check_event_schema(schema)
    except SchemaError as exc:  # the newcomer's remedy is an export option, say so
        raise SchemaError(exc.message, path=exc.path, hint="export with --no-events") from None


class EventTableWriter:
    """Every document's contact rows, whatever its split, into one table and one graph."""

    def __init__(self, target: Target) -> None:
        from backchannel.annotation.export.event_tables import EventsWriter

        self.dir = target.root / "events"
        self.schema = target.schema
        self.dir.mkdir()
        parquet, csv, unpaired_parquet, unpaired_csv = (
            target.stack.enter_context(open(self.dir / name, "wb"))  # noqa: SIM115 - the stack closes it
            for name in (
                "events.parquet",
                "events.csv",
                "events_unpaired.parquet",
                "events_unpaired.csv",
            )
        )
        self.writer = EventsWriter(
            parquet, csv, unpaired_parquet=unpaired_parquet, unpaired_csv=unpaired_csv
        )

    def add(self, split: str, doc: Document, bio: BioResult) -> None:
        from backchannel.annotation.export.event_records import document_contacts

        self.writer.add(*document_contacts(doc, self.schema))

    def close(self, splits: list[str]) -> dict[str, Any]:
        self.writer.close()
        self.writer.graph.draw(self.dir / "graph.png")
        return {"events": self.writer.rows}


FORMAT = Format(name="events", open=EventTableWriter, option="events", check=check_schema)
