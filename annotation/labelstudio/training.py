"""The model an ML backend serves, and how it learns from annotations without stopping.

- :class:`Predictor` is what the backend needs from a model: a version and ``predict``.  The
  annotation side never imports ``eval``; the command line wires a registered model in
  (:mod:`backchannel.eval.serving`).
- :class:`ModelService` holds the served predictor, the **training set** (one Document per
  Label Studio annotation id, kept in ``WORK_DIR/annotations.jsonl`` so a restart loses
  nothing) and the retraining thread.

Retraining: after every ``retrain_every`` new or changed annotations, or on request (Label
Studio's "start training"), the training set is snapshotted to ``WORK_DIR/training/vNNNN.jsonl``
and a background thread trains into ``WORK_DIR/models/vNNNN/`` (the model writes it atomically).
Only when the new directory loads is the served predictor replaced, by one reference swap under a
lock: a request that started before the swap finishes with the model it started with, and no
request ever waits for training or sees a half-loaded model.  A failed training keeps the old
model, logs why, and shows the reason in ``/health``.  ``WORK_DIR/models/current`` names the
directory served, so a restarted backend serves its newest model again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from backchannel.atomic import atomic_write
from backchannel.documents import Document, read_documents, write_documents
from backchannel.errors import BackchannelError

__all__ = ["ModelService", "Predictor", "Trainer", "TrainingStatus"]

log = logging.getLogger("backchannel.serve")

ANNOTATION_KEY = "ls_annotation"
CURRENT_FILE = "current"


class Predictor(Protocol):
    """A loaded model as the backend uses it."""

    model_version: str

    def predict(self, docs: Sequence[Document]) -> list[Document]:
        """One prediction Document per input Document, in order."""
        ...


#: Trains on a gold JSONL file into a new directory and returns the model loaded from it.
Trainer = Callable[[Path, Path], Predictor]
#: Loads a predictor from a model directory written earlier by the trainer.
Loader = Callable[[Path], Predictor]


@dataclass
class TrainingStatus:
    """What ``/health`` reports about learning."""

    trainable: bool
    annotations: int = 0
    pending: int = 0
    running: bool = False
    trainings: int = 0
    failures: int = 0
    last_version: str | None = None
    last_error: str | None = None
    last_seconds: float | None = None
    model_dir: str | None = None


class ModelService:
    """The served predictor, the training set from webhooks, and background retraining.

    Args:
        predictor: the model to serve first.
        work_dir: where the training set, the snapshots and the versioned model dirs live.
        trainer: trains a new model, or None for a model with no training step (``rules``).
        loader: loads a model dir written by ``trainer`` (to resume after a restart).
        retrain_every: new or changed annotations that start a retraining (0: only on request).
        base_gold: gold Documents every retraining starts from (the annotations received
            replace a base document with the same document id).
    """

    def __init__(
        self,
        predictor: Predictor,
        work_dir: str | Path,
        *,
        trainer: Trainer | None = None,
        loader: Loader | None = None,
        retrain_every: int = 10,
        base_gold: str | Path | None = None,
    ) -> None:
        self.base_gold = Path(base_gold) if base_gold is not None else None
        self.work_dir = Path(work_dir)
        self.models_dir = self.work_dir / "models"
        self.snapshots_dir = self.work_dir / "training"
        self.annotations_path = self.work_dir / "annotations.jsonl"
        self._trainer = trainer
        self._retrain_every = max(0, retrain_every)
        self._lock = threading.Lock()
        self._predictor = predictor
        self._docs: dict[str, Document] = {}
        self._thread: threading.Thread | None = None
        self.status = TrainingStatus(trainable=trainer is not None)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self._load_training_set()
        if loader is not None:
            self._resume(loader)

    # -- serving --------------------------------------------------------------------------------
    @property
    def predictor(self) -> Predictor:
        """The model to use for one request (a request keeps it even if a swap follows)."""
        with self._lock:
            return self._predictor

    @property
    def model_version(self) -> str:
        return self.predictor.model_version

    def swap(self, predictor: Predictor, model_dir: Path | None = None) -> None:
        """Serve ``predictor`` from now on (one reference swap; requests never fail)."""
        with self._lock:
            old = self._predictor.model_version
            self._predictor = predictor
            if model_dir is not None:
                self.status.model_dir = str(model_dir)
        log.info("now serving %s (was %s)", predictor.model_version, old)

    def _resume(self, loader: Loader) -> None:
        current = self.models_dir / CURRENT_FILE
        if not current.is_file():
            return
        model_dir = self.models_dir / current.read_text(encoding="utf-8").strip()
        try:
            self.swap(loader(model_dir), model_dir)
        except (BackchannelError, OSError) as exc:
            log.warning("cannot resume %s (%s); serving the initial model", model_dir, exc)

    # -- the training set -----------------------------------------------------------------------
    def _load_training_set(self) -> None:
        if not self.annotations_path.is_file():
            return
        for doc in read_documents(self.annotations_path, validate=False):
            key = doc.source_ids.get(ANNOTATION_KEY)
            if key is not None:
                self._docs[str(key)] = doc
        self.status.annotations = len(self._docs)

    def _save_training_set(self) -> None:
        write_documents(list(self._docs.values()), self.annotations_path)

    def add(self, annotation_id: Any, doc: Document) -> bool:
        """Add or replace the Document of one annotation; True when this started a retraining."""
        with self._lock:
            self._docs[str(annotation_id)] = doc
            self.status.annotations = len(self._docs)
            self.status.pending += 1
            self._save_training_set()
            due = self._retrain_every > 0 and self.status.pending >= self._retrain_every
        return self.start_training("every", quiet=True) == "started" if due else False

    def remove(self, annotation_ids: Iterable[Any]) -> int:
        """Drop deleted (or cancelled) annotations; returns how many were in the set."""
        with self._lock:
            gone = [str(a) for a in annotation_ids if str(a) in self._docs]
            for key in gone:
                del self._docs[key]
            if gone:
                self.status.annotations = len(self._docs)
                self.status.pending += len(gone)
                self._save_training_set()
        return len(gone)

    # -- training -------------------------------------------------------------------------------
    def start_training(self, reason: str = "request", *, quiet: bool = False) -> str:
        """Start a background retraining; returns ``started``, ``running``, ``not trainable``
        or ``no annotations``."""
        with self._lock:
            if self._trainer is None:
                return "not trainable"
            if self._thread is not None and self._thread.is_alive():
                return "running"
            if not self._docs:
                return "no annotations"
            docs = list(self._docs.values())
            self.status.pending = 0
            self.status.running = True
            thread = threading.Thread(
                target=self._train, args=(docs, reason), name="backchannel-retrain", daemon=True
            )
            self._thread = thread
        if not quiet:
            log.info("training requested (%s)", reason)
        thread.start()
        return "started"

    def _next_version(self) -> str:
        names = [p.name for p in self.models_dir.iterdir()] if self.models_dir.is_dir() else []
        names += [p.stem for p in self._snapshots()]
        taken = [int(n[1:5]) for n in names if n[:1] == "v" and n[1:5].isdigit()]
        return f"v{max(taken, default=0) + 1:04d}"

    def _snapshots(self) -> list[Path]:
        return list(self.snapshots_dir.glob("v*.jsonl")) if self.snapshots_dir.is_dir() else []

    def _train(self, docs: list[Document], reason: str) -> None:
        assert self._trainer is not None
        started = time.perf_counter()
        name = self._next_version()
        gold = self.snapshots_dir / f"{name}.jsonl"
        out = self.models_dir / name
        try:
            if self.base_gold is not None:
                merged = {d.id: d for d in read_documents(self.base_gold)}
                merged.update((d.id, d) for d in docs)
                docs = list(merged.values())
            self.snapshots_dir.mkdir(parents=True, exist_ok=True)
            write_documents(docs, gold)
            log.info("training %s on %d annotated documents (%s)", name, len(docs), reason)
            predictor = self._trainer(gold, out)
        except Exception as exc:  # a failed training must never take the backend down
            seconds = time.perf_counter() - started
            message = exc.one_line() if isinstance(exc, BackchannelError) else repr(exc)
            with self._lock:
                self.status.running = False
                self.status.failures += 1
                self.status.last_error = f"{name}: {message}"
                self.status.last_seconds = round(seconds, 3)
            log.error(
                "training %s failed after %.1f s: %s; still serving %s",
                name,
                seconds,
                message,
                self.model_version,
            )
            return
        self.swap(predictor, out)
        with atomic_write(self.models_dir / CURRENT_FILE) as fh:
            fh.write(name + "\n")
        with self._lock:
            self.status.running = False
            self.status.trainings += 1
            self.status.last_version = predictor.model_version
            self.status.last_error = None
            self.status.last_seconds = round(time.perf_counter() - started, 3)
            again = self._retrain_every > 0 and self.status.pending >= self._retrain_every
        log.info("trained %s in %.1f s", name, self.status.last_seconds)
        if again:
            self.start_training("every")

    def wait(self, timeout: float = 60.0) -> bool:
        """Wait for a running training to end (tests, shutdown); True when none runs."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True
