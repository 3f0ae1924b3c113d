"""``backchannel ingest``: articles in, a normalised Document corpus out."""

from __future__ import annotations

from typing import Annotated

import typer

from backchannel.annotation.cli_common import OutputOpt, not_available


def ingest_cli(
    sources: Annotated[
        list[str], typer.Argument(help="Files, folders or globs: .txt, .html, .jsonl.")
    ],
    output: OutputOpt = "-",
) -> None:
    """Extract, normalise (NFC, newlines), id and de-duplicate articles into Document JSONL."""
    not_available(3, "ingest")


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest_cli)
