"""Writing the event tables: pair rows and unpaired contacts streamed to parquet and/or CSV.

Memory is bounded by the batch size; the graph is built as rows pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import msgspec

from backchannel.annotation.export.event_graph import EventGraph
from backchannel.annotation.export.event_records import (
    COLUMNS,
    UNPAIRED_COLUMNS,
    ContactEvent,
    UnpairedContact,
)

if TYPE_CHECKING:
    pass

__all__ = [
    "EventsWriter",
]


def _arrow_schema(columns: list[str] | None = None) -> Any:
    import pyarrow as pa

    types = {"channel_start": pa.int32(), "channel_end": pa.int32(), "n_participants": pa.int32()}
    types["directed"] = pa.bool_()
    types["n_mentions"] = pa.int32()
    return pa.schema([(c, types.get(c, pa.string())) for c in columns or COLUMNS])


class _TableSink:
    """Batches of rows into parquet and/or CSV (memory bounded by the batch size)."""

    def __init__(self, parquet: Any, csv: Any, columns: list[str], batch_size: int) -> None:
        self.parquet = parquet
        self.csv = csv
        self.batch_size = batch_size
        self.schema = _arrow_schema(columns)
        self.batch: list[dict[str, Any]] = []
        self._pq: Any = None
        self._csv: Any = None

    def add(self, row: msgspec.Struct) -> None:
        if self.parquet is None and self.csv is None:
            return  # a writer kept for its graph and counts only: no table to build
        self.batch.append(msgspec.structs.asdict(row))
        if len(self.batch) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        table = pa.Table.from_pylist(self.batch, schema=self.schema)
        self.batch = []
        if self.parquet is not None:
            if self._pq is None:
                self._pq = pq.ParquetWriter(self.parquet, self.schema)
            self._pq.write_table(table)
        if self.csv is not None:
            if self._csv is None:
                self._csv = pacsv.CSVWriter(self.csv, self.schema)
            self._csv.write_table(table)

    def close(self) -> None:
        self.flush()
        if self._pq is not None:
            self._pq.close()
        if self._csv is not None:
            self._csv.close()


class EventsWriter:
    """Stream pair rows (and unpaired contacts) into parquet and/or CSV, and build the graph.

    Args:
        parquet: a path or writable binary file for the parquet pair table, or ``None``.
        csv: a path or writable binary file for the CSV pair table, or ``None``.
        batch_size: rows per write (memory is bounded by it).
        unpaired_parquet: where unpaired contacts go as parquet, or ``None``.
        unpaired_csv: where unpaired contacts go as CSV, or ``None``.
    """

    def __init__(
        self,
        parquet: Any = None,
        csv: Any = None,
        batch_size: int = 5000,
        *,
        unpaired_parquet: Any = None,
        unpaired_csv: Any = None,
    ) -> None:
        self.rows = 0
        self.contacts = 0
        self.unpaired = 0
        self.graph = EventGraph()
        self._pairs = _TableSink(parquet, csv, COLUMNS, batch_size)
        self._unpaired = (
            _TableSink(unpaired_parquet, unpaired_csv, UNPAIRED_COLUMNS, batch_size)
            if unpaired_parquet is not None or unpaired_csv is not None
            else None
        )

    def add(self, rows: Iterable[ContactEvent], unpaired: Iterable[UnpairedContact] = ()) -> None:
        contacts = set()
        for row in rows:
            self._pairs.add(row)
            self.graph.add(row)
            self.rows += 1
            contacts.add(row.contact_id)
        for contact in unpaired:
            if self._unpaired is not None:
                self._unpaired.add(contact)
            self.unpaired += 1
        # rows of one contact always arrive in one call (one document), so counting per call
        # needs no set of every contact id ever seen
        self.contacts += len(contacts)

    def close(self) -> None:
        """Flush and close; always writes the files, with a header when there are no rows."""
        self._pairs.close()
        if self._unpaired is not None:
            self._unpaired.close()
