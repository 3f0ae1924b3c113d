"""``backchannel score | compare | predict | train``: models against the gold.

``score`` and ``compare`` only parse options, call one library function
(:func:`backchannel.eval.scoring.scorer.score` / :func:`~backchannel.eval.scoring.scorer.compare`)
and write
the rendered report; errors become one line through the root group.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from backchannel.cli import llm, rules
from backchannel.cli.common import (
    ClusterOpt,
    SchemaOpt,
    SeedOpt,
    ShardSizeOpt,
    output_file_option,
    output_file_or_folder_option,
)
from backchannel.text import plural

GoldArg = Annotated[
    Path, typer.Argument(dir_okay=False, show_default=False, help="Gold Document JSONL.")
]
ShardedGoldArg = Annotated[
    str,
    typer.Argument(
        show_default=False, help="Gold Document JSONL, or a folder or glob of JSONL shards."
    ),
]
PredArg = Annotated[
    str,
    typer.Argument(
        show_default=False,
        help="Predicted Document JSONL, or a folder or glob of shards (paired with the gold's "
        "by name).",
    ),
]
SystemA = Annotated[
    str,
    typer.Argument(
        show_default=False, help="Predictions of system A (baseline): JSONL, folder or glob."
    ),
]
SystemB = Annotated[
    str,
    typer.Argument(
        show_default=False, help="Predictions of system B (candidate): JSONL, folder or glob."
    ),
]
FormatOpt = Annotated[
    str,
    typer.Option("--format", "-f", help="Report format: json, md or html."),
]
_OUT_HELP = "Output file (written atomically), or - for stdout."
ReportOut = Annotated[str, output_file_option("report.md", _OUT_HELP)]
PredictOut = Annotated[
    str,
    output_file_or_folder_option(
        "predictions.jsonl",
        "Output file (written atomically; documents in input order), - for stdout, or a "
        "FOLDER/ (trailing slash) of shards plus _manifest.json.",
    ),
]
BootOpt = Annotated[
    int, typer.Option("--bootstrap", min=0, help="Bootstrap replicates for intervals (0: none).")
]
LabelsOpt = Annotated[
    list[str] | None,
    typer.Option("--labels", help="Score only these span labels (repeat, or comma-separate)."),
]
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        help="Worker processes for counting, on a local Dask cluster (default: one per CPU "
        "for inputs over 16 MiB, else 1). Results do not depend on it.",
        show_default=False,
    ),
]
MissingOpt = Annotated[
    bool,
    typer.Option(
        "--allow-missing",
        help="Count gold documents without prediction as all missed; ignore extra predictions.",
    ),
]


def _format(value: str, allowed: tuple[str, ...]) -> str:
    from backchannel.errors import InputError

    fmt = value.lower()
    if fmt not in allowed:
        raise InputError(f"unknown --format {value!r} (use {', '.join(allowed)})")
    return fmt


def _labels(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [x.strip() for v in values for x in v.split(",") if x.strip()]


def score_cli(
    gold: ShardedGoldArg,
    predictions: PredArg,
    fmt: FormatOpt = "json",
    output: ReportOut = "-",
    bootstrap: BootOpt = 1000,
    seed: SeedOpt = 13,
    labels: LabelsOpt = None,
    allow_missing: MissingOpt = False,
    schema: SchemaOpt = None,
    workers: WorkersOpt = None,
    cluster: ClusterOpt = None,
) -> None:
    """Score predictions against gold: spans, relations, stance, with bootstrap intervals.

    Gold and predictions may be folders of shards; with --cluster the counting runs on a Dask
    cluster and the report is the same as the serial one.
    """
    from backchannel.cluster import parse_cluster
    from backchannel.eval.scoring.report import ReportFormat, render, stance_summary, write_report
    from backchannel.eval.scoring.scorer import score

    fmt = _format(fmt, ("json", "md", "html"))
    result = score(
        gold,
        predictions,
        schema=schema,
        labels=_labels(labels),
        bootstrap=bootstrap,
        seed=seed,
        allow_missing=allow_missing,
        workers=workers,
        cluster=parse_cluster(cluster) if cluster else None,
    )
    write_report(render(result, ReportFormat(fmt)), output)
    if output != "-":
        n = result.meta["documents"]
        if "spans" in result.meta["given_layers"]:
            parts = ["spans given, not predicted"]
        else:
            f1 = result.values["spans.micro.strict.f1"]
            parts = [f"strict span F1 {'n/a' if f1 is None else f'{f1:.3f}'}"]
        stance = stance_summary(result)
        if stance:
            parts.append(stance)
        typer.echo(
            f"scored {plural(n, 'document')}: {'; '.join(parts)}; report written to {output}",
            err=True,
        )


def compare_cli(
    gold: ShardedGoldArg,
    a: SystemA,
    b: SystemB,
    fmt: FormatOpt = "md",
    output: ReportOut = "-",
    bootstrap: BootOpt = 1000,
    permutations: Annotated[
        int, typer.Option("--permutations", min=0, help="Approximate-randomisation shuffles.")
    ] = 1000,
    seed: SeedOpt = 13,
    labels: LabelsOpt = None,
    allow_missing: MissingOpt = False,
    schema: SchemaOpt = None,
    workers: WorkersOpt = None,
    cluster: ClusterOpt = None,
) -> None:
    """Compare two systems on the same gold with paired significance tests.

    Gold and systems may be folders of shards; with --cluster the counting runs on a Dask
    cluster and the report is the same as the serial one.
    """
    from backchannel.cluster import parse_cluster
    from backchannel.eval.scoring.report import (
        ReportFormat,
        compare_summary,
        render_compare,
        write_report,
    )
    from backchannel.eval.scoring.scorer import compare

    fmt = _format(fmt, ("json", "md", "html"))
    result = compare(
        gold,
        a,
        b,
        schema=schema,
        labels=_labels(labels),
        bootstrap=bootstrap,
        permutations=permutations,
        seed=seed,
        allow_missing=allow_missing,
        workers=workers,
        cluster=parse_cluster(cluster) if cluster else None,
    )
    write_report(render_compare(result, ReportFormat(fmt)), output)
    if output != "-":
        typer.echo(f"{compare_summary(result)}; report written to {output}", err=True)


ModelOpt = Annotated[
    str,
    typer.Option("--model", "-m", help="Model name: rules, spacy, stance, llm or a plug-in."),
]
ModelDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--model-dir",
        help="Trained model directory (default: models/NAME when it exists).",
        file_okay=False,
        show_default=False,
    ),
]


def predict_cli(
    corpus: Annotated[
        str,
        typer.Argument(
            help="Document JSONL to pre-annotate, -, or a folder or glob of JSONL shards (or "
            "the parquet files export writes)."
        ),
    ],
    model: ModelOpt = "rules",
    output: PredictOut = "-",
    model_dir: ModelDirOpt = None,
    schema: SchemaOpt = None,
    endpoint: llm.EndpointOpt = None,
    llm_model: llm.LLMModelOpt = None,
    examples: llm.ExamplesOpt = None,
    shots: llm.ShotsOpt = 0,
    api_key_env: llm.ApiKeyEnvOpt = None,
    concurrency: llm.ConcurrencyOpt = 4,
    cache_dir: llm.CacheDirOpt = None,
    chunk_chars: llm.ChunkOpt = 6000,
    stream: llm.StreamOpt = False,
    timeout: llm.TimeoutOpt = 120.0,
    max_retries: llm.RetriesOpt = 5,
    price: llm.PriceOpt = None,
    dry_run: llm.DryRunOpt = False,
    cluster: ClusterOpt = None,
    shard_mb: ShardSizeOpt = 32,
    base: rules.BaseOpt = None,
) -> None:
    """Run a baseline model over a corpus: prediction Documents with scores and reasons.

    A folder of shards, a FOLDER/ output or --cluster runs piece by piece (see
    docs/cluster.md); the documents written are those of the serial run, in input order.

    With --model llm, any OpenAI-compatible chat model extracts the spans and relations and
    each quoted mention is placed on exact offsets (see docs/llm.md).
    """
    from backchannel.errors import InputError
    from backchannel.eval.predict import predict

    options = rules.rules_options(model, base)
    cost = llm.parse_price(price)
    if model == "llm":
        options = llm.llm_options(
            corpus=corpus,
            endpoint=endpoint,
            llm_model=llm_model,
            examples=examples,
            shots=shots,
            api_key_env=api_key_env,
            concurrency=concurrency,
            cache_dir=cache_dir,
            chunk_chars=chunk_chars,
            stream=stream,
            timeout=timeout,
            max_retries=max_retries,
            dry_run=dry_run,
        )
        if dry_run:
            llm.dry_run(corpus, options, schema)
            return
    elif endpoint or llm_model or examples or dry_run or price:
        raise InputError(
            "--endpoint, --llm-model, --examples, --price and --dry-run apply to --model llm only"
        )
    if model_dir is None and Path("models", model).is_dir():
        model_dir = Path("models", model)
    from backchannel.shards import is_folder_output, is_sharded

    if cluster or is_sharded(corpus) or is_folder_output(output):
        from backchannel.cluster import parse_cluster
        from backchannel.eval.predict import predict_pieces

        result = predict_pieces(
            model, corpus, output, model_dir=model_dir, schema=schema, model_options=options,
            cluster=parse_cluster(cluster) if cluster else None, shard_bytes=shard_mb * 2**20,
        )  # fmt: skip
    else:
        result = predict(
            model, corpus, output, model_dir=model_dir, schema=schema, model_options=options
        )
    spans = ", ".join(f"{k} {v}" for k, v in result.spans.items()) or "none"
    typer.echo(
        f"{result.model_version}: {plural(result.documents, 'document')} in {result.seconds:.1f} s "
        f"({result.docs_per_second:.0f}/s); spans: {spans}; "
        f"relations: {sum(result.relations.values())}"
        + (f"; written to {output}" if output != "-" else ""),
        err=True,
    )
    if model == "llm":
        typer.echo(llm.usage_line(result.usage, cost), err=True)


def train_cli(
    gold: GoldArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="Model directory to write.")],
    model: ModelOpt = "spacy",
    base: Annotated[
        str | None,
        typer.Option("--base", help="Installed spaCy pipeline to start from (spacy model)."),
    ] = None,
    epochs: Annotated[
        int | None, typer.Option("--epochs", min=1, help="Passes over the gold (default: model's).")
    ] = None,
    seed: SeedOpt = 0,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing model directory.")
    ] = False,
    schema: SchemaOpt = None,
) -> None:
    """Train a baseline model from gold Documents and write its directory."""
    from backchannel.eval.models.registry import TrainOptions
    from backchannel.eval.train import train

    options = TrainOptions(seed=seed, epochs=epochs, base=base, overwrite=overwrite)
    result = train(model, gold, output, options=options, schema=schema)
    figures = ", ".join(f"{k} {v:.3g}" for k, v in result.metrics.items())
    typer.echo(
        f"trained {result.model} ({result.version}) on {plural(result.documents, 'document')}, "
        f"{plural(result.examples, 'example')}, in {result.seconds:.1f} s"
        + (f"; {figures}" if figures else "")
        + f"; written to {result.out_dir}"
    )


def register(app: typer.Typer) -> None:
    app.command("score")(score_cli)
    app.command("compare")(compare_cli)
    app.command("predict")(predict_cli)
    app.command("train")(train_cli)
