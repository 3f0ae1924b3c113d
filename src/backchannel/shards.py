"""Sharded corpora: finding shards, cutting work into pieces, writing shards atomically.

A corpus too big for one file is a folder (or a glob) of Document JSONL shards, or the parquet
files ``backchannel export`` writes.  Every command that reads Documents over a cluster works on
:class:`Piece` s: one shard, or a byte range of one big JSONL file cut at line starts.  A piece is
what one task reads, so memory per task is bounded by the piece size, not the corpus size.

Output folders are written so that a crash never leaves something that looks finished:

* each shard goes to a temporary name in the folder being built and is renamed into place
  (``os.replace``: atomic on POSIX), so a killed task leaves a ``.tmp`` file, never a short
  shard, and a re-run task replaces its shard whole (every document exactly once);
* the whole folder is built under a temporary name beside the target and renamed into place at
  the end (:func:`backchannel.atomic.atomic_directory`), the manifest written last;
* readers of a folder with a manifest read exactly the shards it lists, in its order.

This module is engine-neutral (no Dask): :mod:`backchannel.cluster` runs pieces on workers.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from backchannel.atomic import STDIO, atomic_write
from backchannel.documents import Document, encode_document, iter_documents
from backchannel.errors import DocumentError, InputError

__all__ = [
    "MANIFEST",
    "SHARD_BYTES",
    "Piece",
    "ShardInfo",
    "concatenate",
    "discover",
    "is_folder_output",
    "is_sharded",
    "iter_corpus",
    "plan",
    "read_manifest",
    "read_piece",
    "write_manifest",
    "write_shard",
]

#: The manifest of an output folder: written last, lists the shards in order.
MANIFEST = "_manifest.json"
#: Default piece size: a few dozen MB per task, as spaCy's maintainers advise for disk-to-disk
#: multiprocessing; big enough that scheduling costs well under 1 % (see docs/cluster.md).
SHARD_BYTES = 32 * 2**20
_SUFFIXES = (".jsonl", ".parquet")
_GLOB_CHARS = set("*?[")
_BLOCK = 4 * 2**20
_BOM = b"\xef\xbb\xbf"

FromRow = Callable[[dict[str, Any]], Document]


@dataclass(frozen=True)
class Piece:
    """One task's input: ``path`` bytes ``[start, end)`` (whole file when ``end`` is None).

    Attributes:
        path: a JSONL or parquet file.
        name: the output shard name for this piece (``part-00003.jsonl``, or the input's).
        index: position of the piece in the corpus (output order).
        start: first byte (a line start).
        end: end byte (a line start or the file size), or None for the whole file.
        line: physical line number of ``start`` (1-based), so errors name the real line.
    """

    path: str
    name: str
    index: int
    start: int = 0
    end: int | None = None
    line: int = 1

    @property
    def parquet(self) -> bool:
        return self.path.lower().endswith(".parquet")


@dataclass
class ShardInfo:
    """One written shard, as the manifest lists it."""

    name: str
    documents: int
    bytes: int
    sha256: str
    extra: dict[str, Any] = field(default_factory=dict)


def is_sharded(source: str | Path) -> bool:
    """Whether ``source`` names several shards (a folder or a glob), not one file."""
    text = str(source)
    if text == STDIO:
        return False
    return os.path.isdir(text) or (not os.path.exists(text) and bool(_GLOB_CHARS & set(text)))


def is_folder_output(output: str | Path) -> bool:
    """Whether ``-o`` asks for a folder of shards: an existing folder or a name ending in ``/``."""
    text = str(output)
    return text != STDIO and (text.endswith(("/", os.sep)) or os.path.isdir(text))


def read_manifest(folder: str | Path) -> dict[str, Any] | None:
    """The manifest of ``folder``, or None when it has none."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("shards"), list):
            raise ValueError("no shard list")
        return data
    except (ValueError, OSError) as exc:
        raise InputError(f"unreadable shard manifest ({exc})", path=path) from None


def discover(source: str | Path) -> list[str]:
    """The shard files of ``source`` in corpus order.

    * a file: itself;
    * a folder with a manifest: the shards it lists, in its order;
    * a folder without: its ``.jsonl`` and ``.parquet`` files (recursively), sorted by path;
    * a glob: the matching files, sorted.

    Raises:
        InputError: nothing matches, or a manifest lists a shard that is missing.
    """
    text = str(source)
    if text == STDIO or os.path.isfile(text):
        return [text]
    if os.path.isdir(text):
        manifest = read_manifest(text)
        if manifest is not None:
            files = [os.path.join(text, s["name"]) for s in manifest["shards"]]
            for f in files:
                if not os.path.isfile(f):
                    raise InputError("shard listed in the manifest is missing", path=f)
            return files
        files = sorted(
            os.path.join(root, name)
            for root, dirs, names in os.walk(text)
            for name in names
            if name.lower().endswith(_SUFFIXES) and not name.startswith(".")
            if not any(part.startswith(".") for part in Path(root).relative_to(text).parts)
        )
        if not files:
            raise InputError("folder holds no .jsonl or .parquet shard", path=text)
        return files
    if _GLOB_CHARS & set(text):
        files = sorted(
            f
            for f in glob.glob(text, recursive=True)
            if os.path.isfile(f) and not f.endswith(MANIFEST)
        )
        if not files:
            raise InputError("no files match this pattern", path=text)
        return files
    raise DocumentError("no such file", path=text)


def _shard_name(path: str, root: str | None, index: int) -> str:
    """Output name of a whole-file piece: its path under the input folder, else its index."""
    if root is not None:
        rel = os.path.relpath(path, root)
        if not rel.startswith(".."):
            return Path(rel).with_suffix(".jsonl").as_posix()
    return f"part-{index:05d}.jsonl"


def _cuts(path: str, target: int) -> Iterator[tuple[int, int]]:
    """``(byte offset, line number)`` of line starts about every ``target`` bytes (not 0)."""
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        line, pos, next_cut = 1, 0, target
        while pos < size:
            block = fh.read(_BLOCK)
            if not block:
                break
            end = pos + len(block)
            while next_cut < end:
                nl = block.find(b"\n", next_cut - pos)
                if nl < 0:
                    break
                cut = pos + nl + 1
                if cut >= size:
                    break
                yield cut, line + block.count(b"\n", 0, nl + 1)
                next_cut = cut + target
            line += block.count(b"\n")
            pos = end


def plan(sources: Sequence[str | Path], shard_bytes: int = SHARD_BYTES) -> list[Piece]:
    """Cut the corpus into pieces of at most about ``shard_bytes`` (one or more per file).

    Whole files keep their name under the input folder (so ``score`` can pair the prediction
    shards with the gold shards they came from); a big JSONL file is cut at line starts into
    ``NAME-00000.jsonl``, ``NAME-00001.jsonl``...
    """
    pieces: list[Piece] = []
    for source in sources:
        root = str(source) if os.path.isdir(str(source)) else None
        for path in discover(source):
            if path == STDIO:
                raise InputError("standard input cannot be sharded; give a file or a folder")
            size = os.path.getsize(path)
            name = _shard_name(path, root, len(pieces))
            if path.lower().endswith(".parquet") or size <= shard_bytes:
                pieces.append(Piece(path, name, len(pieces)))
                continue
            stem = name[: -len(".jsonl")]
            start, line = 0, 1
            for k, (cut, cut_line) in enumerate([*_cuts(path, shard_bytes), (size, -1)]):
                pieces.append(Piece(path, f"{stem}-{k:05d}.jsonl", len(pieces), start, cut, line))
                start, line = cut, cut_line
    names = [p.name for p in pieces]
    if len(set(names)) != len(names):  # two inputs with one name: number them instead
        pieces = [
            Piece(p.path, f"part-{p.index:05d}.jsonl", p.index, p.start, p.end, p.line)
            for p in pieces
        ]
    return pieces


def _piece_lines(piece: Piece) -> Iterator[bytes]:
    with open(piece.path, "rb") as fh:
        fh.seek(piece.start)
        remaining = None if piece.end is None else piece.end - piece.start
        for raw in fh:
            if remaining is not None:
                if remaining <= 0:
                    break
                remaining -= len(raw)
            yield raw


def _parquet_documents(piece: Piece, from_row: FromRow | None) -> Iterator[Document]:
    if from_row is None:
        raise InputError("this command reads Document JSONL shards, not parquet", path=piece.path)
    import pyarrow.parquet as pq

    row_no = 0
    for batch in pq.ParquetFile(piece.path).iter_batches(batch_size=1000):
        for row in batch.to_pylist():
            row_no += 1
            try:
                yield from_row(row)
            except (KeyError, TypeError, ValueError) as exc:
                raise DocumentError(
                    f"parquet row is not a Document row ({exc})", path=piece.path, line=row_no
                ) from None


def read_piece(
    piece: Piece,
    *,
    schema: Any = None,
    validate: bool = True,
    from_row: FromRow | None = None,
) -> Iterator[Document]:
    """Stream the Documents of one piece, errors naming the file and its real line number.

    Args:
        piece: what to read.
        schema: as for :func:`~backchannel.documents.read_documents`.
        validate: as for :func:`~backchannel.documents.read_documents`.
        from_row: turns a parquet row into a Document (from ``annotation.export.features``);
            without it a parquet shard is refused.
    """
    if piece.parquet:
        yield from _parquet_documents(piece, from_row)
        return
    lines = _piece_lines(piece)
    first = next(lines, None)
    if first is None:
        return
    if piece.start > 0 and first.startswith(_BOM):
        first = first[len(_BOM) :]

    def all_lines() -> Iterator[bytes]:
        yield first
        yield from lines

    try:
        yield from iter_documents(all_lines(), piece.path, schema=schema, validate=validate)
    except DocumentError as exc:
        if exc.line is not None and piece.line > 1:
            exc.line += piece.line - 1
            exc.args = (exc.one_line(),)
        raise


def iter_corpus(
    source: str | Path,
    *,
    schema: Any = None,
    validate: bool = True,
    from_row: FromRow | None = None,
) -> Iterator[Document]:
    """Every Document of a file, folder or glob, in corpus order (the serial reader)."""
    if str(source) == STDIO or not is_sharded(source):
        piece = Piece(str(source), "", 0)
        if str(source) == STDIO or not piece.parquet:
            from backchannel.documents import read_documents

            yield from read_documents(source, schema=schema, validate=validate)
            return
        yield from read_piece(piece, schema=schema, validate=validate, from_row=from_row)
        return
    for k, path in enumerate(discover(source)):
        yield from read_piece(
            Piece(path, "", k), schema=schema, validate=validate, from_row=from_row
        )


def _tmp_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def write_shard(docs: Iterable[Document], folder: str | Path, name: str, **extra: Any) -> ShardInfo:
    """Write one shard to ``folder/name`` through a temporary name (a rerun replaces it whole).

    Returns:
        Its manifest entry (documents, bytes, SHA-256); ``extra`` is stored with it.
    """
    target = Path(folder) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(target)
    digest = hashlib.sha256()
    n = size = 0
    try:
        with open(tmp, "wb") as fh:
            for doc in docs:
                data = encode_document(doc) + b"\n"
                fh.write(data)
                digest.update(data)
                n += 1
                size += len(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return ShardInfo(name, n, size, digest.hexdigest(), dict(extra))


def write_manifest(folder: str | Path, shards: Sequence[ShardInfo], **meta: Any) -> Path:
    """Write ``folder/_manifest.json`` atomically: the shards in order, totals and ``meta``."""
    path = Path(folder) / MANIFEST
    body = {
        "format": "backchannel-shards",
        "version": 1,
        **meta,
        "documents": sum(s.documents for s in shards),
        "shards": [asdict(s) for s in shards],
    }
    with atomic_write(path, "w") as fh:
        fh.write(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
    return path


def concatenate(folder: str | Path, names: Sequence[str], output: str | Path) -> int:
    """Copy the shards ``names`` of ``folder`` in order into one file (atomic); bytes written."""
    total = 0
    with atomic_write(output, "wb") as out:
        for name in names:
            with open(Path(folder) / name, "rb") as fh:
                shutil.copyfileobj(fh, out, 2**20)
                total += fh.tell()
    return total
