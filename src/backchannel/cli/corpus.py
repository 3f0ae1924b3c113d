"""``backchannel ingest``: articles in, a normalised Document corpus out."""

from __future__ import annotations

from typing import Annotated

import typer

from backchannel.cli.common import ClusterOpt, ShardSizeOpt, output_file_or_folder_option

_SHOWN = 20


def ingest_cli(
    sources: Annotated[
        list[str],
        typer.Argument(
            help="Files, folders (recursive) or globs: .txt, .html/.htm, .jsonl; - for JSONL "
            "on stdin.",
            show_default=False,
            metavar="SRC",
        ),
    ],
    output: Annotated[
        str,
        output_file_or_folder_option(
            "corpus.jsonl",
            "Output file (- for stdout), or FOLDER/ for shards plus _manifest.json.",
        ),
    ] = "-",
    license: Annotated[
        str | None,
        typer.Option("--license", help="meta.license for articles whose source gives none."),
    ] = None,
    require_license: Annotated[
        bool,
        typer.Option(
            "--require-license", help="Refuse any article without meta.license (bundled corpora)."
        ),
    ] = False,
    near_dup_threshold: Annotated[
        float,
        typer.Option(
            "--near-dup-threshold",
            min=0.0,
            max=1.0,
            help="Jaccard similarity of word 5-shingles from which an article is flagged as a "
            "near-duplicate of an earlier one (meta.near_duplicate_of).",
        ),
    ] = 0.8,
    skip_bad: Annotated[
        bool,
        typer.Option(
            "--skip-bad",
            help="Skip articles that cannot be ingested (each named on stderr) instead of "
            "stopping; fails only if nothing is left.",
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("-q", "--quiet", help="Print only the summary line.")
    ] = False,
    cluster: ClusterOpt = None,
    shard_mb: ShardSizeOpt = 32,
) -> None:
    """Extract, normalise (NFC, newlines), id and de-duplicate articles into Document JSONL.

    Exact duplicates (same normalised text) are dropped; near-duplicates are kept and flagged.
    The summary and the duplicates found go to stderr; nothing is written if any input is bad.
    With --cluster or a FOLDER/ output, articles are extracted piece by piece (on the cluster)
    and de-duplicated here in input order: the output is the serial run's (docs/cluster.md).
    """
    from backchannel.annotation.ingest.corpus import ingest
    from backchannel.shards import is_folder_output

    options = {
        "license": license,
        "require_license": require_license,
        "near_dup_threshold": near_dup_threshold,
        "skip_bad": skip_bad,
        "progress": True,
    }
    if cluster or is_folder_output(output):
        from backchannel.annotation.ingest.sharded import ingest_sharded
        from backchannel.cluster import parse_cluster

        result = ingest_sharded(
            sources, output, cluster=parse_cluster(cluster) if cluster else None,
            shard_bytes=shard_mb * 2**20, **options,
        )  # fmt: skip
    else:
        result = ingest(sources, output, **options)
    for bad in result.skipped_bad:
        typer.echo(f"skipped {bad.one_line()}", err=True)
    if not quiet:
        for dup in result.duplicates[:_SHOWN]:
            if dup.kind == "exact":
                typer.echo(f"dropped {dup.source}: same text as {dup.of}", err=True)
            else:
                typer.echo(
                    f"flagged {dup.source} ({dup.id}): near-duplicate of {dup.of} "
                    f"(similarity {dup.similarity:.2f})",
                    err=True,
                )
        more = (
            result.exact_duplicates + result.near_duplicates - min(_SHOWN, len(result.duplicates))
        )
        if more > 0:
            typer.echo(f"... and {more} more", err=True)
    typer.echo(result.summary(), err=True)


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest_cli)
