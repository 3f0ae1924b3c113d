"""``ingest --cluster`` and ``ingest -o FOLDER/``: extract on workers, de-duplicate in order.

Why this split: reading, HTML extraction and normalisation are independent per article and
cost most of ingest's time, so they run on the workers; de-duplication is inherently ordered
(the *first* copy is kept, a later near-duplicate flagged), so it runs in the main process over
the workers' output in input order, with the serial run's own step
(:func:`~backchannel.annotation.ingest.corpus.deduplicate` and its MinHash index).  The output
is therefore the serial run's, byte for byte.

How:

* the main process expands the sources (folders, globs) and groups the files into pieces of
  about ``shard_bytes`` (a JSONL file is one piece: its records are read in one stream);
* each worker reads its piece and writes the normalised Documents, and where each came from
  (file and line, for duplicate reports), to a scratch folder beside the output: small counts
  and the piece's errors come back through the scheduler, never the articles;
* the main process streams the scratch shards in piece order through de-duplication into one
  file, or into a folder of shards plus ``_manifest.json`` built under a temporary name.

Errors are those of the serial run, in its order: a worker does not raise on a bad article but
hands the error back with the articles read before it, and the main process raises it after
de-duplicating those (so an id clash earlier in the input is still the one reported).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backchannel.annotation.ingest.corpus import (
    IngestResult,
    IngestStats,
    _document,
    check_something_left,
    deduplicate,
)
from backchannel.annotation.ingest.dedupe import DedupeIndex
from backchannel.annotation.ingest.sources import (
    Expansion,
    SourceFile,
    expand_sources,
    read_articles,
)
from backchannel.atomic import STDIO, atomic_directory, atomic_write, recover_leftovers
from backchannel.documents import Document, read_documents, write_documents
from backchannel.errors import IngestError, InputError
from backchannel.shards import SHARD_BYTES, ShardInfo, is_folder_output, write_manifest, write_shard

__all__ = ["IngestPiece", "extract_piece", "ingest_sharded"]


@dataclass(frozen=True)
class IngestPiece:
    """One task: source files read in order into shard ``name`` (piece ``index``)."""

    index: int
    name: str
    sources: tuple[SourceFile, ...]


@dataclass
class Extracted:
    """What a worker hands back: counts and errors, in the order met (articles stay on disk)."""

    read: int = 0
    documents: int = 0
    skipped_bad: list[IngestError] = field(default_factory=list)
    fatal: IngestError | None = None


def group_sources(files: Sequence[SourceFile], shard_bytes: int = SHARD_BYTES) -> list[IngestPiece]:
    """Consecutive files grouped into pieces of about ``shard_bytes`` (a JSONL file alone)."""
    groups: list[list[SourceFile]] = []
    size = 0
    for f in files:
        try:
            n = os.path.getsize(f.path)
        except OSError:
            n = 0  # the worker names the problem
        if (
            f.kind == "jsonl"
            or not groups
            or size + n > shard_bytes
            or groups[-1][0].kind == "jsonl"
        ):
            groups.append([])
            size = 0
        groups[-1].append(f)
        size += n
    names = [
        Path(g[0].path).stem + ".jsonl" if g[0].kind == "jsonl" else f"part-{k:05d}.jsonl"
        for k, g in enumerate(groups)
    ]
    if len(set(names)) != len(names):
        names = [f"part-{k:05d}.jsonl" for k in range(len(groups))]
    return [IngestPiece(k, n, tuple(g)) for k, (n, g) in enumerate(zip(names, groups, strict=True))]


def _under(path: str, folder: Path) -> bool:
    return Path(os.path.abspath(path)).is_relative_to(os.path.abspath(folder))


def _where_name(piece: IngestPiece) -> str:
    return f"{piece.index:05d}.where"


def extract_piece(
    piece: IngestPiece,
    scratch: str,
    license: str | None,
    require_license: bool,
    skip_bad: bool,
) -> Extracted:
    """Read and normalise one piece into ``scratch`` (Documents, and their file and line).

    Both files are written through temporary names, so a piece re-run after its worker died
    replaces them whole.
    """
    out = Extracted()
    wheres: list[str] = []

    def documents() -> Iterator[Document]:
        for source in piece.sources:
            try:
                for article in read_articles(source):
                    out.read += 1
                    try:
                        doc = _document(article, license=license, require_license=require_license)
                    except IngestError as exc:
                        if not skip_bad:
                            raise
                        out.skipped_bad.append(exc)
                        continue
                    wheres.append(f"{article.path}\t{'' if article.line is None else article.line}")
                    out.documents += 1
                    yield doc
            except IngestError as exc:
                if not skip_bad:
                    out.fatal = exc
                    return
                out.skipped_bad.append(exc)

    write_shard(documents(), scratch, f"{piece.index:05d}.jsonl")
    with atomic_write(Path(scratch) / _where_name(piece), "w") as fh:
        fh.writelines(w + "\n" for w in wheres)
    return out


def _read_back(scratch: Path, piece: IngestPiece) -> Iterator[tuple[Document, str, int | None]]:
    """The piece's Documents as the worker wrote them, with file and line."""
    with open(scratch / _where_name(piece), encoding="utf-8") as wh:
        docs = read_documents(scratch / f"{piece.index:05d}.jsonl", validate=False)
        for doc, where in zip(docs, wh, strict=True):
            path, _, line = where.rstrip("\n").rpartition("\t")
            yield doc, path, int(line) if line else None


def ingest_sharded(
    sources: Sequence[str | Path],
    output: str | Path,
    *,
    license: str | None = None,
    require_license: bool = False,
    near_dup_threshold: float = 0.8,
    skip_bad: bool = False,
    progress: bool = False,
    cluster: Any = None,
    shard_bytes: int = SHARD_BYTES,
) -> IngestResult:
    """:func:`~backchannel.annotation.ingest.corpus.ingest`, piece by piece (maybe on a cluster).

    Args:
        sources: as for ``ingest`` (standard input cannot be split into pieces).
        output: one file (the serial run's bytes) or ``FOLDER/`` (one shard per piece, in
            input order, plus the manifest), written atomically either way.
        cluster: None (in this process), a ``--cluster`` value or an open Dask client.
        shard_bytes: about how many bytes of .txt/.html files one task reads.
        license, require_license, near_dup_threshold, skip_bad, progress: as for ``ingest``.

    Raises:
        IngestError: as ``ingest`` (the first problem in input order); nothing is written.
    """
    from backchannel.cluster import check_folder_target, map_pieces

    if not 0.0 < near_dup_threshold <= 1.0:
        raise IngestError(f"near-duplicate threshold must be in (0, 1], got {near_dup_threshold}")
    if any(str(s) == STDIO for s in sources):
        raise InputError("standard input cannot be split into pieces; give files or folders")
    out = str(output)
    folder = is_folder_output(out)
    target = Path(out.rstrip("/" + os.sep) or out) if folder else None
    if target is not None:
        check_folder_target(target)
    expansion = Expansion()
    exclude = None if folder or out == STDIO else out
    files = list(expand_sources([str(s) for s in sources], exclude=exclude, counts=expansion))
    if target is not None:  # never read the previous run's shards (as the serial run its file)
        inside = [f for f in files if _under(f.path, target)]
        files = [f for f in files if not _under(f.path, target)]
        expansion.files -= len(inside)
        expansion.skipped += len(inside)
    pieces = group_sources(files, shard_bytes)
    stats = IngestStats(files=expansion.files, skipped_files=expansion.skipped)
    anchor = target if target is not None else Path.cwd() / "stdout" if out == STDIO else Path(out)
    parent = Path(os.path.abspath(anchor)).parent
    parent.mkdir(parents=True, exist_ok=True)
    recover_leftovers(parent / anchor.name)
    scratch = Path(
        tempfile.mkdtemp(prefix=f".{anchor.name}.{os.getpid()}.", suffix=".tmp", dir=parent)
    )
    try:
        results = map_pieces(
            extract_piece, pieces, str(scratch), license, require_license, skip_bad,
            cluster=cluster, description="ingest", progress=progress,
        )  # fmt: skip
        with DedupeIndex(near_dup_threshold, directory=str(parent)) as index:

            def kept(piece: IngestPiece, got: Extracted) -> Iterator[Document]:
                stats.read += got.read
                for doc, path, line in _read_back(scratch, piece):
                    if deduplicate(doc, path, line, index, stats):
                        yield doc
                stats.skipped_bad.extend(got.skipped_bad)
                if got.fatal is not None:
                    raise got.fatal

            if target is None:

                def every() -> Iterator[Document]:
                    for piece, got in zip(pieces, results, strict=True):
                        yield from kept(piece, got)
                    check_something_left(stats)

                write_documents(every(), out)
            else:
                with atomic_directory(target, overwrite=True) as build:
                    infos: list[ShardInfo] = [
                        write_shard(kept(piece, got), build, piece.name)
                        for piece, got in zip(pieces, results, strict=True)
                    ]
                    check_something_left(stats)
                    write_manifest(build, infos, command="ingest", input=[str(s) for s in sources])
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(scratch)
    return stats.result(out)
