"""Reading back the parquet rows ``export`` writes, as Documents, shard by shard.

:func:`backchannel.shards.read_piece` takes a ``from_row`` callable for parquet shards; this is
the one that knows the export's columns.  It is a small picklable object (a schema, a codec
built lazily) so that a cluster task can carry it to a worker.
"""

from __future__ import annotations

from typing import Any

from backchannel.documents import Document
from backchannel.schema import Schema

__all__ = ["FromRow"]


class FromRow:
    """``FromRow(schema)(row)``: the Document an export row was made from."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self._codec: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {"schema": self.schema, "_codec": None}

    def __call__(self, row: dict[str, Any]) -> Document:
        if self._codec is None:
            from backchannel.annotation.export.features import RowCodec

            self._codec = RowCodec(self.schema)
        return self._codec.from_row(row)
