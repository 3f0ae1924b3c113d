"""Documents (+ predictions) -> a Label Studio import file, for people who import by hand.

``backchannel tasks corpus.jsonl --predictions preds.jsonl -o tasks.json`` writes the JSON list
that the web UI's *Import* dialog accepts: one task per document, its data carrying the text, the
document id (so that ``push`` and ``pull`` recognise it later), ``meta`` and the schema version,
and each matching prediction as a pre-annotation with ``model_version`` and ``score``.  The
conversion itself lives in :mod:`backchannel.annotation.labelstudio.convert`; this module reads,
matches and writes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from backchannel.annotation.labelstudio.convert import document_to_task
from backchannel.atomic import atomic_write
from backchannel.documents import Document, read_documents
from backchannel.errors import InputError
from backchannel.schema import Schema

__all__ = [
    "TasksResult",
    "build_tasks",
    "corpus_for_predictions",
    "load_predictions",
    "require_some_match",
    "write_tasks",
]


@dataclass
class TasksResult:
    """What :func:`write_tasks` wrote."""

    tasks: int = 0
    predictions: int = 0
    unmatched_predictions: int = 0
    output: str = ""


def load_predictions(path: str | Path, schema: Schema | None = None) -> dict[str, list[Document]]:
    """Predicted Documents grouped by document id (several models may predict one document)."""
    out: dict[str, list[Document]] = {}
    for doc in read_documents(path, schema=schema):
        out.setdefault(doc.id, []).append(doc)
    return out


def require_some_match(
    preds: Mapping[str, Sequence[Document]],
    doc_ids: Collection[str],
    corpus: str | Path,
    predictions: str | Path | None,
) -> None:
    """Refuse predictions of which not one matches a document id of the corpus.

    That is a wrong file (predictions of another corpus), not a partial run: without this, the
    tasks would carry no pre-annotation at all and the command would still succeed.  Some
    unmatched predictions are only counted (the caller warns).

    Raises:
        InputError: predictions were given and none has the id of a corpus document.
    """
    if preds and not preds.keys() & set(doc_ids):
        raise InputError(
            f"none of its {sum(len(v) for v in preds.values())} predictions matches a "
            f"document of {corpus} (ids differ)",
            path=predictions,
            hint="predict from this corpus: backchannel predict CORPUS -o PREDICTIONS",
        )


def corpus_for_predictions(
    corpus: str | Path,
    preds: Mapping[str, Sequence[Document]],
    predictions: str | Path | None,
    schema: Schema | None = None,
) -> Iterable[Document]:
    """The corpus's Documents, after :func:`require_some_match`, before anything is sent.

    ``push`` must refuse a wrong predictions file before it connects or creates a project, so
    the corpus ids are read first: a file is read twice (the second time lazily, for the
    push), standard input once into memory.  Without predictions nothing is read ahead.
    """
    if not preds:
        return read_documents(corpus, schema=schema)
    if str(corpus) == "-":
        docs = list(read_documents(corpus, schema=schema))
        require_some_match(preds, {d.id for d in docs}, corpus, predictions)
        return docs
    ids = {d.id for d in read_documents(corpus, schema=schema)}
    require_some_match(preds, ids, corpus, predictions)
    return read_documents(corpus, schema=schema)


def build_tasks(
    docs: Iterator[Document] | Sequence[Document],
    predictions: Mapping[str, Sequence[Document]] | None = None,
    *,
    model_version: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Label Studio import tasks, one per document (a repeated id is kept once)."""
    predictions = predictions or {}
    seen: set[str] = set()
    for doc in docs:
        if doc.id in seen:
            continue
        seen.add(doc.id)
        yield document_to_task(doc, predictions.get(doc.id, ()), model_version)


def write_tasks(
    corpus: str | Path,
    output: str | Path,
    *,
    predictions: str | Path | None = None,
    schema: Schema | None = None,
    model_version: str | None = None,
) -> TasksResult:
    """Write the import JSON for ``corpus`` to ``output`` atomically.

    Raises:
        DocumentError: a bad corpus or predictions record (file, line, document, span).
        InputError: predictions were given and not one matches a document of the corpus (a
            wrong file; only some unmatched is counted in ``unmatched_predictions``).
        ConversionError: a prediction whose text differs from its document's.
    """
    preds = load_predictions(predictions, schema) if predictions is not None else {}
    result = TasksResult(output=str(output))
    used: set[str] = set()
    encoder = msgspec.json.Encoder()
    with atomic_write(output, "wb") as fh:
        fh.write(b"[")
        for task in build_tasks(
            read_documents(corpus, schema=schema), preds, model_version=model_version
        ):
            fh.write(b"\n  " if result.tasks == 0 else b",\n  ")
            fh.write(encoder.encode(task))
            result.tasks += 1
            result.predictions += len(task.get("predictions", ()))
            used.add(task["data"]["doc_id"])
        fh.write(b"\n]\n" if result.tasks else b"]\n")
        result.unmatched_predictions = sum(len(v) for k, v in preds.items() if k not in used)
        require_some_match(preds, used, corpus, predictions)  # inside the with: nothing written
    return result
