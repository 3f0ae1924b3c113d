"""What every trainable model does around its own fitting, written once.

A trained model is a directory: the model's own files plus ``meta.json`` (the model's name,
version and how it was made, including the SHA-256 of the gold it learnt from).  The directory
appears whole or not at all (:func:`backchannel.atomic.atomic_directory`), ``meta.json`` is
checked when it is loaded back, and training ends with one :class:`TrainResult`.  The spaCy and
stance models differ only in how they fit; this module is the rest.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from backchannel.atomic import atomic_directory
from backchannel.errors import ModelError
from backchannel.eval.models.registry import TrainResult

__all__ = ["TrainingRun", "gold_sha256", "read_meta"]


def gold_sha256(path: Path) -> str:
    """SHA-256 of a gold file, read in 1 MiB blocks (the model's version starts with it)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_meta(model_dir: Path, name: str) -> dict[str, Any]:
    """The ``meta.json`` of a ``name`` model directory, or a :class:`ModelError` saying why not."""
    path = Path(model_dir) / "meta.json"
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(
            f"not a {name} model directory (no meta.json)",
            path=model_dir,
            hint=f"train one with: backchannel train --model {name} GOLD -o DIR",
        ) from None
    except json.JSONDecodeError as exc:
        raise ModelError(f"corrupt meta.json: {exc}", path=path) from None
    if meta.get("model") != name:
        raise ModelError(
            f"directory holds a {meta.get('model')!r} model, not {name}", path=model_dir
        )
    return meta


class TrainingRun:
    """One training: its clock, the gold's fingerprint, the directory and the result.

    Example:
        >>> run = TrainingRun("stance", gold_path)  # doctest: +SKIP
        >>> with run.directory(out_dir, meta, overwrite=False) as tmp:  # doctest: +SKIP
        ...     joblib.dump(pipeline, tmp / "model.joblib")
    """

    def __init__(self, name: str, gold_path: Path) -> None:
        self.name = name
        self.started = time.perf_counter()
        self.gold_sha256 = gold_sha256(gold_path)

    def version(self, *parts: str) -> str:
        """``<first 8 hex digits of the gold's hash>-<parts...>``: the same gold, same version."""
        return "-".join([self.gold_sha256[:8], *parts])

    @contextmanager
    def directory(self, out_dir: Path, meta: dict[str, Any], *, overwrite: bool) -> Iterator[Path]:
        """Yield a temporary directory for the model's files; ``meta.json`` is written last."""
        with atomic_directory(out_dir, overwrite=overwrite) as tmp:
            yield tmp
            (tmp / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")

    def result(
        self,
        version: str,
        out_dir: Path,
        *,
        documents: int,
        examples: int,
        metrics: dict[str, float],
    ) -> TrainResult:
        """The :class:`TrainResult` of this run, timed from its start."""
        return TrainResult(
            model=self.name,
            version=version,
            out_dir=str(out_dir),
            documents=documents,
            examples=examples,
            seconds=round(time.perf_counter() - self.started, 3),
            metrics=metrics,
        )
