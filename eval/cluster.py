"""``predict`` and ``score`` over sharded corpora, in-process or on a Dask cluster.

The engine is :mod:`backchannel.cluster` (client, task runner) over :mod:`backchannel.shards`
(discovery, pieces, atomic shards, manifest).  This module holds the two task functions:

* :func:`predict_piece` loads the model once per worker (:func:`worker_cached`, from the model
  name and directory, never a pickled pipeline), streams its piece through it and writes the
  prediction shard to disk, returning only counts;
* :func:`count_pair` counts one gold shard against its prediction shard with the serial
  scorer's code and returns the per-document count rows; the main process computes the metrics
  and the bootstrap, so a cluster run gives the serial report bit for bit.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from backchannel.cluster import worker_cached, write_sharded
from backchannel.documents import Document
from backchannel.errors import DocumentError, InputError
from backchannel.schema import Schema
from backchannel.shards import Piece, ShardInfo, discover, plan, read_piece, write_shard

__all__ = [
    "count_pair",
    "count_shards",
    "load_cached",
    "pair_shards",
    "predict_piece",
    "predict_sharded",
]

#: Test hook (seconds): a piece sleeps this long half-way through writing its shard, so a test
#: can kill the worker while it holds a half-written temporary.  Unset in real runs.
SLOW_ENV = "BACKCHANNEL_TEST_SLOW_PIECE"


def _from_row(schema: Schema) -> Any:
    from backchannel.annotation.export.rows import FromRow

    return FromRow(schema)


def load_cached(model_name: str, model_dir: str | Path | None, schema: Schema, options: Any) -> Any:
    """The model, loaded once per process (worker) for this name, directory and schema."""
    from backchannel.eval.models.registry import load_model

    if model_dir is not None:
        model_dir = str(Path(model_dir).resolve())
    key = ("model", model_name, model_dir, schema.name, schema.version, repr(options))
    return worker_cached(
        key, lambda: load_model(model_name, model_dir, schema=schema, options=options)
    )


def predict_piece(
    piece: Piece,
    folder: str,
    model_name: str,
    model_dir: str | None,
    schema: Schema,
    options: dict[str, Any] | None = None,
) -> ShardInfo:
    """Predict one piece into ``folder/piece.name``; the shard's counts come back."""
    from backchannel.eval.predict import declared

    model = load_cached(model_name, model_dir, schema, options)
    spans: dict[str, int] = {}
    relations: dict[str, int] = {}
    version = [f"{model.name}-{model.version}"]
    slow = float(os.environ.get(SLOW_ENV) or 0)

    def counted(preds: Iterator[Document]) -> Iterator[Document]:
        for n, doc in enumerate(preds):
            if slow and n == 1:
                time.sleep(slow)
            if doc.annotation is not None and doc.annotation.model_version:
                version[0] = doc.annotation.model_version
            for s in doc.spans:
                spans[s.label] = spans.get(s.label, 0) + 1
            for r in doc.relations:
                relations[r.label] = relations.get(r.label, 0) + 1
            yield doc

    docs = read_piece(piece, from_row=_from_row(schema))
    info = write_shard(
        counted(declared(model, model.predict(docs))), folder, piece.name, source=piece.path
    )
    info.extra.update(spans=spans, relations=relations, model_version=version[0])
    return info


def predict_sharded(
    model_name: str,
    corpus: str | Path,
    output: str | Path,
    *,
    model_dir: str | Path | None = None,
    schema: Schema,
    cluster: Any = None,
    progress: bool = True,
    model_options: dict[str, Any] | None = None,
    shard_bytes: int | None = None,
) -> list[ShardInfo]:
    """Pre-annotate a file, folder or glob piece by piece; ``output`` a file or ``FOLDER/``."""
    pieces = plan([corpus], **({"shard_bytes": shard_bytes} if shard_bytes else {}))
    meta = {"command": "predict", "model": model_name, "input": str(corpus)}
    return write_sharded(
        predict_piece,
        pieces,
        output,
        model_name,
        None if model_dir is None else str(Path(model_dir).resolve()),
        schema,
        model_options,
        cluster=cluster,
        description=f"predict {model_name}",
        progress=progress,
        meta=meta,
    )


# -- score ---------------------------------------------------------------------------------------
def pair_shards(gold: str | Path, predictions: str | Path) -> list[tuple[str, str]] | None:
    """Gold and prediction shards paired by name, or None when they do not pair up.

    Shards pair when both sides list the same names in the same order (relative to their
    folder, ``.jsonl`` suffix), as ``predict -o FOLDER/`` writes them from a gold folder.
    """
    g_files, p_files = discover(gold), discover(predictions)
    if len(g_files) != len(p_files):
        return None

    def names(source: str | Path, files: list[str]) -> list[str]:
        root = str(source) if os.path.isdir(str(source)) else None
        return [Path(os.path.relpath(f, root) if root else os.path.basename(f)).stem for f in files]

    if len(g_files) > 1 and names(gold, g_files) != names(predictions, p_files):
        return None
    if any(f.lower().endswith(".parquet") for f in [*g_files, *p_files]):
        return None
    return list(zip(g_files, p_files, strict=True))


def count_pair(
    pair: tuple[int, str, str],
    schema: Schema,
    layout: Any,
    keep: int,
    allow_missing: bool,
) -> tuple[np.ndarray, list[str], int, np.ndarray, list[Any]]:
    """Count one gold shard against its predictions, exactly as the serial path counts a file.

    Document indexes (the error browser's tie-break) are ``shard << 32 | position``: the same
    order as positions in the concatenated files, so the kept documents are the same.
    """
    from backchannel.eval.scoring.scorer import count_files

    k, gold, pred = pair
    enabled = gc.isenabled()
    gc.disable()  # Documents hold no cycles (see collect_counts)
    try:
        counter, rows, missing = count_files(
            gold, pred, schema, layout, keep, allow_missing, k << 32
        )
    finally:
        if enabled:
            gc.enable()
    return rows, counter.doc_ids, missing, counter.confusion, counter.take_heap()


def count_shards(
    pairs: list[tuple[str, str]],
    schema: Schema,
    layout: Any,
    *,
    keep: int,
    allow_missing: bool,
    cluster: Any = None,
    progress: bool = False,
) -> Any:
    """Count every shard pair (in-process or on ``cluster``) and merge into one ``Counts``."""
    from backchannel.cluster import map_pieces
    from backchannel.eval.scoring.counting import DocumentCounter
    from backchannel.eval.scoring.scorer import Counts

    items = [(k, g, p) for k, (g, p) in enumerate(pairs)]
    parts = map_pieces(
        count_pair, items, schema, layout, keep, allow_missing,
        cluster=cluster, description="score", progress=progress,
    )  # fmt: skip
    merged = DocumentCounter(schema, layout, keep=keep)
    rows, doc_ids, missing = [], [], 0
    seen: set[str] = set()
    for (_, gold, _), (part_rows, ids, part_missing, confusion, heap) in zip(
        items, parts, strict=True
    ):
        for doc_id in ids:
            if doc_id in seen:
                raise DocumentError("duplicate document id (in an earlier shard)", path=gold,
                                    doc_id=doc_id)  # fmt: skip
            seen.add(doc_id)
        rows.append(part_rows)
        doc_ids.extend(ids)
        missing += part_missing
        merged.confusion += confusion
        for item in heap:
            merged.offer(item)
    if not rows:
        raise InputError("no shards to score", path=pairs[0][0] if pairs else None)
    all_rows = np.concatenate(rows)
    return Counts(layout, all_rows, doc_ids, missing, merged.confusion, merged.browser())
