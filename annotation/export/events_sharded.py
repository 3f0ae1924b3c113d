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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from backchannel.annotation.export.events import (
    ContactEvent,
    EventGraph,
    EventsResult,
    EventsWriter,
    check_event_schema,
    document_events,
    dropped_contacts,
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

_ROWS = msgspec.json.Decoder(list[ContactEvent])
_ENCODE = msgspec.json.Encoder()


@dataclass
class PieceEvents:
    """What a worker hands back: counts (the rows stay on disk)."""

    documents: int
    dropped: int


def events_piece(piece: Piece, scratch: str, schema: Schema, include_negated: bool) -> PieceEvents:
    """Decode one piece and write its rows to ``scratch``: one JSON list per document.

    Written through a temporary name, so a piece re-run after its worker died replaces it.
    """
    from backchannel.annotation.export.rows import FromRow

    documents = dropped = 0
    with atomic_write(Path(scratch) / f"{piece.index:05d}.rows", "wb") as fh:
        for doc in read_piece(piece, schema=schema, from_row=FromRow(schema)):
            documents += 1
            dropped += dropped_contacts(doc, include_negated)
            fh.write(_ENCODE.encode(document_events(doc, schema, include_negated=include_negated)))
            fh.write(b"\n")
    return PieceEvents(documents, dropped)


def _rows(scratch: Path, piece: Piece) -> Iterator[list[ContactEvent]]:
    with open(scratch / f"{piece.index:05d}.rows", "rb") as fh:
        for line in fh:
            yield _ROWS.decode(line)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(2**20):
            digest.update(block)
    return digest.hexdigest()


def _write_folder(
    target: Path, pieces: list[Piece], scratch: Path, gold: str
) -> tuple[EventGraph, int, int]:
    """One parquet table per piece plus the manifest; the graph and totals of every row."""
    graph = EventGraph()
    rows_total = contacts_total = 0
    with atomic_directory(target, overwrite=True) as build:
        infos = []
        for piece in pieces:
            name = Path(piece.name).with_suffix(".parquet").as_posix()
            path = build / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_write(path, "wb") as fh:
                writer = EventsWriter(fh)
                for rows in _rows(scratch, piece):
                    writer.add(rows)
                writer.close()
            for (a, b, kind), n in writer.graph.edges.items():
                graph.edges[(a, b, kind)] += n
            rows_total += writer.rows
            contacts_total += writer.contacts
            info = ShardInfo(name, writer.rows, path.stat().st_size, _sha256(path))
            info.extra["contacts"] = writer.contacts
            infos.append(info)
        write_manifest(build, infos, command="events", input=gold, unit="rows")
    return graph, rows_total, contacts_total


def write_events_sharded(
    gold: str | Path,
    output: str | Path,
    *,
    schema: Schema | None = None,
    include_negated: bool = False,
    graph: str | Path | None = None,
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
        schema, include_negated, graph, progress: as for ``write_events``.

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
    if graph is not None and Path(graph).suffix.lower() != ".png":
        raise InputError("graph must be a .png file", path=graph)
    pieces = plan([gold], shard_bytes)
    parent = Path(os.path.abspath(target)).parent
    parent.mkdir(parents=True, exist_ok=True)
    recover_leftovers(target)
    scratch = Path(
        tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=parent)
    )
    try:
        got = map_pieces(
            events_piece, pieces, str(scratch), schema, include_negated,
            cluster=cluster, description="events", progress=progress,
        )  # fmt: skip
        if folder:
            graph_all, n_rows, n_contacts = _write_folder(target, pieces, scratch, str(gold))
        else:
            suffix = target.suffix.lower()
            with atomic_write(target, "wb") as fh:
                writer = EventsWriter(
                    fh if suffix == ".parquet" else None, fh if suffix == ".csv" else None
                )
                for piece in pieces:
                    for rows in _rows(scratch, piece):
                        writer.add(rows)
                writer.close()
            graph_all, n_rows, n_contacts = writer.graph, writer.rows, writer.contacts
        edges = graph_all.draw(graph) if graph is not None else len(graph_all.edges)
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(scratch)
    return EventsResult(
        documents=sum(g.documents for g in got),
        contacts=n_contacts,
        rows=n_rows,
        edges=edges,
        output=text,
        graph=str(graph) if graph is not None else None,
        dropped_contacts=sum(g.dropped for g in got),
    )
