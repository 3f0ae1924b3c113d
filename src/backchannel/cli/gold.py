"""``backchannel agree | adjudicate | review | gold``: from many annotations to one gold.

Each command parses its options, calls one library function and prints; errors are
:class:`~backchannel.errors.BackchannelError` and become one line in
:class:`~backchannel.cli.common.BackchannelGroup`.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import msgspec
import typer

from backchannel.cli.common import SchemaOpt, output_file_option
from backchannel.cli.studio import TokenOpt, UrlOpt
from backchannel.text import plural

review_app = typer.Typer(help="Send disagreements to an adjudicator in Label Studio and back.")
gold_app = typer.Typer(help="Inspect immutable gold versions: list, show, diff, quality.")

AnnotationsArg = Annotated[
    Path,
    typer.Argument(
        help="Annotations JSONL: one Document per article and annotator.", dir_okay=False
    ),
]
_GOLD_DIR = "gold"  # = gold.DEFAULT_GOLD_DIR (not imported: --help stays instant)
DirOpt = Annotated[
    Path,
    typer.Option(
        "--dir",
        help="Gold folder holding the vNNNN.jsonl versions (adjudicate -o writes them; "
        f"both default to {_GOLD_DIR}/).",
        file_okay=False,
        show_default=False,
    ),
]
AgreeOut = Annotated[str, output_file_option("agreement.md")]
DiffOut = Annotated[str, output_file_option("diff.md")]
QualityOut = Annotated[str, output_file_option("quality.md")]


class ReportFmt(StrEnum):
    json = "json"
    md = "md"
    html = "html"


class DiffFmt(StrEnum):
    json = "json"
    md = "md"


def _emit(text: str, output: str) -> None:
    from backchannel.atomic import atomic_write

    if output == "-":
        typer.echo(text, nl=False)
        return
    with atomic_write(output) as fh:
        fh.write(text)
    typer.echo(f"wrote {output}", err=True)


def _load_schema(path: Path | None):
    from backchannel.schema import load_schema

    return load_schema(path)


def agree_cli(
    annotations: AnnotationsArg,
    fmt: Annotated[ReportFmt, typer.Option("--format", help="Report format.")] = ReportFmt.md,
    output: AgreeOut = "-",
    bootstrap: Annotated[
        int,
        typer.Option("--bootstrap", min=0, help="Bootstrap resamples over documents (0: no CI)."),
    ] = 1000,
    seed: Annotated[
        int, typer.Option("--seed", help="Bootstrap seed (results are reproducible).")
    ] = 0,
    confidence: Annotated[
        float, typer.Option("--confidence", min=0.5, max=0.999, help="Confidence level.")
    ] = 0.95,
    gold: Annotated[
        Path | None,
        typer.Option(
            "--gold", help="Also score each annotator against this gold JSONL.", dir_okay=False
        ),
    ] = None,
    max_disagreements: Annotated[
        int | None,
        typer.Option("--max-disagreements", min=0, help="List at most N disagreements (md/html)."),
    ] = None,
    schema: SchemaOpt = None,
) -> None:
    """Inter-annotator agreement with confidence intervals and a disagreement list."""
    from backchannel.annotation.agreement.agree import agreement
    from backchannel.annotation.agreement.report import render_report

    report = agreement(
        annotations,
        schema=_load_schema(schema),
        resamples=bootstrap,
        seed=seed,
        confidence=confidence,
        gold=gold,
        progress=True,
    )
    if report.documents == 0:
        typer.echo(
            f"warning: no document in {annotations} has two or more annotators; "
            "agreement is undefined",
            err=True,
        )
    _emit(render_report(report, fmt.value, max_disagreements=max_disagreements), output)


def adjudicate_cli(
    annotations: AnnotationsArg,
    output: Annotated[
        Path,
        typer.Option(
            "-o",
            "--output",
            help=f"Gold folder (created if missing; default {_GOLD_DIR}/, where gold and review "
            "look unless given --dir).",
            file_okay=False,
            show_default=False,
        ),
    ] = Path(_GOLD_DIR),
    min_votes: Annotated[
        int, typer.Option("--min-votes", min=1, help="Votes an item needs to enter the gold.")
    ] = 2,
    version: Annotated[
        str | None,
        typer.Option("--version", help="Name the new version (vNNNN); an existing one is refused."),
    ] = None,
    schema: SchemaOpt = None,
) -> None:
    """Majority gold with provenance, plus a review list; writes a new gold version."""
    from backchannel.annotation.gold.adjudicate import adjudicate_file

    result = adjudicate_file(
        annotations,
        output,
        min_votes=min_votes,
        schema=_load_schema(schema),
        version=version,
        progress=True,
    )
    m = result.written.manifest
    c = result.counts
    if not result.written.created:
        typer.echo(f"{result.gold_path}: unchanged, same content as {m.version}; no new version")
        return
    typer.echo(
        f"{result.gold_path}: {m.version} (parent {m.parent or 'none'}): "
        f"{plural(c['documents'], 'document')}, "
        f"{plural(c['spans'], 'span')}, {plural(c['relations'], 'relation')}, "
        f"{plural(c['doc_labels'], 'document label')}"
    )
    if result.review_path:
        typer.echo(f"{result.review_path}: {plural(c.get('review_items', 0), 'item')} to review")


ReviewProjectOpt = Annotated[
    str, typer.Option("--project", help="Title of the Label Studio review project.")
]
VersionOpt = Annotated[
    str | None,
    typer.Option(
        "--version", help="Gold version to review (default: the latest).", show_default=False
    ),
]


def _studio(url: str | None, token: str | None):
    from backchannel.annotation.labelstudio.api import connect
    from backchannel.annotation.labelstudio.connection import resolve_connection

    return connect(resolve_connection(url, token))


@review_app.command("push")
def review_push_cli(
    annotations: AnnotationsArg,
    directory: DirOpt = Path(_GOLD_DIR),
    version: VersionOpt = None,
    project: ReviewProjectOpt = "backchannel-review",
    url: UrlOpt = None,
    token: TokenOpt = None,
    schema: SchemaOpt = None,
) -> None:
    """Push a gold version's review list to a Label Studio review project.

    One task per article with review items; pre-annotations show the agreed gold and, for each
    annotator, the candidates they proposed.  Pushing again adds nothing.
    """
    from backchannel.annotation.labelstudio.review import review_push

    result = review_push(
        annotations,
        directory,
        studio=_studio(url, token),
        project=project,
        version=version,
        schema=_load_schema(schema),
    )
    typer.echo(
        f"review of {result.version}: {plural(result.items, 'item')} in "
        f"{plural(result.documents, 'document')} -> "
        f"project {result.project!r} (id {result.project_id}): "
        f"{plural(result.created, 'task')} created, "
        f"{result.skipped} already there, "
        f"{plural(result.predictions_created, 'pre-annotation')} added"
    )


@review_app.command("pull")
def review_pull_cli(
    directory: DirOpt = Path(_GOLD_DIR),
    version: VersionOpt = None,
    project: ReviewProjectOpt = "backchannel-review",
    export: Annotated[
        Path | None,
        typer.Option(
            "--from-export",
            help="Read the decisions from a Label Studio JSON export instead of the server.",
            dir_okay=False,
        ),
    ] = None,
    adjudicator: Annotated[
        str | None,
        typer.Option("--adjudicator", help="Name recorded as decided_by (default: the annotator)."),
    ] = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
    schema: SchemaOpt = None,
) -> None:
    """Merge the adjudicator's decisions into the next gold version."""
    from backchannel.annotation.labelstudio.review import review_pull

    studio = None if export is not None else _studio(url, token)
    result = review_pull(
        directory,
        studio=studio,
        project=project,
        export=export,
        version=version,
        adjudicator=adjudicator,
        schema=_load_schema(schema),
    )
    m, st = result.written.manifest, result.stats
    head = (
        f"{Path(result.written.directory) / m.file}: {m.version} (parent {result.base})"
        if result.written.created
        else f"unchanged, same content as {m.version}"
    )
    typer.echo(
        f"{head}: {plural(st.documents_decided, 'document')} decided by "
        f"{', '.join(result.adjudicators)}; "
        f"{plural(st.kept, 'item')} kept, {st.decided} decided, {st.dropped} dropped; "
        f"{plural(st.review_items_resolved, 'review item')} resolved, {st.review_items_left} left"
    )


@gold_app.command("diff")
def gold_diff_cli(
    a: Annotated[str, typer.Argument(help="Old version (v0001, with --dir) or a gold JSONL path.")],
    b: Annotated[str, typer.Argument(help="New version (v0002, with --dir) or a gold JSONL path.")],
    directory: DirOpt = Path(_GOLD_DIR),
    fmt: Annotated[DiffFmt, typer.Option("--format", help="Output format.")] = DiffFmt.md,
    output: DiffOut = "-",
) -> None:
    """What changed between two gold versions, per document."""
    from backchannel.annotation.gold.diff import diff_to_markdown, gold_diff

    diff = gold_diff(a, b, directory=directory)
    if fmt is DiffFmt.json:
        text = msgspec.json.format(msgspec.json.encode(diff), indent=2).decode() + "\n"
    else:
        text = diff_to_markdown(diff)
    _emit(text, output)


@gold_app.command("list")
def gold_list_cli(
    directory: DirOpt = Path(_GOLD_DIR),
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifests as JSON.")] = False,
) -> None:
    """List the gold versions in a folder, oldest first (exit 1 when there is none)."""
    from backchannel.annotation.gold.versions import list_versions
    from backchannel.errors import GoldError

    versions = list_versions(directory)
    if not versions:
        missing = "" if directory.is_dir() else " (no such folder)"
        raise GoldError(
            f"no gold versions in {directory.as_posix()}/{missing}",
            hint="adjudicate writes them: backchannel adjudicate ANNOTATIONS -o DIR; "
            "list another folder with --dir DIR",
        )
    if as_json:
        typer.echo(msgspec.json.format(msgspec.json.encode(versions), indent=2).decode())
        return
    for m in versions:
        c = m.counts
        typer.echo(
            f"{m.version}  {m.created}  parent={m.parent or '-'}  method={m.method}  "
            f"documents={c.get('documents', 0)} spans={c.get('spans', 0)} "
            f"relations={c.get('relations', 0)} review={c.get('review_items', 0)}"
        )


@gold_app.command("show")
def gold_show_cli(
    version: Annotated[str, typer.Argument(help="Version name, e.g. v0001.")],
    directory: DirOpt = Path(_GOLD_DIR),
) -> None:
    """Print a version's manifest after checking its files against the recorded hashes."""
    from backchannel.annotation.gold.versions import verify_version

    manifest = verify_version(directory, version)
    typer.echo(msgspec.json.format(msgspec.json.encode(manifest), indent=2).decode())


@gold_app.command("quality")
def gold_quality_cli(
    annotations: AnnotationsArg,
    gold: Annotated[
        str, typer.Argument(help="Gold version (v0001, with --dir) or a gold JSONL path.")
    ],
    directory: DirOpt = Path(_GOLD_DIR),
    fmt: Annotated[DiffFmt, typer.Option("--format", help="Output format.")] = DiffFmt.md,
    output: QualityOut = "-",
    schema: SchemaOpt = None,
) -> None:
    """Precision, recall and F1 of each annotator against a gold version (strict match)."""
    from backchannel.annotation.agreement.quality import quality, quality_to_markdown

    result = quality(annotations, gold, directory=directory, schema=_load_schema(schema))
    if fmt is DiffFmt.json:
        text = msgspec.json.format(msgspec.json.encode(result), indent=2).decode() + "\n"
    else:
        text = quality_to_markdown(result)
    _emit(text, output)


def register(app: typer.Typer) -> None:
    app.command("agree")(agree_cli)
    app.command("adjudicate")(adjudicate_cli)
    app.add_typer(review_app, name="review")
    app.add_typer(gold_app, name="gold")
