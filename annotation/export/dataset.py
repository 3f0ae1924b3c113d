"""Gold -> a dataset folder that ``datasets``, pandas, spaCy and the Hub all open.

``export_dataset`` reads the gold twice and never holds more than ids and one batch in memory:

1. pass one validates every record against the schema and collects ``(id,
   meta.near_duplicate_of)``; :func:`~backchannel.annotation.export.splits.assign_splits` turns
   them into
   a seeded split plan (by article, near-duplicates together);
2. pass two streams each document, with its split and its BIO view, to the writer of every
   enabled output format (:data:`~backchannel.annotation.export.formats.FORMATS`: parquet and
   the ``save_to_disk`` copy, Document JSONL, spaCy DocBin shards, the event table) and counts
   it for the card; then every writer is closed with the splits that received documents.

The formats share one small protocol (:class:`~backchannel.annotation.export.formats.Writer`),
so adding one is a module and a line in ``FORMATS``.  Then ``features.json``, ``splits.json``
and the card are written.  Everything is built in a temporary sibling folder renamed into place
at the end (:func:`~backchannel.atomic.atomic_directory`): on any error no output appears.

Layout of the folder::

    README.md                   dataset card (Hub YAML: configs -> data/*.parquet)
    data/<split>-<hash>.parquet what datasets.load_dataset(folder) reads (hash: of the content,
                                so load_dataset's cache never serves an older export)
    <split>/, dataset_dict.json what datasets.load_from_disk(folder) reads
    jsonl/<split>.jsonl         the gold Documents of the split (backchannel format, lossless)
    spacy/<split>/NNNN.spacy    spaCy DocBin shards; spacy/config.cfg trains a spancat on them
    events/events.parquet|csv   the who-talks-to-whom table (pairs of resolved actors);
                                events_unpaired.*: contacts with fewer than two; graph.png
    features.json               the datasets.Features, as a dict
    splits.json                 seed, shares, and the article ids of each split
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from backchannel.annotation.export.features import RowCodec
from backchannel.annotation.export.formats import FORMATS, Format, Target
from backchannel.annotation.export.label_counts import SplitStats
from backchannel.annotation.export.splits import SplitPlan, assign_splits, parse_splits
from backchannel.annotation.export.tokenize import bio_tags
from backchannel.atomic import atomic_write
from backchannel.documents import read_documents
from backchannel.errors import InputError

if TYPE_CHECKING:
    from backchannel.schema import Schema

__all__ = ["ExportResult", "export_dataset"]


class ExportResult(msgspec.Struct):
    """What :func:`export_dataset` wrote.

    Attributes:
        output: the dataset folder.
        documents: articles exported.
        splits: articles per split (splits that received none are not written).
        files: every file written, relative to ``output``, with its size in bytes.
        stats: the per-split statistics shown in the card.
        events: contact rows in the event table (``None`` when not written).
        seconds: wall-clock time.
    """

    output: str
    documents: int
    splits: dict[str, int]
    files: dict[str, int]
    stats: dict[str, SplitStats]
    events: int | None
    seconds: float


def _first_pass(gold: str | Path, schema: Schema) -> tuple[list[tuple[str, str | None]], int]:
    """Every article's ``(id, near_duplicate_of)``, and how many carry any annotation."""
    articles: list[tuple[str, str | None]] = []
    annotated = 0
    seen: set[str] = set()
    for doc in read_documents(gold, schema=schema):
        annotated += bool(doc.spans or doc.relations or doc.doc_labels)
        if doc.id in seen:
            raise InputError(
                "duplicate document id: a gold file has each article once",
                path=gold,
                doc_id=doc.id,
            )
        seen.add(doc.id)
        dup = doc.meta.get("near_duplicate_of")
        articles.append((doc.id, str(dup) if dup else None))
    return articles, annotated


def _stream(
    gold: str | Path,
    target: Target,
    formats: list[Format],
    plan: SplitPlan,
    shares: list[tuple[str, float]],
    *,
    progress: bool,
    total: int,
) -> tuple[dict[str, SplitStats], dict[str, list[str]], dict[str, Any]]:
    """Pass two: each document to every format's writer; all closed.

    Returns:
        The statistics and article ids of each split with documents (in split order), and
        what the formats tell the card.
    """
    from backchannel.progress import track

    stats: dict[str, SplitStats] = {}
    ids: dict[str, list[str]] = {}
    facts: dict[str, Any] = {}
    with target.stack:
        writers = [fmt.open(target) for fmt in formats]
        docs = read_documents(gold, schema=target.schema)
        for doc in track(docs, "export", total=total) if progress else docs:
            split = plan.assignment.get(doc.id)
            if split is None:
                raise InputError(
                    "document not seen in the first pass: the gold file changed during export",
                    path=gold,
                    doc_id=doc.id,
                )
            bio = bio_tags(doc.text, doc.spans, target.codec.span_labels)
            stats.setdefault(split, SplitStats()).add(doc, bio)
            ids.setdefault(split, []).append(doc.id)
            for writer in writers:
                writer.add(split, doc, bio)
        order = [name for name, _ in shares if name in stats]
        for writer in writers:
            facts.update(writer.close(order))
    return {s: stats[s] for s in order}, {s: ids[s] for s in order}, facts


def export_dataset(
    gold: str | Path,
    output: str | Path,
    *,
    schema: Schema | None = None,
    splits: str = "80/10/10",
    seed: int = 13,
    agreement: str | Path | None = None,
    pretty_name: str | None = None,
    overwrite: bool = False,
    docbin: bool = True,
    events: bool = True,
    allow_empty: bool = False,
    batch_size: int = 1000,
    progress: bool = False,
) -> ExportResult:
    """Export a gold file to a dataset folder (layout in the module docstring).

    Args:
        gold: Document JSONL, one gold record per article.
        output: the folder to create.
        schema: defaults to the bundled schema.
        splits: shares, ``"80/10/10"`` (train/validation/test), ``"90/10"`` or ``"100"``.
        seed: split seed; the same gold and seed give the same splits.
        agreement: the agreement JSON of ``backchannel agree``, for the card.
        pretty_name: the card's title (default from the schema name).
        overwrite: replace an existing folder (only once the new one is complete).
        docbin: write spaCy DocBins and a training config.
        events: write the event table and graph.
        allow_empty: export even when no article has a span, relation or document label (a
            raw corpus is otherwise refused: its card would call 0 spans a "gold").
        batch_size: rows per parquet write; bounds memory.
        progress: show a progress bar on a terminal.

    Raises:
        DocumentError: a bad gold record (nothing is written).
        InputError: bad options, an existing output folder without ``overwrite``.

    Example:
        >>> export_dataset("corpora/diplomacy/gold.jsonl", "out/dataset")  # doctest: +SKIP
    """
    from backchannel.annotation.export.card_agreement import load_agreement
    from backchannel.atomic import atomic_directory, recover_leftovers
    from backchannel.schema import load_schema

    started = time.perf_counter()
    schema = schema or load_schema()
    shares = parse_splits(splits)
    out = Path(output)
    recover_leftovers(out)  # a killed --overwrite may have left the old folder aside: restore it
    if out.exists() and not overwrite:
        raise InputError("output folder already exists", path=out, hint="use --overwrite")
    if out.exists() and not out.is_dir():
        raise InputError("output exists and is not a folder", path=out)
    agreement_data = load_agreement(agreement) if agreement is not None else None
    options = {"docbin": docbin, "events": events}
    formats = [f for f in FORMATS if f.option is None or options[f.option]]
    for fmt in formats:
        if fmt.check is not None:
            fmt.check(schema)
    articles, annotated = _first_pass(gold, schema)
    if not articles:
        raise InputError("no documents to export", path=gold)
    if not annotated and not allow_empty:
        raise InputError(
            f"no annotations in any of the {len(articles)} documents: this is a corpus, not a gold",
            path=gold,
            hint="export an adjudicated gold (backchannel adjudicate), or pass --allow-empty "
            "to export unannotated texts",
        )
    plan: SplitPlan = assign_splits(articles, shares, seed)
    codec = RowCodec(schema)

    with atomic_directory(out, overwrite=overwrite) as root:
        target = Target(
            root=root, schema=schema, codec=codec, batch_size=batch_size,
            stack=contextlib.ExitStack(),
        )  # fmt: skip
        stats, ids, facts = _stream(
            gold, target, formats, plan, shares, progress=progress, total=len(articles)
        )
        with atomic_write(root / "features.json") as fh:
            json.dump(codec.features().to_dict(), fh, indent=1, ensure_ascii=False)
            fh.write("\n")
        with atomic_write(root / "splits.json") as fh:
            json.dump(
                {"seed": seed, "shares": plan.fractions, "groups": plan.groups, "splits": ids},
                fh,
                indent=1,
            )
            fh.write("\n")
        _write_card(
            root, schema, stats, plan, seed, {"docbin": False, "events": None, **facts},
            pretty_name=pretty_name, agreement=agreement, agreement_data=agreement_data,
        )  # fmt: skip
        os.chmod(root, 0o755)  # mkdtemp made it private; a dataset folder is for sharing
        files = {
            str(p.relative_to(root)): p.stat().st_size
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }
    return ExportResult(
        output=str(out),
        documents=len(articles),
        splits={name: st.documents for name, st in stats.items()},
        files=files,
        stats=stats,
        events=facts.get("events"),
        seconds=time.perf_counter() - started,
    )


def _write_card(
    root: Path,
    schema: Schema,
    stats: dict[str, SplitStats],
    plan: SplitPlan,
    seed: int,
    facts: dict[str, Any],
    *,
    pretty_name: str | None,
    agreement: str | Path | None,
    agreement_data: dict[str, Any] | None,
) -> None:
    """Render, check and write ``README.md`` from the statistics and what the formats wrote."""
    from backchannel.annotation.export import card
    from backchannel.annotation.export.card_agreement import synthetic_annotators
    from backchannel.annotation.export.card_metadata import validate_card

    total = SplitStats()
    for st in stats.values():
        total = total.merged(st)
    text = card.render_card(
        card.CardInput(
            schema=schema,
            stats=stats,
            total=total,
            split_fractions=plan.fractions,
            seed=seed,
            pretty_name=pretty_name or f"backchannel {schema.name} gold",
            agreement=agreement_data,
            agreement_source=Path(agreement).name if agreement is not None else None,
            synthetic_annotators=(
                synthetic_annotators(agreement_data, agreement)
                if agreement_data is not None and agreement is not None
                else []
            ),
            groups=plan.groups,
            **facts,
        )
    )
    validate_card(text)
    with atomic_write(root / "README.md") as fh:
        fh.write(text)
