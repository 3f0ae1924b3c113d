"""``backchannel schema``: the label config, validation and the annotator guide, from one file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from backchannel.cli.common import SchemaOpt
from backchannel.text import plural

schema_app = typer.Typer(
    help="Derive the Label Studio config and the guide; validate Documents.", no_args_is_help=True
)


@schema_app.command("config")
def config_cli(schema: SchemaOpt = None) -> None:
    """Print the Label Studio labeling config XML derived from the schema."""
    from backchannel.annotation.labelstudio.config import label_config
    from backchannel.schema import load_schema

    typer.echo(label_config(load_schema(schema)), nl=False)


@schema_app.command("guide")
def guide_cli(schema: SchemaOpt = None) -> None:
    """Print the annotator guide (Markdown) rendered from the schema."""
    from backchannel.annotation.guide import render_guide
    from backchannel.schema import load_schema

    typer.echo(render_guide(load_schema(schema)), nl=False)


@schema_app.command("validate")
def validate_cli(
    files: Annotated[list[str], typer.Argument(help="Document JSONL files (- for stdin).")],
    schema: SchemaOpt = None,
    complete: Annotated[
        bool,
        typer.Option("--complete", help="Also require every required attribute (for gold)."),
    ] = False,
) -> None:
    """Validate Documents: offsets, span texts, relation ends, labels and attribute values."""
    from backchannel.documents import read_documents
    from backchannel.errors import DocumentError
    from backchannel.schema import load_schema

    sch = load_schema(schema)
    for path in files:
        docs = spans = rels = 0
        for doc in read_documents(path, schema=sch, unique=True):
            if complete:
                missing = sch.missing_required(doc)
                if missing:
                    raise DocumentError(
                        f"incomplete: {missing[0]}"
                        + (f" (+{len(missing) - 1} more)" if len(missing) > 1 else ""),
                        path=path,
                        doc_id=doc.id,
                    )
            docs += 1
            spans += len(doc.spans)
            rels += len(doc.relations)
        typer.echo(
            f"{path}: {plural(docs, 'document')}, {plural(spans, 'span')}, "
            f"{plural(rels, 'relation')}: valid"
        )


@schema_app.command("show")
def show_cli(schema: SchemaOpt = None) -> None:
    """Print the schema's name, version, file and label sets."""
    from backchannel.schema import load_schema

    sch = load_schema(schema)
    typer.echo(f"{sch.name} {sch.version} ({Path(sch.path)})")
    typer.echo(f"spans: {', '.join(sch.span_labels)}")
    typer.echo(f"relations: {', '.join(sch.relation_labels)}")
    typer.echo(f"doc labels: {', '.join(sch.doc_labels)}")


def register(app: typer.Typer) -> None:
    app.add_typer(schema_app, name="schema")
