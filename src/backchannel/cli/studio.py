"""``backchannel tasks | push | pull | studio``: the Label Studio round trip.

Each command parses options, calls one library function and prints a summary on stderr.  The
API token is taken from ``--token`` or ``$LABEL_STUDIO_API_KEY`` (or the 0600 file of a server
started with ``studio up``) and is never printed.
"""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from backchannel.cli.common import SchemaOpt, output_file_option
from backchannel.text import plural

studio_app = typer.Typer(help="Run a local Label Studio: up, down, status.", no_args_is_help=True)

DEFAULT_PROJECT = "backchannel"

DataDirOpt = Annotated[
    Path,
    typer.Option(
        "--data-dir",
        help="Where the local server keeps its database, log and 0600 token file.",
        file_okay=False,
    ),
]
UrlOpt = Annotated[
    str | None,
    typer.Option(
        "--url",
        help="Label Studio URL (default: $LABEL_STUDIO_URL, else the server of `studio up`).",
        show_default=False,
    ),
]
TokenOpt = Annotated[
    str | None,
    typer.Option(
        "--token",
        help="API token (default: $LABEL_STUDIO_API_KEY, else the server of `studio up`). "
        "Prefer the environment variable: command lines are visible to other users.",
        show_default=False,
    ),
]
ProjectOpt = Annotated[str, typer.Option("--project", help="Project title (created if missing).")]
PredictionsOpt = Annotated[
    Path | None,
    typer.Option(
        "--predictions",
        help="Predicted Documents (JSONL) to attach as pre-annotations, matched by document id.",
        dir_okay=False,
        show_default=False,
    ),
]
ModelVersionOpt = Annotated[
    str | None,
    typer.Option(
        "--model-version",
        help="model_version of the predictions (default: each prediction's "
        "annotation.model_version, else its annotator).",
        show_default=False,
    ),
]


class Order(StrEnum):
    """How ``push`` scores the predictions it attaches."""

    model = "model"
    uncertainty = "uncertainty"


def _say(message: str) -> None:
    typer.echo(message, err=True)


def _studio(url: str | None, token: str | None):
    from backchannel.annotation.labelstudio.api import connect
    from backchannel.annotation.labelstudio.connection import resolve_connection

    return connect(resolve_connection(url, token))


@studio_app.command("up")
def studio_up_cli(
    port: Annotated[int, typer.Option("--port", help="TCP port on 127.0.0.1.")] = 8080,
    data_dir: DataDirOpt = Path(".studio"),
    detach: Annotated[
        bool, typer.Option("--detach", help="Return once the server runs (stop: studio down).")
    ] = False,
    project: ProjectOpt = DEFAULT_PROJECT,
    schema_path: SchemaOpt = None,
) -> None:
    """Start a local Label Studio on 127.0.0.1 with a known admin and token, and the project.

    Installs Label Studio into its own virtualenv (.venv-ls) on first use.  Without --detach
    the server runs until Ctrl-C.
    """
    from backchannel.annotation.labelstudio.api import connect
    from backchannel.annotation.labelstudio.connection import Connection
    from backchannel.annotation.labelstudio.server import start_server, stop_server
    from backchannel.schema import load_schema

    schema = load_schema(schema_path)
    info = start_server(port=port, data_dir=data_dir, say=_say)
    try:
        studio = connect(Connection(info.url, info.token(), info.token_file))
        pid, created = studio.ensure_project(project, schema)
    except BaseException:
        stop_server(info.data_dir)
        raise
    typer.echo(f"Label Studio {info.url} (pid {info.pid})")
    typer.echo(f"  user:     {info.username}")
    typer.echo(f"  password: in {info.password_file} (mode 0600)")
    typer.echo(f"  token:    in {info.token_file} (mode 0600)")
    typer.echo(
        f"  project:  {project!r} ({'created' if created else 'existing'}) "
        f"{info.url}/projects/{pid}"
    )
    typer.echo(f"  log:      {info.log_path}")
    if detach:
        typer.echo("Stop it with: backchannel studio down" + _data_dir_arg(data_dir))
        return
    typer.echo("Press Ctrl-C to stop.")
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        stop_server(info.data_dir)
        typer.echo("Label Studio stopped.")


def _data_dir_arg(data_dir: Path) -> str:
    return "" if data_dir == Path(".studio") else f" --data-dir {data_dir}"


@studio_app.command("down")
def studio_down_cli(data_dir: DataDirOpt = Path(".studio")) -> None:
    """Stop the local Label Studio started from --data-dir."""
    from backchannel.annotation.labelstudio.backend_process import stop_backends
    from backchannel.annotation.labelstudio.server import stop_server

    for backend in stop_backends(data_dir):  # what `serve --detach` started
        typer.echo(f"stopped ML backend {backend.url} (pid {backend.pid})")
    info = stop_server(data_dir)
    if info is None:
        typer.echo(f"no Label Studio running from {data_dir}")
    else:
        typer.echo(f"stopped Label Studio {info.url} (pid {info.pid})")


@studio_app.command("status")
def studio_status_cli(data_dir: DataDirOpt = Path(".studio")) -> None:
    """Show whether the local Label Studio runs, and where (exit 1 when it does not)."""
    from backchannel.annotation.labelstudio.server import status

    info = status(data_dir)
    if info is None:
        typer.echo(
            f"no Label Studio running from {data_dir} "
            f"(start one with: backchannel studio up --detach{_data_dir_arg(data_dir)})"
        )
        raise typer.Exit(1)
    typer.echo(f"running: {info.url} (pid {info.pid})")
    typer.echo(f"  user: {info.username}; token in {info.token_file}; log {info.log_path}")


def tasks_cli(
    corpus: Annotated[Path, typer.Argument(help="Corpus (Document JSONL).", dir_okay=False)],
    output: Annotated[str, output_file_option("tasks.json")] = "-",
    predictions: PredictionsOpt = None,
    model_version: ModelVersionOpt = None,
    schema_path: SchemaOpt = None,
) -> None:
    """Write Label Studio import JSON for a corpus, with optional pre-annotations."""
    from backchannel.annotation.labelstudio.tasks import write_tasks
    from backchannel.schema import load_schema

    schema = load_schema(schema_path)
    res = write_tasks(
        corpus, output, predictions=predictions, schema=schema, model_version=model_version
    )
    if res.unmatched_predictions:
        typer.echo(
            f"warning: {predictions}: {res.unmatched_predictions} of its predictions match no "
            f"document of {corpus}; they were left out",
            err=True,
        )
    _say(
        f"wrote {plural(res.tasks, 'task')} with {plural(res.predictions, 'prediction')} "
        f"to {output}"
    )


def push_cli(
    corpus: Annotated[Path, typer.Argument(help="Corpus (Document JSONL).", dir_okay=False)],
    project: ProjectOpt = DEFAULT_PROJECT,
    predictions: PredictionsOpt = None,
    model_version: ModelVersionOpt = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Tasks per import request.")
    ] = 500,
    order: Annotated[
        Order,
        typer.Option(
            "--order",
            help="Prediction score: the model's own (mean span score), or 'uncertainty', which "
            "sorts the most informative task first by Prediction score ascending "
            "(docs/serve.md; needs --predictions).",
        ),
    ] = Order.model,
    url: UrlOpt = None,
    token: TokenOpt = None,
    schema_path: SchemaOpt = None,
) -> None:
    """Import a corpus into a Label Studio project, idempotently, in batches.

    Documents already in the project (by document id) are skipped; a document whose text
    changed is refused while its task has annotations.  To re-rank tasks already pushed (after
    retraining), use `studio rank`.
    """
    from backchannel.annotation.labelstudio.push import push
    from backchannel.annotation.labelstudio.tasks import corpus_for_predictions, load_predictions
    from backchannel.errors import DocumentError, InputError
    from backchannel.progress import progress_enabled
    from backchannel.schema import load_schema

    schema = load_schema(schema_path)
    if str(corpus) != "-" and not corpus.is_file():  # a wrong path first, not "no server"
        raise DocumentError("no such file", path=corpus)
    if order is Order.uncertainty and predictions is None:
        raise InputError("--order uncertainty scores predictions: give --predictions FILE")
    preds = load_predictions(predictions, schema) if predictions is not None else {}
    if order is Order.uncertainty:
        from backchannel.annotation.labelstudio.ranking import with_confidence

        preds = {doc_id: [with_confidence(p) for p in ps] for doc_id, ps in preds.items()}
    docs = corpus_for_predictions(corpus, preds, predictions, schema)  # before connecting
    studio = _studio(url, token)
    res = push(
        studio,
        project,
        docs,
        schema,
        predictions=preds,
        model_version=model_version,
        batch_size=batch_size,
        progress=progress_enabled(),
    )
    _say(
        f"project {project!r} (id {res.project_id}{', created' if res.project_created else ''}): "
        f"{plural(res.created, 'task')} created in {plural(res.batches, 'batch')}, "
        f"{res.skipped} already there, "
        f"{res.updated} updated; {plural(res.predictions_created, 'prediction')} added"
        + (
            f"; {plural(res.unmatched_predictions, 'prediction')} matched no document"
            if res.unmatched_predictions
            else ""
        )
    )


def pull_cli(
    output: Annotated[str, output_file_option("annotations.jsonl")] = "-",
    project: Annotated[
        str | None,
        typer.Option("--project", help="Project title to pull from a live server."),
    ] = None,
    from_export: Annotated[
        Path | None,
        typer.Option(
            "--from-export",
            help="A Label Studio JSON export file (Export > JSON in the web UI) instead.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
    schema_path: SchemaOpt = None,
) -> None:
    """Pull every annotation of every annotator back as Documents (one per annotation).

    Cancelled annotations are skipped and counted.  Nothing is written if any region does not
    fit its task text.
    """
    from backchannel.annotation.labelstudio.pull import pull, pull_from_export
    from backchannel.errors import InputError
    from backchannel.schema import load_schema

    if (project is None) == (from_export is None):
        raise InputError("give exactly one of --project (live server) or --from-export FILE")
    schema = load_schema(schema_path)
    if from_export is not None:
        res = pull_from_export(from_export, output, schema)
    else:
        assert project is not None
        res = pull(_studio(url, token), project, output, schema)
    _say(
        f"wrote {plural(res.documents, 'annotated document')} from {plural(res.tasks, 'task')} "
        f"to {output} "
        f"({plural(len(res.annotators), 'annotator')}; "
        f"{plural(res.cancelled, 'cancelled annotation')} skipped)"
    )


def register(app: typer.Typer) -> None:
    app.command("tasks")(tasks_cli)
    app.command("push")(push_cli)
    app.command("pull")(pull_cli)
    app.add_typer(studio_app, name="studio")
