"""``data/<split>-<hash>.parquet`` for ``load_dataset`` and the ``save_to_disk`` copy beside it.

Both are written from the same batches of rows: pyarrow's ``ParquetWriter`` for the parquet
file (with the ``datasets.Features`` in its schema metadata), and
:class:`~backchannel.annotation.export.hf_disk.ArrowSplitWriter` for ``<split>/`` plus
``dataset_dict.json``, which are then opened with ``datasets.load_from_disk`` to prove they load.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backchannel.annotation.export.formats.base import Format, Target
from backchannel.annotation.export.hf_disk import (
    ArrowSplitWriter,
    check_load_from_disk,
    write_dataset_dict_json,
)

if TYPE_CHECKING:
    from backchannel.annotation.export.tokenize import BioResult
    from backchannel.documents import Document

__all__ = ["FORMAT", "ParquetWriter", "fingerprint_name"]


def fingerprint_name(path: Path, split: str) -> Path:
    """Rename ``<split>.parquet`` to ``<split>-<content hash>.parquet``; returns the new path.

    ``datasets.load_dataset(folder)`` caches by folder name and data file names, not by
    content (datasets 5.x): two exports to folders of the same name would share a cache
    entry and the second would load the first's rows.  A content hash in the file name
    gives every distinct export its own cache entry, and identical exports the same one.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    target = path.with_name(f"{split}-{digest.hexdigest()[:12]}.parquet")
    os.replace(path, target)
    return target


class _Split:
    """One split's pending rows, parquet writer and ``save_to_disk`` writer."""

    def __init__(self, target: Target, split: str) -> None:
        self.features = target.codec.features()
        self.path = target.root / "data" / f"{split}.parquet"
        self.arrow = ArrowSplitWriter(target.root, split, self.features)
        self.rows: list[dict[str, Any]] = []
        self.documents = 0
        self.parquet: Any = None

    def flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self.rows:
            return
        schema = self.features.arrow_schema
        table = pa.Table.from_pylist(self.rows, schema=schema)
        self.rows = []
        if self.parquet is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.parquet = pq.ParquetWriter(self.path, schema)
        self.parquet.write_table(table)
        self.arrow.write(table)


class ParquetWriter:
    """Dataset rows per split, in batches of ``batch_size``, to parquet and Arrow."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.splits: dict[str, _Split] = {}

    def add(self, split: str, doc: Document, bio: BioResult) -> None:
        part = self.splits.get(split)
        if part is None:
            part = self.splits[split] = _Split(self.target, split)
        part.rows.append(self.target.codec.to_row(doc, bio))
        part.documents += 1
        if len(part.rows) >= self.target.batch_size:
            part.flush()

    def close(self, splits: list[str]) -> dict[str, Any]:
        for part in self.splits.values():
            part.flush()
            if part.parquet is not None:
                part.parquet.close()
            part.arrow.close()
        files = {}
        for split in splits:
            path = fingerprint_name(self.splits[split].path, split)
            files[split] = f"data/{path.name}"
        write_dataset_dict_json(self.target.root, splits)
        check_load_from_disk(self.target.root, {s: self.splits[s].documents for s in splits})
        return {"files": files}


FORMAT = Format(name="parquet", open=ParquetWriter)
