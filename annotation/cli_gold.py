"""``backchannel agree | adjudicate | review | gold``: from many annotations to one gold."""

from __future__ import annotations

import typer

from backchannel.annotation.cli_common import not_available

review_app = typer.Typer(help="Send disagreements to an adjudicator in Label Studio and back.")
gold_app = typer.Typer(help="Inspect immutable gold versions.")


def agree_cli() -> None:
    """Inter-annotator agreement with confidence intervals and a disagreement list."""
    not_available(5, "agree")


def adjudicate_cli() -> None:
    """Majority gold with provenance, plus a review list; writes a new gold version."""
    not_available(5, "adjudicate")


@review_app.command("push")
def review_push_cli() -> None:
    """Push the review list to a Label Studio review project."""
    not_available(5, "review push")


@review_app.command("pull")
def review_pull_cli() -> None:
    """Merge the adjudicator's decisions into the next gold version."""
    not_available(5, "review pull")


@gold_app.command("diff")
def gold_diff_cli() -> None:
    """What changed between two gold versions."""
    not_available(5, "gold diff")


def register(app: typer.Typer) -> None:
    app.command("agree")(agree_cli)
    app.command("adjudicate")(adjudicate_cli)
    app.add_typer(review_app, name="review")
    app.add_typer(gold_app, name="gold")
