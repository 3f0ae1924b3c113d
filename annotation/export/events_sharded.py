"""``events --cluster`` and ``events -o FOLDER/``: rows per piece on workers, tables here.

Why: decoding gold Documents is what costs in ``events``; the contact rows of a document depend
on that document only.  So each worker decodes one piece (a JSONL shard, a byte range of a big
file, an exported parquet file) and writes its rows to a scratch file, one line per document;
the main process reads the rows back in piece order and writes the table, the graph and the
counts exactly as the serial run does (same row batches, so the same parquet bytes).

Output:

* a file (``.parquet`` or ``.csv``): the serial run's table, byte for byte;
* ``FOLDER/``: one ``.parquet`` table per input piece, named after it, plus ``_manifest.json``
  (rows per shard), the whole folder renamed into place when complete.

The graph (``--graph``) is drawn in the main process from every row, as in the serial run.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec

from backchannel.annotation.export.event_records import check_event_schema
from backchannel.annotation.export.event_tables import EventsWriter
from backchannel.annotation.export.events import (
    DocumentEvents,
    EventsResult,
    EventTotals,
    check_views,
    document_record,
    events_result,
    unpaired_path,
    write_views,
)
from backchannel.atomic import atomic_directory, atomic_write, recover_leftovers
from backchannel.errors import InputError
from backchannel.schema import Schema
from backchannel.shards import (
    SHARD_BYTES,
    Piece,
    ShardInfo,
    is_folder_output,
    plan,
    read_piece,
    write_manifest,
)

__all__ = ["events_piece", "write_events_sharded"]

_RECORD = msgspec.json.Decoder(DocumentEvents)
_ENCODE = msgspec.json.Encoder()


def events_piece(
    piece: Piece, scratch: str, schema: Schema, include_negated: bool, gazetteer: Any = None
) -> int:
    """Decode one piece and write each document's record to ``scratch``, one JSON line each.

    Written through a temporary name, so a piece re-run after its worker died replaces it.
    Returns the number of documents.
    """
    from backchannel.annotation.export.rows import FromRow

    documents = 0
    with atomic_write(Path(scratch) / f"{piece.index:05d}.rows", "wb") as fh:
        for doc in read_piece(piece, schema=schema, from_row=FromRow(schema)):
            documents += 1
            record = document_record(
                doc, schema, include_negated=include_negated, gazetteer=gazetteer
            )
            fh.write(_ENCODE.encode(record))
            fh.write(b"\n")
    return documents


def _records(scratch: Path, piece: Piece) -> Iterator[DocumentEvents]:
    with open(scratch / f"{piece.index:05d}.rows", "rb") as fh:
        for line in fh:
            yield _RECORD.decode(line)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(2**20):
            digest.update(block)
    return digest.hexdigest()


def _write_folder(
    target: Path, pieces: list[Piece], scratch: Path, gold: str, totals: EventTotals
) -> EventsWriter:
    """One pair table and one unpaired table per piece, plus the manifest (pair tables).

    Returns a writer holding the run's graph and counts (its files are not used).
    """
    whole = EventsWriter()
    with atomic_directory(target, overwrite=True) as build:
        infos = []
        for piece in pieces:
            name = Path(piece.name).with_suffix(".parquet").as_posix()
            path = build / name
            path.parent.mkdir(parents=True, exist_ok=True)
            side = unpaired_path(path)
            with atomic_write(path, "wb") as fh, atomic_write(side, "wb") as side_fh:
                writer = EventsWriter(fh, unpaired_parquet=side_fh)
                for record in _records(scratch, piece):
                    totals.add(record)
                    writer.add(record.rows, record.unpaired)
                    whole.add(record.rows, record.unpaired)
                writer.close()
            info = ShardInfo(name, writer.rows, path.stat().st_size, _sha256(path))
            info.extra["contacts"] = writer.contacts
            info.extra["unpaired"] = writer.unpaired
            infos.append(info)
        write_manifest(build, infos, command="events", input=gold, unit="rows")
    return whole


def write_events_sharded(
    gold: str | Path,
    output: str | Path,
    *,
    schema: Schema | None = None,
    include_negated: bool = False,
    graph: str | Path | None = None,
    html: str | Path | None = None,
    monthly: str | Path | None = None,
    gazetteer: Any = None,
    progress: bool = False,
    cluster: Any = None,
    shard_bytes: int = SHARD_BYTES,
) -> EventsResult:
    """:func:`~backchannel.annotation.export.events.write_events`, piece by piece.

    Args:
        gold: a gold file, a folder or glob of JSONL shards, or exported parquet.
        output: ``.parquet`` or ``.csv`` (the serial table, byte for byte), or ``FOLDER/``
            (a parquet table per piece plus the manifest).
        cluster: None (in this process), a ``--cluster`` value or an open Dask client.
        shard_bytes: big JSONL files are cut into pieces of about this size.
        schema, include_negated, graph, html, monthly, gazetteer, progress: as for
            ``write_events``.

    Raises:
        InputError: an output name that is neither a folder, ``.parquet`` nor ``.csv``.
        DocumentError: a bad gold record (its shard and real line); nothing is written.
    """
    from backchannel.cluster import check_folder_target, map_pieces
    from backchannel.schema import load_schema

    schema = schema or load_schema()
    check_event_schema(schema)
    text = str(output)
    folder = is_folder_output(text)
    target = Path(text.rstrip("/" + os.sep) or text)
    if folder:
        check_folder_target(target)
    elif target.suffix.lower() not in (".parquet", ".csv"):
        raise InputError(
            "event table must end in .parquet or .csv (or be a FOLDER/ of shards)",
            path=target,
            hint="for example events.parquet",
        )
    check_views(graph, html, monthly)
    pieces = plan([gold], shard_bytes)
    parent = Path(os.path.abspath(target)).parent
    parent.mkdir(parents=True, exist_ok=True)
    recover_leftovers(target)
    scratch = Path(
        tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=parent)
    )
    totals = EventTotals()
    side = None
    try:
        map_pieces(
            events_piece, pieces, str(scratch), schema, include_negated, gazetteer,
            cluster=cluster, description="events", progress=progress,
        )  # fmt: skip
        if folder:
            writer = _write_folder(target, pieces, scratch, str(gold), totals)
        else:
            suffix = target.suffix.lower()
            parquet = suffix == ".parquet"
            side = unpaired_path(target)
            with atomic_write(target, "wb") as fh, atomic_write(side, "wb") as side_fh:
                writer = EventsWriter(
                    fh if parquet else None,
                    None if parquet else fh,
                    unpaired_parquet=side_fh if parquet else None,
                    unpaired_csv=None if parquet else side_fh,
                )
                for piece in pieces:
                    for record in _records(scratch, piece):
                        totals.add(record)
                        writer.add(record.rows, record.unpaired)
                writer.close()
        edges, plot = write_views(writer.graph, graph, html, monthly)
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(scratch)
    return events_result(totals, writer, edges, text, side, graph, html, monthly, plot)
