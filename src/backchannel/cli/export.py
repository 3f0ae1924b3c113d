"""``backchannel export | events | publish``: the gold where people load it.

Each command parses options, calls one library function and prints its result; the libraries are
:mod:`~backchannel.annotation.export.dataset`, :mod:`~backchannel.annotation.export.events` and
:mod:`~backchannel.annotation.export.publish`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from backchannel.cli.common import (
    ClusterOpt,
    SchemaOpt,
    ShardSizeOpt,
    output_file_or_folder_option,
)
from backchannel.text import plural


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover


def export_cli(
    gold: Annotated[Path, typer.Argument(help="Gold Document JSONL.", dir_okay=False)],
    output: Annotated[Path, typer.Option("-o", "--output", help="Dataset folder to create.")],
    splits: Annotated[
        str, typer.Option("--splits", help="Shares train/validation/test, e.g. 80/10/10 or 90/10.")
    ] = "80/10/10",
    seed: Annotated[int, typer.Option("--seed", help="Split seed (reproducible).")] = 13,
    agreement: Annotated[
        Path | None,
        typer.Option("--agreement", help="Agreement JSON for the card.", dir_okay=False),
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Dataset name in the card.")] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing folder.")
    ] = False,
    spacy: Annotated[
        bool, typer.Option("--spacy/--no-spacy", help="Write spaCy DocBins and a config.")
    ] = True,
    events: Annotated[
        bool, typer.Option("--events/--no-events", help="Write the event table and graph.")
    ] = True,
    allow_empty: Annotated[
        bool,
        typer.Option(
            "--allow-empty", help="Export even if no document has any annotation (texts only)."
        ),
    ] = False,
    schema: SchemaOpt = None,
) -> None:
    """Export gold to a Hugging Face DatasetDict, parquet, JSONL and spaCy DocBin, with a card."""
    from backchannel.annotation.export.dataset import export_dataset
    from backchannel.schema import load_schema

    result = export_dataset(
        gold,
        output,
        schema=load_schema(schema) if schema else None,
        splits=splits,
        seed=seed,
        agreement=agreement,
        pretty_name=name,
        overwrite=overwrite,
        docbin=spacy,
        events=events,
        allow_empty=allow_empty,
        progress=True,
    )
    shares = ", ".join(f"{k} {v}" for k, v in result.splits.items())
    typer.echo(f"exported {plural(result.documents, 'article')} to {result.output} ({shares})")
    total = sum(result.files.values())
    typer.echo(
        f"{plural(len(result.files), 'file')}, {_size(total)}; card: {result.output}/README.md"
    )
    if result.events is not None:
        typer.echo(
            f"event table: {plural(result.events, 'row')}; graph: {result.output}/events/graph.png"
        )


def events_cli(
    gold: Annotated[
        Path,
        typer.Argument(
            help="Gold Document JSONL, or a folder or glob of JSONL shards or exported parquet."
        ),
    ],
    output: Annotated[
        str,
        output_file_or_folder_option(
            "events.parquet",
            "Output file: events.parquet or events.csv; or FOLDER/ for a parquet table per "
            "input shard plus _manifest.json.",
        ),
    ],
    include_negated: Annotated[
        bool,
        typer.Option(
            "--include-negated",
            help="Keep negated, generic and hypothetical contacts (with empty codes).",
        ),
    ] = False,
    graph: Annotated[
        Path | None, typer.Option("--graph", help="Also draw who talks to whom to this PNG.")
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option("--html", help="Also write the graph as interactive HTML (opens offline)."),
    ] = None,
    monthly: Annotated[
        Path | None,
        typer.Option(
            "--monthly", help="Also write contacts per pair per month to this CSV (+ a PNG plot)."
        ),
    ] = None,
    gazetteer: Annotated[
        Path | None,
        typer.Option(
            "--gazetteer",
            help="TSV of known actors (id, name, aliases, country, sector, kind) whose ids win.",
            dir_okay=False,
        ),
    ] = None,
    schema: SchemaOpt = None,
    cluster: ClusterOpt = None,
    shard_mb: ShardSizeOpt = 32,
) -> None:
    """The who-talks-to-whom event table (resolved actors, CAMEO/PLOVER codes) and its views.

    One row per pair of resolved actors of a contact; contacts with fewer than two resolved
    actors go to a second table beside it (events_unpaired.csv for events.csv).  With --cluster
    or a FOLDER/ output the rows are made piece by piece (on the cluster) and the tables and
    views written here: a file output is the serial run's (docs/cluster.md).
    """
    from backchannel.annotation.export.actor_gazetteer import Gazetteer
    from backchannel.annotation.export.events import write_events
    from backchannel.schema import load_schema
    from backchannel.shards import is_folder_output

    options = {
        "schema": load_schema(schema) if schema else None,
        "include_negated": include_negated,
        "graph": graph,
        "html": html,
        "monthly": monthly,
        "gazetteer": Gazetteer.load(gazetteer) if gazetteer else None,
        "progress": True,
    }
    if cluster or is_folder_output(output):
        from backchannel.annotation.export.events_sharded import write_events_sharded
        from backchannel.cluster import parse_cluster

        result = write_events_sharded(
            gold, output, cluster=parse_cluster(cluster) if cluster else None,
            shard_bytes=shard_mb * 2**20, **options,
        )  # fmt: skip
    else:
        result = write_events(gold, output, **options)
    typer.echo(
        f"{plural(result.rows, 'row')} for {plural(result.contacts, 'contact')} in "
        f"{plural(result.documents, 'document')} "
        f"-> {result.output}"
    )
    typer.echo(
        f"{result.mentions} actor mentions -> {result.actors} actors "
        f"({result.generic_mentions} generic, {result.unknown_mentions} unknown mentions)"
    )
    typer.echo(
        f"{result.unpaired} contacts with fewer than two resolved actors -> "
        f"{result.unpaired_output}"
    )
    if result.dropped_contacts:
        typer.echo(
            f"left out {result.dropped_contacts} negated, generic or hypothetical contacts "
            "(--include-negated keeps them)"
        )
    if result.graph:
        typer.echo(f"graph: {result.edges} edges -> {result.graph}")
    if result.html:
        typer.echo(f"interactive graph -> {result.html}")
    if result.monthly:
        typer.echo(f"contacts per pair per month -> {result.monthly} and {result.monthly_plot}")


def publish_cli(
    folder: Annotated[Path, typer.Argument(help="A folder written by backchannel export.")],
    repo_id: Annotated[str, typer.Option("--repo-id", help="Hub dataset repository ORG/NAME.")],
    private: Annotated[bool, typer.Option("--private", help="Create the repo private.")] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="Really upload (otherwise a dry run that lists files).")
    ] = False,
    message: Annotated[str | None, typer.Option("--message", help="Commit message.")] = None,
) -> None:
    """Publish an exported dataset to the Hugging Face Hub (dry run unless --yes).

    The token is read from HF_TOKEN and never printed; HF_ENDPOINT selects another Hub.
    """
    from backchannel.annotation.export.publish import publish_dataset

    result = publish_dataset(folder, repo_id, private=private, yes=yes, message=message)
    for f in result.files:
        typer.echo(f"{f.size:>12}  {f.path}")
    visibility = "private" if result.private else "public"
    summary = f"{plural(len(result.files), 'file')}, {_size(result.total_bytes)}"
    if result.dry_run:
        typer.echo(
            f"dry run: would upload {summary} to {visibility} dataset {result.repo_id} on "
            f"{result.endpoint}; nothing was sent (add --yes to upload)"
        )
    else:
        typer.echo(f"uploaded {summary} to {result.url} (commit {result.commit})")


def register(app: typer.Typer) -> None:
    app.command("export")(export_cli)
    app.command("events")(events_cli)
    app.command("publish")(publish_cli)
