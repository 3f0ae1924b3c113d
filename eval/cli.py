"""``backchannel score | compare | predict | train``: models against the gold."""

from __future__ import annotations

import typer

from backchannel.annotation.cli_common import not_available


def score_cli() -> None:
    """Score predictions against gold: spans, relations, stance, with bootstrap intervals."""
    not_available(7, "score")


def compare_cli() -> None:
    """Compare two systems on the same gold with paired significance tests."""
    not_available(7, "compare")


def predict_cli() -> None:
    """Run a baseline model over a corpus."""
    not_available(8, "predict")


def train_cli() -> None:
    """Train a baseline model from gold."""
    not_available(8, "train")


def register(app: typer.Typer) -> None:
    app.command("score")(score_cli)
    app.command("compare")(compare_cli)
    app.command("predict")(predict_cli)
    app.command("train")(train_cli)
