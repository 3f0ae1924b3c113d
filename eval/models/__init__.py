"""Baseline extractors: ``rules`` (spaCy matchers), ``spacy`` (spancat), ``stance`` (sklearn).

Models are looked up by name through :mod:`backchannel.eval.models.registry`; see
``docs/models.md`` for each model and for adding your own.
"""

from backchannel.eval.models.registry import (
    BUILTIN_MODELS,
    ENTRY_POINT_GROUP,
    Model,
    ModelError,
    TrainOptions,
    TrainResult,
    available_models,
    load_model,
    register_model,
)

__all__ = [
    "BUILTIN_MODELS",
    "ENTRY_POINT_GROUP",
    "Model",
    "ModelError",
    "TrainOptions",
    "TrainResult",
    "available_models",
    "load_model",
    "register_model",
]
