"""``backchannel tasks | push | pull | studio``: the Label Studio round trip."""

from __future__ import annotations

import typer

from backchannel.annotation.cli_common import not_available

studio_app = typer.Typer(help="Run a local Label Studio: up, down, status.")


@studio_app.command("up")
def studio_up_cli() -> None:
    """Start a local Label Studio on 127.0.0.1 with a known admin and token."""
    not_available(11, "studio up")


@studio_app.command("down")
def studio_down_cli() -> None:
    """Stop the local Label Studio."""
    not_available(11, "studio down")


@studio_app.command("status")
def studio_status_cli() -> None:
    """Show whether the local Label Studio is running, and where."""
    not_available(11, "studio status")


def tasks_cli() -> None:
    """Write Label Studio import JSON for a corpus, with optional pre-annotations."""
    not_available(11, "tasks")


def push_cli() -> None:
    """Import a corpus into a Label Studio project, idempotently, in batches."""
    not_available(11, "push")


def pull_cli() -> None:
    """Pull every annotation of every annotator back as Documents."""
    not_available(11, "pull")


def register(app: typer.Typer) -> None:
    app.command("tasks")(tasks_cli)
    app.command("push")(push_cli)
    app.command("pull")(pull_cli)
    app.add_typer(studio_app, name="studio")
