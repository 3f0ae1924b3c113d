"""``predict``: run a baseline over a corpus and write prediction Documents.

Streaming end to end: documents are read lazily, predicted in batches by the model, and written
through :func:`~backchannel.documents.write_documents` (atomic: an error half-way
leaves no partial file).  The output feeds ``backchannel score``, ``backchannel tasks
--predictions`` (Label Studio pre-annotations) and ``backchannel push --predictions``.

Example:
    >>> from backchannel.eval.predict import predict
    >>> result = predict("rules", "corpus.jsonl", "predictions.jsonl")  # doctest: +SKIP
    >>> result.documents, result.spans  # doctest: +SKIP
    (40, 1312)
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import msgspec

from backchannel.documents import Document, read_documents, write_documents
from backchannel.eval.models.base import LAYERS_KEY, declare_layers
from backchannel.eval.models.registry import Model, load_model
from backchannel.progress import track
from backchannel.schema import Schema, load_schema

__all__ = ["PredictResult", "declared", "predict", "predict_documents"]


class PredictResult(msgspec.Struct, kw_only=True):
    """What a prediction run wrote.

    Attributes:
        model: model name (the ``annotator`` of every output Document).
        model_version: the ``annotation.model_version`` written.
        output: the output path.
        documents: Documents written.
        spans: spans predicted, per label.
        relations: relations predicted, per label.
        seconds: wall-clock time.
        usage: what the model reports about its run, when it does (the ``llm`` model: requests,
            tokens, cache hits, grounding counts); empty otherwise.
    """

    model: str
    model_version: str
    output: str
    documents: int
    spans: dict[str, int]
    relations: dict[str, int]
    seconds: float
    usage: dict[str, Any] = {}

    @property
    def docs_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds > 0 else float("inf")


def declared(model: Model, preds: Iterable[Document]) -> Iterator[Document]:
    """``preds`` with ``meta.layers`` set where the model did not set it itself.

    Why: scoring leaves layers a model copied from its input out of the headline, so every
    prediction says what was predicted.  A model (a plug-in) that sets no ``meta.layers``
    declares the layers it copies in an optional ``given_layers`` attribute (default: none,
    everything predicted).
    """
    given = tuple(getattr(model, "given_layers", ()))
    for doc in preds:
        if LAYERS_KEY not in doc.meta:
            doc = msgspec.structs.replace(doc, meta=declare_layers(doc.meta, given))
        yield doc


def predict_documents(
    model_name: str,
    docs: Iterable[Document],
    *,
    model_dir: str | Path | None = None,
    schema: Schema | None = None,
) -> Iterator[Document]:
    """Prediction Documents for ``docs`` (lazy); the building block of :func:`predict`.

    This is also what ``backchannel tasks --predictions`` can call to pre-annotate in memory.
    """
    model = load_model(model_name, model_dir, schema=schema)
    yield from declared(model, model.predict(docs))


def predict(
    model_name: str,
    corpus: str | Path,
    output: str | Path,
    *,
    model_dir: str | Path | None = None,
    schema: Schema | str | Path | None = None,
    progress: bool = True,
    model_options: dict[str, Any] | None = None,
) -> PredictResult:
    """Pre-annotate every Document of ``corpus`` with ``model_name`` into ``output`` (JSONL).

    Args:
        model_name: a registered model (``rules``, ``spacy``, ``stance`` or a plug-in).
        corpus: Document JSONL (``-`` for stdin); existing spans are used by models that need
            candidates (``stance``) and otherwise ignored.
        output: where to write prediction Documents (``-`` for stdout).
        model_dir: trained model directory (``spacy``, ``stance``; optional word lists for
            ``rules``).
        schema: schema (object or path); default the bundled one.
        progress: show a progress bar on a terminal.
        model_options: model-specific keyword arguments (see :func:`load_model`).

    Raises:
        DocumentError: the corpus is malformed (file, line and document named).
        ModelError: unknown model or unusable model directory.
    """
    if not isinstance(schema, Schema):
        schema = load_schema(schema)
    started = time.perf_counter()
    model = load_model(model_name, model_dir, schema=schema, options=model_options)
    spans: dict[str, int] = {}
    relations: dict[str, int] = {}
    version = f"{model.name}-{model.version}"

    def counted(preds: Iterable[Document]) -> Iterator[Document]:
        nonlocal version
        for doc in preds:
            if doc.annotation is not None and doc.annotation.model_version:
                version = doc.annotation.model_version
            for s in doc.spans:
                spans[s.label] = spans.get(s.label, 0) + 1
            for r in doc.relations:
                relations[r.label] = relations.get(r.label, 0) + 1
            yield doc

    docs = read_documents(corpus)
    if progress:
        docs = track(docs, f"predict {model_name}")
    n = write_documents(counted(declared(model, model.predict(docs))), output)
    return PredictResult(
        model=model_name,
        model_version=version,
        output=str(output),
        documents=n,
        spans=dict(sorted(spans.items())),
        relations=dict(sorted(relations.items())),
        seconds=round(time.perf_counter() - started, 3),
        usage=dict(getattr(model, "usage", None) or {}),
    )


def predict_pieces(
    model_name: str,
    corpus: str | Path,
    output: str | Path,
    *,
    model_dir: str | Path | None = None,
    schema: Schema | str | Path | None = None,
    progress: bool = True,
    model_options: dict[str, Any] | None = None,
    cluster: Any = None,
    shard_bytes: int | None = None,
) -> PredictResult:
    """:func:`predict` over a file, folder or glob of shards, piece by piece.

    ``output`` is a file (the documents of the serial run, in input order), ``-``, or a
    ``FOLDER/`` of shards plus a manifest.  ``cluster``: None (in this process), a
    ``--cluster`` value or a Dask client; each worker loads the model once.
    """
    from backchannel.eval.cluster import load_cached, predict_sharded

    if not isinstance(schema, Schema):
        schema = load_schema(schema)
    started = time.perf_counter()
    if cluster is None:  # fail fast on a bad model before any work; the pieces reuse it
        load_cached(model_name, model_dir, schema, model_options)
    infos = predict_sharded(
        model_name, corpus, output, model_dir=model_dir, schema=schema, cluster=cluster,
        progress=progress, model_options=model_options, shard_bytes=shard_bytes,
    )  # fmt: skip
    spans: dict[str, int] = {}
    relations: dict[str, int] = {}
    version = f"{model_name}"
    for info in infos:
        for key, total in (("spans", spans), ("relations", relations)):
            for label, n in info.extra[key].items():
                total[label] = total.get(label, 0) + n
        if info.documents:
            version = info.extra["model_version"]
    return PredictResult(
        model=model_name,
        model_version=version,
        output=str(output),
        documents=sum(i.documents for i in infos),
        spans=dict(sorted(spans.items())),
        relations=dict(sorted(relations.items())),
        seconds=round(time.perf_counter() - started, 3),
    )
