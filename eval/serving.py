"""A registered model as an ML backend predictor and trainer (for ``backchannel serve``).

The backend (:mod:`backchannel.annotation.labelstudio.backend`) sees only the small
:class:`~backchannel.annotation.labelstudio.training.Predictor` protocol, because ``annotation``
never imports ``eval``; this module adapts any model of the registry (rules, spacy, stance,
llm, plug-ins) to it, with exactly the predictions ``backchannel predict`` writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from backchannel.documents import Document
from backchannel.eval.models.registry import Model, TrainOptions, load_model
from backchannel.eval.predict import declared
from backchannel.eval.train import train
from backchannel.schema import Schema

__all__ = ["RegistryPredictor", "loader_for", "trainer_for"]


class RegistryPredictor:
    """A loaded registry model; ``model_version`` is what its predictions carry."""

    def __init__(
        self,
        name: str,
        model_dir: str | Path | None,
        schema: Schema,
        options: dict[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.model: Model = load_model(name, model_dir, schema=schema, options=options)
        self.model_version = f"{self.model.name}-{self.model.version}"
        self.trainable = bool(self.model.trainable)

    def predict(self, docs: Sequence[Document]) -> list[Document]:
        """The same prediction Documents as ``backchannel predict`` for these inputs."""
        return list(declared(self.model, self.model.predict(docs)))


def loader_for(name: str, schema: Schema) -> Any:
    """A function loading a model directory of ``name`` as a predictor."""

    def load(model_dir: Path) -> RegistryPredictor:
        return RegistryPredictor(name, model_dir, schema)

    return load


def trainer_for(name: str, schema: Schema, options: TrainOptions | None = None) -> Any:
    """A function training ``name`` on a gold file into a new directory and loading it."""
    options = options or TrainOptions(progress=False)

    def run(gold: Path, out_dir: Path) -> RegistryPredictor:
        train(name, gold, out_dir, options=options, schema=schema)
        return RegistryPredictor(name, out_dir, schema)

    return run


def build_service(
    name: str,
    *,
    model_dir: str | Path | None,
    work_dir: str | Path,
    schema: Schema,
    retrain_every: int = 10,
    epochs: int | None = None,
    base_gold: str | Path | None = None,
) -> Any:
    """The :class:`~backchannel.annotation.labelstudio.training.ModelService` for a model.

    A trainable model learns from the annotations the backend receives; its new versions go to
    ``work_dir/models/vNNNN`` and, after a restart, the newest one is served again.
    """
    from backchannel.annotation.labelstudio.training import ModelService

    predictor = RegistryPredictor(name, model_dir, schema)
    trainable = predictor.trainable
    return ModelService(
        predictor,
        work_dir,
        trainer=trainer_for(name, schema, TrainOptions(progress=False, epochs=epochs))
        if trainable
        else None,
        loader=loader_for(name, schema) if trainable and model_dir is None else None,
        retrain_every=retrain_every,
        base_gold=base_gold,
    )
