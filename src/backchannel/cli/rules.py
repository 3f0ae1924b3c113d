"""The ``--model rules`` options of ``backchannel predict``.

Kept apart from :mod:`backchannel.cli.evaluate` (as :mod:`backchannel.cli.llm` is) so the
generic ``predict`` command stays short.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from backchannel.errors import InputError

PANEL = "Rules model (--model rules)"

BaseOpt = Annotated[
    str | None,
    typer.Option(
        "--base",
        help="An installed pretrained spaCy pipeline (package name or directory, e.g. "
        "en_core_web_sm) whose PERSON, ORG, GPE and NORP entities the rules use as extra "
        "evidence. Nothing is downloaded.",
        rich_help_panel=PANEL,
        show_default=False,
    ),
]


def rules_options(model: str, base: str | None) -> dict[str, Any] | None:
    """The rules model's keyword arguments, or None; ``--base`` with another model is refused."""
    if base is None:
        return None
    if model != "rules":
        raise InputError("--base applies to --model rules only")
    return {"base": base}
