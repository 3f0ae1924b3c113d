"""``train``: fit a baseline on gold Documents and write a model directory.

Each trainable model writes its directory atomically (a half-trained model never appears under
the final name) with a ``meta.json`` saying what it was trained on; see docs/models.md for the
layout of each model's directory.

Example:
    >>> from backchannel.eval.train import train
    >>> result = train("stance", "corpora/diplomacy/gold.jsonl", "models/stance")  # doctest: +SKIP
    >>> result.examples  # doctest: +SKIP
    214
"""

from __future__ import annotations

from pathlib import Path

from backchannel.errors import ModelError
from backchannel.eval.models.registry import TrainOptions, TrainResult, load_model
from backchannel.schema import Schema, load_schema

__all__ = ["TrainOptions", "TrainResult", "train"]


def train(
    model_name: str,
    gold: str | Path,
    out_dir: str | Path,
    *,
    options: TrainOptions | None = None,
    schema: Schema | str | Path | None = None,
) -> TrainResult:
    """Train ``model_name`` on the gold JSONL file ``gold`` and write it to ``out_dir``.

    Raises:
        ModelError: unknown or untrainable model, an existing ``out_dir`` without
            ``overwrite``, or gold without the examples the model learns from.
        DocumentError: the gold file is malformed.
    """
    if not isinstance(schema, Schema):
        schema = load_schema(schema)
    options = options or TrainOptions()
    out = Path(out_dir)
    gold_path = Path(gold)
    if not gold_path.is_file():
        raise ModelError("no such gold file", path=gold_path)
    if out.exists() and not options.overwrite:
        raise ModelError(
            "output directory already exists", path=out, hint="pass --overwrite to replace it"
        )
    model = load_model(model_name, None, schema=schema)
    if not model.trainable:
        raise ModelError(
            f"the {model_name} model has no training step",
            hint="it predicts as it is; use backchannel predict",
        )
    return model.train(gold_path, out, options)
