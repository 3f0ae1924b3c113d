"""``backchannel export | events | publish``: the gold where people load it."""

from __future__ import annotations

import typer

from backchannel.annotation.cli_common import not_available


def export_cli() -> None:
    """Export gold to a Hugging Face DatasetDict, parquet, JSONL and spaCy DocBin, with a card."""
    not_available(6, "export")


def events_cli() -> None:
    """The who-talks-to-whom event table (CAMEO/PLOVER codes) and its graph."""
    not_available(6, "events")


def publish_cli() -> None:
    """Publish an exported dataset to the Hugging Face Hub (dry run unless --yes)."""
    not_available(6, "publish")


def register(app: typer.Typer) -> None:
    app.command("export")(export_cli)
    app.command("events")(events_cli)
    app.command("publish")(publish_cli)
