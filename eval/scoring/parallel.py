"""Counting on the Dask engine: the fast path for big, well-formed, same-order input files.

Why: decoding the records and turning spans into arrays is per-span Python work that costs as
much as the decoding itself; on a machine with two or more cores, batches are independent and
can be counted side by side.

How: the main process only scans both files for line starts (numpy over 4 MiB blocks, no
decoding) and hands each worker a pair of byte ranges holding the same :data:`BATCH` documents
of both files.  A worker reads its ranges, decodes, joins, validates and counts them with the
very code of the serial path (:class:`~backchannel.eval.scoring.counting.DocumentCounter`) and
sends back the count rows, the confusion matrix and its error-browser candidates.  Per-document
rows do not depend on how documents are batched, so the result is bit-identical to the serial
path.

The fast path applies only when line *i* of the gold and line *i* of the predictions are the
same document: both files have the same number of lines, every line is a record (starts with
``{``), and the ids agree pairwise.  Anything else (predictions in another order, blank lines,
a bad record, a duplicate id, a worker that died) abandons the fast path and the caller runs
the serial path from the start: it either produces the same result or raises the one-line
error the serial path always raises (file, line, document, span).  Errors are rare; paying a
second pass for them keeps a single definition of every message.

The workers are those of :mod:`backchannel.cluster`, the project's one parallel engine:
``score --workers N`` starts a local Dask cluster of N processes, ``score --cluster ADDRESS``
uses any cluster (the home-made fork pool this module once held is gone; see docs/cluster.md).
Each task's input is two byte ranges and its output a few kilobytes of count rows, so memory
per worker stays bounded whatever the file size.
"""

from __future__ import annotations

import gc
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path
from typing import Any

import numpy as np

from backchannel.cluster import available_cpus as _cpus
from backchannel.cluster import map_pieces, shared_local_client, worker_cached
from backchannel.eval.scoring.counting import BATCH, CHUNK, DocumentCounter
from backchannel.eval.scoring.joining import _BOM, NotLockstep, lockstep
from backchannel.eval.scoring.metrics import Layout
from backchannel.schema import Schema

__all__ = ["MAX_WORKERS", "MIN_BYTES", "Parallel", "available_cpus", "count_parallel", "plan"]

#: Below this many bytes (both files together) the serial path is used: starting processes and
#: scanning the files would cost more than it saves (about 5,000 documents of 20 spans).
MIN_BYTES = 16 * 2**20
#: More workers than this make the main process's scan the bottleneck.
MAX_WORKERS = 4
_BLOCK = 4 * 2**20
_BRACE, _NL = ord("{"), ord("\n")


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask, not the machine's count)."""
    return _cpus()


def plan(workers: int | None, gold: str | Path, predictions: str | Path) -> int:
    """How many worker processes to use; 1 means the serial path.

    Args:
        workers: ``None`` chooses: one per available CPU (at most :data:`MAX_WORKERS`) when
            there are two or more and both files together hold at least :data:`MIN_BYTES`,
            else 1.  A number is taken as given (at least 1), whatever the input size.
        gold: gold file (its size is read, nothing else).
        predictions: prediction file.
    """
    if workers is not None:
        return max(1, int(workers))
    cpus = available_cpus()
    if cpus < 2:
        return 1
    try:
        size = os.stat(gold).st_size + os.stat(predictions).st_size
    except OSError:
        return 1  # the serial path names the problem
    return min(cpus, MAX_WORKERS) if size >= MIN_BYTES else 1


@dataclass(frozen=True)
class _Chunk:
    """``size`` documents: gold bytes ``[g0, g1)`` and prediction bytes ``[p0, p1)``."""

    index: int
    line: int
    g0: int
    g1: int
    p0: int
    p1: int


def _boundaries(path: str, size: int) -> Iterator[tuple[int, int]]:
    """``(line index, byte offset)`` of lines 0, size, 2 size, ... then ``(lines, file size)``.

    Raises:
        NotLockstep: a line does not start with ``{`` (a blank line, say): the serial path
            decides what it means.
    """
    with open(path, "rb") as fh:
        pos = 0
        lines = 0
        at_start = True  # is ``pos`` the start of a line?
        while block := fh.read(_BLOCK):
            arr = np.frombuffer(block, dtype=np.uint8)
            starts = np.flatnonzero(arr == _NL) + 1
            starts = starts[starts < len(arr)]
            if at_start:
                starts = np.concatenate([[0], starts])
            check = starts
            if pos == 0 and block.startswith(_BOM):
                check = starts.copy()
                check[0] = len(_BOM)
            if len(check) and (check[-1] >= len(arr) or not (arr[check] == _BRACE).all()):
                raise NotLockstep
            at_start = block.endswith(b"\n")
            first = (-lines) % size  # first start in this block whose line index % size == 0
            for k in range(first, len(starts), size):
                yield lines + k, pos + int(starts[k])
            lines += len(starts)
            pos += len(block)
        yield lines, pos


def _chunks(gold: str, pred: str, size: int) -> Iterator[_Chunk]:
    """Pairs of byte ranges holding the same documents; :class:`NotLockstep` if none can."""
    prev: tuple[int, int, int] | None = None
    for a, b in zip_longest(_boundaries(gold, size), _boundaries(pred, size)):
        if a is None or b is None or a[0] != b[0]:
            raise NotLockstep  # not the same number of lines
        (i, go), (_, po) = a, b
        if prev is not None and i > prev[0]:
            yield _Chunk(prev[0], prev[0] + 1, prev[1], go, prev[2], po)
        prev = (i, go, po)


# -- worker side ---------------------------------------------------------------------------------
def _work(
    chunk: _Chunk, gpath: str, ppath: str, schema: Schema, layout: Layout, keep: int, run: str
) -> tuple[bool, Any]:
    """Count one chunk; ``(False, reason)`` if anything is not as the fast path assumes.

    The DocumentCounter (its label tables warm) is built once per worker and run
    (:func:`worker_cached`).
    """
    try:
        counter: DocumentCounter = worker_cached(
            ("counter", run), lambda: DocumentCounter(schema, layout, keep)
        )
        counter.reset(chunk.index)
        spans = ((chunk.g0, chunk.g1, chunk.line), (chunk.p0, chunk.p1, chunk.line))
        enabled = gc.isenabled()
        gc.disable()  # see collect_counts: Documents hold no cycles
        try:
            for gold, pred in lockstep(gpath, ppath, counter.decoder, CHUNK, spans):
                counter.add_block(gold, pred)
        finally:
            if enabled:
                gc.enable()
        rows = counter.finish()
        return True, (rows, counter.confusion, counter.take_heap(), counter.doc_ids)
    except NotLockstep:
        return False, "not in lockstep"
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"


# -- main side -----------------------------------------------------------------------------------
@dataclass
class Parallel:
    """What :func:`count_parallel` hands back: the same pieces the serial path produces."""

    rows: np.ndarray
    doc_ids: list[str]
    counter: DocumentCounter


def count_parallel(
    gold: str | Path, predictions: str | Path, schema: Schema, layout: Layout, *, keep: int,
    workers: int, cluster: Any = None,
) -> Parallel | None:  # fmt: skip
    """Count on a Dask cluster; ``None`` if the fast path does not apply (run serially).

    ``cluster``: an open ``distributed.Client`` or a ``--cluster`` value; default the local
    cluster of ``workers`` processes this process keeps (:func:`shared_local_client`: started
    once, reused by later calls, closed at exit).  Workers read the byte ranges of both files
    themselves (on a cluster of machines, the files must be on a shared file system).
    """
    g, p = os.path.abspath(gold), os.path.abspath(predictions)
    try:
        chunks = list(_chunks(g, p, BATCH))
    except NotLockstep:
        return None
    except OSError:
        return None  # the serial path names the problem
    if not chunks:
        return None
    counter = DocumentCounter(schema, layout, keep=keep)
    run = secrets.token_hex(8)
    try:
        results = map_pieces(
            _work, chunks, g, p, schema, layout, keep, run,
            cluster=cluster or shared_local_client(workers), description="score", progress=False,
        )  # fmt: skip
    except Exception:
        return None  # a worker that died for good: the serial path decides
    seen: set[str] = set()
    doc_ids: list[str] = []
    rows: list[np.ndarray] = []
    for ok, payload in results:
        if not ok:
            return None
        batch_rows, confusion, heap, ids = payload
        if seen.intersection(ids) or len(set(ids)) != len(ids):
            return None  # a duplicate id: the serial path names it
        seen.update(ids)
        doc_ids.extend(ids)
        rows.append(batch_rows)
        counter.confusion += confusion
        for item in heap:
            counter.offer(item)
    return Parallel(np.concatenate(rows), doc_ids, counter)
