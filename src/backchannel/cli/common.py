"""What every command module shares: the error-to-message boundary and common options.

Commands are registered by small modules, one per area (corpus, schema, Label Studio, gold,
export, eval), each exposing ``register(app)``.  The root group below is the one place where a
:class:`BackchannelError` becomes a one-line message and an exit code, so no command needs its
own try/except and no traceback (with its locals, which could hold a token) ever reaches a user.
Heavy libraries (datasets, spaCy, scikit-learn, label-studio-sdk, matplotlib) are imported inside
command functions so that ``backchannel --help`` stays instant.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperArgument, TyperGroup

from backchannel.errors import BackchannelError, NotAvailableError

try:  # typer >= 0.20 vendors its own click; older releases use click itself
    from typer import _click as _clicklib
except ImportError:  # pragma: no cover - depends on the installed typer
    import click as _clicklib


def error_line(exc: BackchannelError) -> str:
    return f"error: {exc.one_line()}"


# Import names whose pip distribution is spelled differently.
_DISTRIBUTIONS = {
    "sklearn": "scikit-learn",
    "yaml": "pyyaml",
    "label_studio_sdk": "label-studio-sdk",
    "huggingface_hub": "huggingface_hub",
    "lxml_html_clean": "lxml_html_clean",
}


def missing_module_line(exc: ImportError) -> str:
    """One ``error:`` line for a library that is not installed (or fails to import).

    Every dependency is declared in pyproject.toml, so this happens only when an install went
    wrong (an old pip resolving extras differently, a package removed by hand); the line names
    what to install instead of showing the import chain's traceback.
    """
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        top = exc.name.split(".")[0]
        dist = _DISTRIBUTIONS.get(top, top)
        return (
            f"error: the Python module {top!r} is not installed: run `pip install {dist}` in "
            "backchannel's environment (or reinstall it: pip install -e '.[dev]')"
        )
    detail = " ".join(str(exc).split()) or type(exc).__name__
    return (
        f"error: a library backchannel needs cannot be imported: {detail} "
        "(install what it names in backchannel's environment)"
    )


def _labels_spread(message: str, args: Sequence[str] | None) -> bool:
    """Did the user write ``--labels A B``?  (An option takes one value: B is left over.)"""
    argv = list(args) if args is not None else sys.argv[1:]
    given = any(a == "--labels" or a.startswith("--labels=") for a in argv)
    return given and message.startswith("Got unexpected extra argument")


_PATH_METAVARS = {"file": "FILE", "dir": "DIRECTORY", "path": "PATH"}
_NUMBER_METAVARS = {int: "INTEGER", float: "FLOAT"}


def click_metavar(param: Any) -> str:
    """The value placeholder click itself would print: TEXT, INTEGER, FILE, ``[a|b]``.

    typer 0.29 shows Python types instead (``<str>``, ``<list[str]>``, ``<float range>``);
    help reads like git's or spaCy's with click's words.  A list option is repeated, so its
    placeholder is the element's.
    """
    desc = param.type_descriptor
    if desc.is_choice:
        values = [getattr(c, "value", c) for c in desc.choices or ()]
        return "[" + "|".join(str(v) for v in values) + "]"
    if desc.is_path:
        return _PATH_METAVARS.get(desc.path_type, "PATH")
    annotation = desc.annotation
    if desc.is_list:
        (annotation,) = getattr(annotation, "__args__", (str,))
    return _NUMBER_METAVARS.get(annotation, "TEXT")


class _PlainArgument(TyperArgument):
    """An argument as click prints it: ``SRC...`` in usage, no type after its name in help."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _rich_display_name(self) -> str:
        return (self.metavar or self.name or "").upper()

    def _usage_display_name(self) -> str:
        name = self._rich_display_name()
        name = name if self.required else f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")


def plain_help(command: Any) -> None:
    """Give ``command`` and everything under it click's plain help, once, at construction.

    typer's rich renderer (the default when rich is installed) tags every parameter with a
    Python type (even flags and ``--help``), cuts long option help with ``…`` at 80 columns and
    keeps single line breaks of docstrings; click's formatter does none of that.
    """
    command.rich_markup_mode = None
    for param in command.params:
        if isinstance(param, TyperArgument):
            param.__class__ = _PlainArgument  # same object, click's rendering of it
        elif param.metavar is None and not (
            getattr(param, "is_flag", False) or getattr(param, "count", False)
        ):
            param.metavar = click_metavar(param)
    for sub in (getattr(command, "commands", None) or {}).values():
        plain_help(sub)


class BackchannelGroup(TyperGroup):
    """Root group: turns library errors into one line on stderr and a non-zero exit.

    Usage errors (a missing argument, an unknown option or command) get the same treatment
    instead of typer's multi-line box, so every failure a user sees is one ``error:`` line.
    Help is click's plain layout (see :func:`plain_help`), set once for the whole tree here.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_help(self)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, False, **extra)
        except _clicklib.exceptions.ClickException as exc:
            ctx = getattr(exc, "ctx", None)
            if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
                typer.echo(ctx.get_help())  # a bare group name asks for its help, not an error
                sys.exit(0)
            where = f"{ctx.command_path}: " if ctx is not None else ""
            hint = f" (see: {ctx.command_path} --help)" if ctx is not None else ""
            message = " ".join(exc.format_message().split())
            if ctx is not None and _labels_spread(message, args):
                hint = (
                    " (several labels: --labels ACTOR,VENUE or --labels ACTOR --labels VENUE; "
                    f"see: {ctx.command_path} --help)"
                )
            typer.echo(f"error: {where}{message}{hint}", err=True)
            sys.exit(exc.exit_code)
        except typer.Abort:
            typer.echo("error: aborted", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BackchannelError as exc:
            typer.echo(error_line(exc), err=True)
            ctx.exit(exc.exit_code)
        except ImportError as exc:
            typer.echo(missing_module_line(exc), err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            typer.echo("error: interrupted; no partial output was written", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            ctx.exit(141)


def not_available(issue: int, what: str) -> NoReturn:
    """Say honestly that a capability is not built yet, instead of faking output."""
    raise NotAvailableError(f"{what} is not available yet (tracked in issue #{issue})")


SchemaOpt = Annotated[
    Path | None,
    typer.Option(
        "--schema",
        help="Schema YAML file (default: the bundled diplomacy schema).",
        show_default=False,
        dir_okay=False,
    ),
]


def output_file_option(example: str, help: str = "Output file, or - for standard output.") -> Any:
    """The ``-o`` of a command that writes one file: a folder is refused before any work.

    ``example`` is a file name that suits the command, suggested in the error
    (``-o /tmp is a folder; name a file, e.g. /tmp/corpus.jsonl``).
    """
    from backchannel.output_path import check_output_file

    def check(value: str) -> str:
        check_output_file(value, example)
        return value

    return typer.Option("-o", "--output", help=help, callback=check)


OutputOpt = Annotated[str, output_file_option("output.jsonl")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed (results are reproducible).")]


def output_file_or_folder_option(example: str, help: str) -> Any:
    """The ``-o`` of a command that writes one file or, ending in ``/``, a folder of shards."""

    def check(value: str) -> str:
        return value

    del example  # a folder is welcome here: nothing to suggest
    return typer.Option("-o", "--output", help=help, callback=check)


ClusterOpt = Annotated[
    str | None,
    typer.Option(
        "--cluster",
        help="Run on a Dask cluster: local[:N] (N worker processes here) or tcp://HOST:PORT "
        "(a running scheduler whose workers share the file system; see docs/cluster.md). "
        "Default: in this process.",
        show_default=False,
    ),
]
ShardSizeOpt = Annotated[
    int,
    typer.Option(
        "--shard-mb",
        min=1,
        help="Cut input files bigger than this many MiB into pieces of about this size "
        "(one task each).",
    ),
]
