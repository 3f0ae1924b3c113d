"""Gold -> a dataset folder that ``datasets``, pandas, spaCy and the Hub all open.

``export_dataset`` reads the gold twice and never holds more than ids and one batch in memory:

1. pass one validates every record against the schema and collects ``(id,
   meta.near_duplicate_of)``; :func:`~backchannel.annotation.export.splits.assign_splits` turns
   them into
   a seeded split plan (by article, near-duplicates together);
2. pass two streams each document to its split's writers: parquet (pyarrow, in batches, with the
   ``datasets.Features`` in the schema metadata), Document JSONL, spaCy DocBin shards, the event
   table and the statistics of the card.

The ``save_to_disk`` copy is written from the same batches (see
:mod:`~backchannel.annotation.export.hf_disk`) and checked by opening it with
``datasets.load_from_disk``; then the card is written.  Everything is built in a temporary
sibling folder renamed into place at the end
(:func:`~backchannel.atomic.atomic_directory`): on any error no output appears.

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
import hashlib
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from backchannel.annotation.export.features import RowCodec
from backchannel.annotation.export.hf_disk import (
    ArrowSplitWriter,
    check_load_from_disk,
    write_dataset_dict_json,
)
from backchannel.annotation.export.label_counts import SplitStats
from backchannel.annotation.export.splits import SplitPlan, assign_splits, parse_splits
from backchannel.annotation.export.tokenize import bio_tags
from backchannel.atomic import atomic_write
from backchannel.documents import encode_document, read_documents
from backchannel.errors import InputError, SchemaError

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


class _SplitWriter:
    """The writers of one split inside the temporary folder."""

    def __init__(
        self, root: Path, name: str, codec: RowCodec, batch_size: int, docbin: bool
    ) -> None:
        import pyarrow as pa

        from backchannel.annotation.export.docbin import DocBinWriter

        self.name = name
        self.codec = codec
        self.batch_size = batch_size
        self.features = codec.features()
        self.arrow_schema: pa.Schema = self.features.arrow_schema
        self.parquet_path = root / "data" / f"{name}.parquet"
        self.jsonl_path = root / "jsonl" / f"{name}.jsonl"
        self.stats = SplitStats()
        self.ids: list[str] = []
        self._rows: list[dict[str, Any]] = []
        self._pq: Any = None
        self._jsonl: Any = None
        self.docbin = DocBinWriter(root / "spacy" / name) if docbin else None
        self.arrow = ArrowSplitWriter(root, name, self.features)

    def add(self, doc: Any, vocab: Any) -> None:
        bio = bio_tags(doc.text, doc.spans, self.codec.span_labels)
        self._rows.append(self.codec.to_row(doc, bio))
        self.stats.add(doc, bio)
        self.ids.append(doc.id)
        if self._jsonl is None:
            self.jsonl_path.parent.mkdir(parents=True, exist_ok=True)
            self._jsonl = open(self.jsonl_path, "wb")  # noqa: SIM115 - closed in close()
        self._jsonl.write(encode_document(doc) + b"\n")
        if self.docbin is not None:
            from backchannel.annotation.export.docbin import to_spacy_doc

            self.docbin.add(to_spacy_doc(vocab, doc, self.codec.schema, bio))
        if len(self._rows) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self._rows:
            return
        table = pa.Table.from_pylist(self._rows, schema=self.arrow_schema)
        self._rows = []
        if self._pq is None:
            self.parquet_path.parent.mkdir(parents=True, exist_ok=True)
            self._pq = pq.ParquetWriter(self.parquet_path, self.arrow_schema)
        self._pq.write_table(table)
        self.arrow.write(table)

    def fingerprint_name(self) -> None:
        """Rename ``<split>.parquet`` to ``<split>-<content hash>.parquet``.

        ``datasets.load_dataset(folder)`` caches by folder name and data file names, not by
        content (datasets 5.x): two exports to folders of the same name would share a cache
        entry and the second would load the first's rows.  A content hash in the file name
        gives every distinct export its own cache entry, and identical exports the same one.
        """
        digest = hashlib.sha256()
        with open(self.parquet_path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        target = self.parquet_path.with_name(f"{self.name}-{digest.hexdigest()[:12]}.parquet")
        os.replace(self.parquet_path, target)
        self.parquet_path = target

    def close(self) -> None:
        self.flush()
        if self._pq is not None:
            self._pq.close()
        self.arrow.close()
        if self._jsonl is not None:
            self._jsonl.close()
        if self.docbin is not None:
            self.docbin.flush()


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
    root: Path,
    schema: Schema,
    plan: SplitPlan,
    codec: RowCodec,
    *,
    batch_size: int,
    docbin: bool,
    events: bool,
    progress: bool,
    total: int,
) -> tuple[dict[str, _SplitWriter], Any]:
    """Pass two: each document to its split's writers and to the event table; all closed."""
    from backchannel.progress import track

    vocab = None
    writers: dict[str, _SplitWriter] = {}
    events_writer = None
    with contextlib.ExitStack() as stack:
        if docbin:
            import spacy

            from backchannel.annotation.export.docbin import fast_msgpack

            vocab = spacy.blank(schema.language).vocab
            stack.enter_context(fast_msgpack())
        if events:
            from backchannel.annotation.export.events import EventsWriter, document_contacts

            (root / "events").mkdir()
            ev = root / "events"
            events_writer = EventsWriter(
                stack.enter_context(open(ev / "events.parquet", "wb")),
                stack.enter_context(open(ev / "events.csv", "wb")),
                unpaired_parquet=stack.enter_context(open(ev / "events_unpaired.parquet", "wb")),
                unpaired_csv=stack.enter_context(open(ev / "events_unpaired.csv", "wb")),
            )
        docs = read_documents(gold, schema=schema)
        for doc in track(docs, "export", total=total) if progress else docs:
            name = plan.assignment.get(doc.id)
            if name is None:
                raise InputError(
                    "document not seen in the first pass: the gold file changed during export",
                    path=gold,
                    doc_id=doc.id,
                )
            writer = writers.get(name)
            if writer is None:
                writer = writers[name] = _SplitWriter(root, name, codec, batch_size, docbin)
            writer.add(doc, vocab)
            if events_writer is not None:
                events_writer.add(*document_contacts(doc, schema))
        for writer in writers.values():
            writer.close()
        if events_writer is not None:
            events_writer.close()
    return writers, events_writer


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
    from backchannel.annotation.export.card import (
        CardInput,
        load_agreement,
        render_card,
        synthetic_annotators,
        validate_card,
    )
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

    if events:
        from backchannel.annotation.export.events import check_event_schema

        try:
            check_event_schema(schema)
        except SchemaError as exc:  # the newcomer's remedy is an export option, say so
            raise SchemaError(exc.message, path=exc.path, hint="export with --no-events") from None
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
        writers, events_writer = _stream(
            gold, root, schema, plan, codec, batch_size=batch_size, docbin=docbin,
            events=events, progress=progress, total=len(articles),
        )  # fmt: skip
        ordered = {name: writers[name] for name, _ in shares if name in writers}
        for writer in ordered.values():
            writer.fingerprint_name()

        write_dataset_dict_json(root, list(ordered))
        check_load_from_disk(root, {name: w.stats.documents for name, w in ordered.items()})

        if events_writer is not None:
            events_writer.graph.draw(root / "events" / "graph.png")
        if docbin:
            from backchannel.annotation.export.docbin import spacy_config

            dev = (
                "validation"
                if "validation" in ordered
                else ("test" if "test" in ordered else "train")
            )
            with atomic_write(root / "spacy" / "config.cfg") as fh:
                fh.write(spacy_config("spacy/train", f"spacy/{dev}", lang=schema.language))

        stats = {name: w.stats for name, w in ordered.items()}
        total = SplitStats()
        for st in stats.values():
            total = total.merged(st)
        with atomic_write(root / "features.json") as fh:
            json.dump(codec.features().to_dict(), fh, indent=1, ensure_ascii=False)
            fh.write("\n")
        with atomic_write(root / "splits.json") as fh:
            json.dump(
                {
                    "seed": seed,
                    "shares": plan.fractions,
                    "groups": plan.groups,
                    "splits": {name: w.ids for name, w in ordered.items()},
                },
                fh,
                indent=1,
            )
            fh.write("\n")
        card = render_card(
            CardInput(
                schema=schema,
                stats=stats,
                total=total,
                split_fractions=plan.fractions,
                seed=seed,
                files={name: f"data/{w.parquet_path.name}" for name, w in ordered.items()},
                pretty_name=pretty_name or f"backchannel {schema.name} gold",
                agreement=agreement_data,
                agreement_source=Path(agreement).name if agreement is not None else None,
                synthetic_annotators=(
                    synthetic_annotators(agreement_data, agreement)
                    if agreement_data is not None and agreement is not None
                    else []
                ),
                events=events_writer.rows if events_writer is not None else None,
                groups=plan.groups,
                docbin=docbin,
            )
        )
        validate_card(card)
        with atomic_write(root / "README.md") as fh:
            fh.write(card)
        os.chmod(root, 0o755)  # mkdtemp made it private; a dataset folder is for sharing
        files = {
            str(p.relative_to(root)): p.stat().st_size
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }
    return ExportResult(
        output=str(out),
        documents=len(articles),
        splits={name: w.stats.documents for name, w in ordered.items()},
        files=files,
        stats=stats,
        events=events_writer.rows if events_writer is not None else None,
        seconds=time.perf_counter() - started,
    )
