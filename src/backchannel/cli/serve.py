"""``backchannel serve`` and ``backchannel studio connect``: a model in Label Studio's loop.

``serve`` runs any registered model as a Label Studio ML backend (see
:mod:`backchannel.annotation.labelstudio.backend`); ``studio connect`` registers it with a
project.  Both bind or talk to 127.0.0.1 by default; basic-auth credentials come from an
environment variable or a 0600 file, never from the command line, and are never printed.
"""

from __future__ import annotations

import logging
import os
import stat
import sys
from pathlib import Path
from typing import Annotated

import typer

from backchannel.cli.common import SchemaOpt
from backchannel.cli.studio import TokenOpt, UrlOpt

LOOPBACK = ("127.0.0.1", "localhost", "::1")

BasicAuthEnvOpt = Annotated[
    str | None,
    typer.Option(
        "--basic-auth-env",
        help="Name of an environment variable holding USER:PASSWORD for HTTP basic auth.",
        show_default=False,
    ),
]
BasicAuthFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--basic-auth-file",
        help="A file of mode 0600 holding USER:PASSWORD for HTTP basic auth.",
        dir_okay=False,
        show_default=False,
    ),
]


def _credentials(env_var: str | None, path: Path | None) -> tuple[str, str] | None:
    """Basic-auth credentials from an environment variable or a private file, or None."""
    from backchannel.annotation.labelstudio.backend import parse_credentials
    from backchannel.errors import InputError

    if env_var is not None and path is not None:
        raise InputError("give --basic-auth-env or --basic-auth-file, not both")
    if env_var is not None:
        value = os.environ.get(env_var)
        if not value:
            raise InputError(f"--basic-auth-env: ${env_var} is not set or empty")
        where = f"${env_var}"
    elif path is not None:
        try:
            mode = path.stat().st_mode
            value = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(
                f"cannot read the credentials file ({exc.strerror})", path=path
            ) from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise InputError(
                "the credentials file is readable by others", path=path, hint="chmod 600 it"
            )
        where = str(path)
    else:
        return None
    try:
        return parse_credentials(value)
    except ValueError as exc:
        raise InputError(f"{where}: {exc}") from None


def serve_cli(
    model: Annotated[
        str, typer.Option("--model", "-m", help="Model name: rules, spacy, stance or a plug-in.")
    ] = "rules",
    model_dir: Annotated[
        Path | None,
        typer.Option(
            "--model-dir",
            help="Trained model directory to serve first (default: models/MODEL if it exists).",
            file_okay=False,
            show_default=False,
        ),
    ] = None,
    host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 9090,
    work_dir: Annotated[
        Path | None,
        typer.Option(
            "--work-dir",
            help="Training set, snapshots and retrained model versions (default: .serve/MODEL).",
            file_okay=False,
            show_default=False,
        ),
    ] = None,
    retrain_every: Annotated[
        int,
        typer.Option(
            "--retrain-every",
            min=0,
            help="Retrain a trainable model after this many new annotations (0: only on "
            "Label Studio's 'start training').",
        ),
    ] = 10,
    train_base: Annotated[
        Path | None,
        typer.Option(
            "--train-base",
            help="Gold JSONL every retraining starts from (annotations received replace its "
            "documents of the same id).",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    epochs: Annotated[
        int | None,
        typer.Option("--epochs", min=1, help="Training epochs (spacy).", show_default=False),
    ] = None,
    detach: Annotated[
        bool,
        typer.Option("--detach", help="Return once the backend answers (stop: studio down)."),
    ] = False,
    data_dir: Annotated[
        Path,
        typer.Option(
            "--data-dir",
            help="Where a detached backend records itself (the local Label Studio's).",
            file_okay=False,
        ),
    ] = Path(".studio"),
    basic_auth_env: BasicAuthEnvOpt = None,
    basic_auth_file: BasicAuthFileOpt = None,
    schema_path: SchemaOpt = None,
) -> None:
    """Serve a model to Label Studio as an ML backend: /health, /setup, /predict, /webhook.

    Predictions are exactly those of `backchannel predict` in the Label Studio format `push`
    writes; annotations arriving by webhook retrain a trainable model in the background.
    """
    from backchannel.schema import load_schema

    auth = _credentials(basic_auth_env, basic_auth_file)
    if host not in LOOPBACK and auth is None:
        typer.echo(
            f"warning: serving on {host} without --basic-auth-env: anyone who reaches this "
            "address can read predictions and send training data",
            err=True,
        )
    url_host = f"[{host}]" if ":" in host else host
    url = f"http://{url_host}:{port}"
    if detach:
        from backchannel.annotation.labelstudio.backend_process import start_detached

        argv = [sys.executable, "-m", "backchannel", *_without_detach(sys.argv[1:])]
        info = start_detached(argv, url=url, port=port, model=model, data_dir=data_dir)
        typer.echo(f"ML backend {info.url} (pid {info.pid}, model {model})")
        typer.echo(f"  log: {info.log_path}")
        typer.echo("Stop it with: backchannel studio down" + _data_dir_arg(data_dir))
        return
    import uvicorn

    from backchannel.annotation.labelstudio.backend import create_app
    from backchannel.eval.serving import build_service

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    schema = load_schema(schema_path)
    if model_dir is None and Path("models", model).is_dir():
        model_dir = Path("models", model)
    service = build_service(
        model,
        model_dir=model_dir,
        work_dir=work_dir or Path(".serve", model),
        schema=schema,
        retrain_every=retrain_every,
        epochs=epochs,
        base_gold=train_base,
    )
    app = create_app(service, schema, model_class=model, auth=auth)
    typer.echo(f"serving {service.model_version} on {url} (Ctrl-C to stop)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="info")


def _without_detach(args: list[str]) -> list[str]:
    return [a for a in args if a != "--detach"]


def _data_dir_arg(data_dir: Path) -> str:
    return "" if data_dir == Path(".studio") else f" --data-dir {data_dir}"


def connect_cli(
    backend: Annotated[
        str, typer.Option("--backend", help="URL of the ML backend (backchannel serve).")
    ],
    project: Annotated[str, typer.Option("--project", help="Project title.")] = "backchannel",
    url: UrlOpt = None,
    token: TokenOpt = None,
    basic_auth_env: BasicAuthEnvOpt = None,
    basic_auth_file: BasicAuthFileOpt = None,
) -> None:
    """Connect an ML backend to a project: predictions on opening a task, training webhooks."""
    from backchannel.annotation.labelstudio.api import connect
    from backchannel.annotation.labelstudio.connection import resolve_connection
    from backchannel.annotation.labelstudio.ml import connect_backend

    auth = _credentials(basic_auth_env, basic_auth_file)
    studio = connect(resolve_connection(url, token))
    res = connect_backend(studio, project, backend, auth=auth)
    typer.echo(
        f"project {project!r} (id {res.project_id}): ML backend {backend} "
        f"{'connected' if res.created else 'updated'} (id {res.backend_id}); annotation "
        f"webhook {res.webhook_id}; predictions are fetched when a task without one is opened, "
        "or for many tasks with Data Manager > Actions > Retrieve Predictions",
        err=True,
    )


def rank_cli(
    project: Annotated[str, typer.Option("--project", help="Project title.")] = "backchannel",
    model: Annotated[
        str, typer.Option("--model", "-m", help="Model name: rules, spacy, stance or a plug-in.")
    ] = "rules",
    model_dir: Annotated[
        Path | None,
        typer.Option(
            "--model-dir",
            help="Trained model directory (default: models/MODEL if it exists; for a model "
            "`serve` retrained, its WORK_DIR/models/current version).",
            file_okay=False,
            show_default=False,
        ),
    ] = None,
    include_annotated: Annotated[
        bool,
        typer.Option("--include-annotated", help="Rank annotated tasks too (default: open only)."),
    ] = False,
    top: Annotated[
        int, typer.Option("--top", min=0, help="Print this many most informative tasks.")
    ] = 10,
    url: UrlOpt = None,
    token: TokenOpt = None,
    schema_path: SchemaOpt = None,
) -> None:
    """Put the most informative open task first: predict each and store the ranking score.

    Sort the Data Manager by Prediction score, ascending: the tasks whose predictions are
    closest to coin flips come first (docs/serve.md).  Run it again after retraining; it
    updates its own predictions rather than adding more.
    """
    from backchannel.annotation.labelstudio.api import connect
    from backchannel.annotation.labelstudio.connection import resolve_connection
    from backchannel.annotation.labelstudio.rank_tasks import rank_tasks
    from backchannel.eval.serving import RegistryPredictor
    from backchannel.schema import load_schema
    from backchannel.text import plural

    schema = load_schema(schema_path)
    if model_dir is None and Path("models", model).is_dir():
        model_dir = Path("models", model)
    predictor = RegistryPredictor(model, model_dir, schema)  # a bad model fails before the server
    studio = connect(resolve_connection(url, token))
    res = rank_tasks(studio, project, predictor, include_annotated=include_annotated)
    typer.echo(
        f"project {project!r} (id {res.project_id}): ranked "
        f"{plural(res.created + res.updated, 'task')} with {res.model_version} "
        f"({res.created} new, {res.updated} updated predictions; "
        f"{res.annotated_skipped} annotated left alone); sort the Data Manager by "
        "Prediction score, ascending",
        err=True,
    )
    for doc_id, score in res.order[:top]:
        typer.echo(f"{score:.4f}\t{doc_id}")


def register(app: typer.Typer) -> None:
    from backchannel.cli.studio import studio_app

    app.command("serve")(serve_cli)
    studio_app.command("connect")(connect_cli)
    studio_app.command("rank")(rank_cli)
