"""The ``backchannel`` command line: a thin shell over the library.

Each area registers its commands from its own module; this file only assembles them and runs
the app.  See :mod:`backchannel.cli.common` for how errors become messages.
"""

from __future__ import annotations

import sys

import typer

from backchannel import __version__
from backchannel.cli import corpus as cli_corpus
from backchannel.cli import evaluate as cli_eval
from backchannel.cli import export as cli_export
from backchannel.cli import gold as cli_gold
from backchannel.cli import schema as cli_schema
from backchannel.cli import serve as cli_serve
from backchannel.cli import studio as cli_studio
from backchannel.cli.common import BackchannelGroup

app = typer.Typer(
    name="backchannel",
    cls=BackchannelGroup,
    help="Gold datasets of who talks to whom: corpus, Label Studio, agreement, export, scoring.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"backchannel {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Gold datasets of who talks to whom: corpus, Label Studio, agreement, export, scoring."""


for module in (cli_corpus, cli_schema, cli_studio, cli_serve, cli_gold, cli_export, cli_eval):
    module.register(app)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    app(args=argv if argv is not None else sys.argv[1:], prog_name="backchannel")
