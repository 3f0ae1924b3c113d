"""The model registry: a name gives a baseline that pre-annotates Documents.

A model is anything with the :class:`Model` protocol: ``predict(docs)`` turns input Documents into
prediction Documents (with ``score`` and ``reason`` on spans and relations, ``annotator`` set to
the model name and ``annotation.model_version`` set), and ``train(gold_path, out_dir)`` writes a
model directory when the model learns from gold.

Every prediction Document declares in ``meta.layers`` which layers (spans, relations, stance,
doc_labels) the model predicted and which it copied from its input (see
:func:`backchannel.eval.models.base.declare_layers`).  The built-ins set it themselves; for a
model that does not, ``predict`` sets it from the model's optional ``given_layers`` attribute
(default: nothing given, everything predicted).

Names resolve in this order:

1. models registered at run time with :func:`register_model` (tests, notebooks);
2. the built-ins below (``rules``, ``spacy``, ``stance``, ``llm``);
3. the ``backchannel.models`` entry point group, so a separately installed package adds its own
   model without touching this code::

       # in the plug-in's pyproject.toml
       [project.entry-points."backchannel.models"]
       mymodel = "my_package.model:MyModel"

A registered object is a *factory*: a callable ``factory(model_dir, *, schema)`` returning a
Model (a class whose ``__init__`` has that signature is the usual case).  ``model_dir`` is
``None`` when the user gave no ``--model-dir``: a model that needs trained weights then raises
:class:`ModelError` with a hint to train first.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import msgspec

from backchannel.errors import ModelError, quote

if TYPE_CHECKING:
    from backchannel.documents import Document
    from backchannel.schema import Schema

__all__ = [
    "BUILTIN_MODELS",
    "ENTRY_POINT_GROUP",
    "Model",
    "ModelError",
    "ModelFactory",
    "TrainOptions",
    "TrainResult",
    "available_models",
    "load_model",
    "register_model",
]

ENTRY_POINT_GROUP = "backchannel.models"

#: Built-in models, imported lazily so that ``backchannel --help`` never loads spaCy or sklearn.
BUILTIN_MODELS: dict[str, str] = {
    "rules": "backchannel.eval.models.rules:RulesModel",
    "spacy": "backchannel.eval.models.ner:SpacyModel",
    "stance": "backchannel.eval.models.stance:StanceModel",
    "llm": "backchannel.eval.models.llm.model:LLMModel",
}


class TrainOptions(msgspec.Struct, kw_only=True, frozen=True):
    """Knobs shared by the trainable models; each model ignores what does not apply to it.

    Attributes:
        seed: random seed; the same gold and seed give the same model.
        epochs: passes over the gold (``None``: the model's default).
        base: an installed spaCy pipeline to start from (``spacy`` model only).
        progress: show a progress bar on stderr when it is a terminal.
        overwrite: replace an existing output directory.
    """

    seed: int = 0
    epochs: int | None = None
    base: str | None = None
    progress: bool = True
    overwrite: bool = False


class TrainResult(msgspec.Struct, kw_only=True):
    """What training produced, for the CLI to print and for benchmarks to record.

    Attributes:
        model: the model name.
        version: the ``model_version`` predictions from this directory will carry.
        out_dir: where the model was written.
        documents: gold documents read.
        examples: training examples derived from them (spans, or holder-target pairs).
        seconds: wall-clock training time.
        metrics: model-specific figures (final loss, training-set accuracy, label counts).
    """

    model: str
    version: str
    out_dir: str
    documents: int
    examples: int
    seconds: float
    metrics: dict[str, float] = {}


@runtime_checkable
class Model(Protocol):
    """What ``backchannel predict`` and ``backchannel train`` need from a model."""

    name: str
    version: str
    trainable: bool

    def predict(self, docs: Iterable[Document]) -> Iterator[Document]:
        """Yield one prediction Document per input Document, lazily and in order."""
        ...

    def train(
        self, gold_path: Path, out_dir: Path, options: TrainOptions | None = None
    ) -> TrainResult:
        """Learn from a gold JSONL file and write a model directory (atomically)."""
        ...


ModelFactory = Callable[..., Model]

_RUNTIME: dict[str, ModelFactory] = {}


def register_model(name: str, factory: ModelFactory) -> None:
    """Make ``factory`` available under ``name`` for this process (takes precedence).

    Example:
        >>> register_model("mine", MyModel)  # doctest: +SKIP
        >>> load_model("mine")  # doctest: +SKIP
    """
    _RUNTIME[name] = factory


def _entry_point_factories() -> dict[str, object]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def available_models() -> list[str]:
    """Every model name that :func:`load_model` accepts, sorted."""
    names = set(_RUNTIME) | set(BUILTIN_MODELS) | set(_entry_point_factories())
    return sorted(names)


def _import(target: str) -> ModelFactory:
    module_name, _, attr = target.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attr)


def _resolve(name: str) -> ModelFactory:
    if name in _RUNTIME:
        return _RUNTIME[name]
    if name in BUILTIN_MODELS:
        return _import(BUILTIN_MODELS[name])
    eps = _entry_point_factories()
    if name in eps:
        try:
            return eps[name].load()  # type: ignore[attr-defined]
        except Exception as exc:  # a broken plug-in must not look like our bug
            raise ModelError(
                f"model {quote(name)} from entry point group {ENTRY_POINT_GROUP} failed to "
                f"load: {type(exc).__name__}: {exc}"
            ) from exc
    raise ModelError(
        f"unknown model {quote(name)}",
        hint=f"available: {', '.join(available_models())}",
    )


def load_model(
    name: str,
    model_dir: str | Path | None = None,
    *,
    schema: Schema | None = None,
    options: dict[str, Any] | None = None,
) -> Model:
    """Build the model called ``name``, loading trained weights from ``model_dir`` if given.

    ``options`` are model-specific keyword arguments for the factory (the ``llm`` model's
    endpoint, model name, examples...); they are passed only when given, so factories that
    take none keep working.

    Raises:
        ModelError: unknown name, missing or unreadable model directory, or a factory that
            does not return a :class:`Model`.
    """
    from backchannel.schema import load_schema

    factory = _resolve(name)
    if model_dir is not None:
        model_dir = Path(model_dir)
        if not model_dir.is_dir():
            raise ModelError(
                "no such model directory",
                path=model_dir,
                hint=f"train one with: backchannel train --model {name} GOLD -o {model_dir}",
            )
    model = factory(
        model_dir, schema=schema if schema is not None else load_schema(), **(options or {})
    )
    if not isinstance(model, Model):
        raise ModelError(
            f"model {quote(name)} does not implement the Model protocol "
            "(name, version, trainable, predict, train)"
        )
    return model
