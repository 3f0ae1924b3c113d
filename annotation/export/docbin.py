"""Gold Documents -> spaCy ``Doc`` objects and sharded ``DocBin`` files.

What a ``Doc`` carries (spaCy 3):

* words from :mod:`~backchannel.annotation.export.tokenize` (cut at every span boundary), so
  ``doc.text == document.text`` exactly and every span is token-aligned;
* ``doc.spans["sc"]``: every span, labelled, overlaps and nesting included (what ``spancat``
  trains on); each spaCy ``Span`` keeps the gold span id in ``Span.id_``;
* ``doc.ents``: the non-overlapping subset (longest first, then earliest: the BIO rule), for
  ``ner``;
* ``doc.cats``: one category ``"<doc label>=<value>"`` per document label value, 1.0 for the
  annotated value and 0.0 for the others (absent labels add nothing);
* ``doc.user_data["backchannel"]``: the lossless rest, as plain JSON-able data: ``id``,
  ``meta``, ``doc_labels``, ``spans`` (id, start, end, label, attrs: character offsets),
  ``relations`` (id, head, tail, label, attrs: span ids).  DocBin stores it as msgpack, so
  lists come back as tuples.

A split is written as ``<dir>/<split>/NNNN.spacy`` shards of at most ``shard_size`` documents, so
memory stays flat however large the corpus; ``spacy train`` accepts the directory as a corpus.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backchannel.annotation.export.tokenize import BioResult, bio_tags, spacy_words

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    from backchannel.documents import Document
    from backchannel.schema import Schema

__all__ = [
    "SPAN_KEY",
    "DocBinWriter",
    "fast_msgpack",
    "spacy_config",
    "to_spacy_doc",
    "user_data_of",
]

SPAN_KEY = "sc"
USER_KEY = "backchannel"


def user_data_of(doc: Document) -> dict[str, Any]:
    """The lossless part of a Document kept in ``doc.user_data["backchannel"]``."""
    return {
        "id": doc.id,
        "meta": doc.meta,
        "doc_labels": dict(doc.doc_labels),
        "spans": [
            {"id": s.id, "start": s.start, "end": s.end, "label": s.label, "attrs": dict(s.attrs)}
            for s in doc.spans
        ],
        "relations": [
            {"id": r.id, "head": r.head, "tail": r.tail, "label": r.label, "attrs": dict(r.attrs)}
            for r in doc.relations
        ],
    }


def to_spacy_doc(vocab: Vocab, doc: Document, schema: Schema, bio: BioResult | None = None) -> Doc:
    """Build the spaCy ``Doc`` of a gold Document (see the module docstring for the layout)."""
    from spacy.tokens import Doc, Span

    if bio is None:
        bio = bio_tags(doc.text, doc.spans, schema.span_labels)
    words, spaces = spacy_words(doc.text, bio.tokens)
    sdoc = Doc(vocab, words=words, spaces=spaces)
    group = []
    by_id = {}
    for s in doc.spans:
        piece = sdoc.char_span(s.start, s.end, label=s.label, span_id=s.id)
        if piece is None:  # whitespace at a span edge: spaCy words never split whitespace runs
            piece = sdoc.char_span(
                s.start, s.end, label=s.label, span_id=s.id, alignment_mode="contract"
            )
        if piece is None or len(piece) == 0:
            continue
        group.append(piece)
        by_id[s.id] = piece
    sdoc.spans[SPAN_KEY] = group
    sdoc.ents = [
        Span(sdoc, by_id[s.id].start, by_id[s.id].end, label=s.label, span_id=s.id)
        for s in bio.tagged
        if s.id in by_id
    ]
    for name, adef in schema.doc_labels.items():
        if name in doc.doc_labels:
            for value in adef.values:
                sdoc.cats[f"{name}={value}"] = 1.0 if doc.doc_labels[name] == value else 0.0
    sdoc.user_data[USER_KEY] = user_data_of(doc)
    return sdoc


@contextlib.contextmanager
def fast_msgpack() -> Iterator[None]:
    """Look srsly's msgpack encoders up once instead of once per packed object.

    ``DocBin.add`` packs each Doc's ``user_data`` and span groups with srsly, whose ``Packer``
    asks the ``catalogue`` registry for its encoders on every call, which scans the installed
    packages' entry points each time: more than half the export's time at 5,000 documents.
    The registry's answer cannot change during an export, so it is snapshotted for the
    duration and restored afterwards (same encoders, entry-point ones included).
    """
    from srsly import msgpack

    registry = msgpack.msgpack_encoders
    encoders = registry.get_all()
    previous = vars(registry).get("get_all")
    registry.get_all = lambda: dict(encoders)  # type: ignore[method-assign]
    try:
        yield
    finally:
        if previous is None:
            del registry.get_all
        else:
            registry.get_all = previous  # type: ignore[method-assign]


class DocBinWriter:
    """Append Docs for one split; writes a ``.spacy`` shard every ``shard_size`` documents.

    A DocBin holds its documents in memory until written, and an export has one per split, so
    the shard size bounds memory: 500 documents (a few MB) per split.

    Args:
        directory: the split's folder (created on the first shard).
        shard_size: documents per shard file.
    """

    def __init__(self, directory: Path, shard_size: int = 500) -> None:
        self.directory = directory
        self.shard_size = shard_size
        self.files: list[Path] = []
        self.count = 0
        self._bin: Any = None

    def add(self, sdoc: Doc) -> None:
        from spacy.tokens import DocBin

        if self._bin is None:
            self._bin = DocBin(store_user_data=True)
        self._bin.add(sdoc)
        self.count += 1
        if len(self._bin) >= self.shard_size:
            self.flush()

    def flush(self) -> None:
        """Write the pending shard, if any."""
        if self._bin is None or len(self._bin) == 0:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{len(self.files):04d}.spacy"
        self._bin.to_disk(path)
        self.files.append(path)
        self._bin = None


def spacy_config(
    train: str = "spacy/train",
    dev: str = "spacy/validation",
    *,
    lang: str = "en",
    width: int = 96,
    max_epochs: int = 0,
    max_steps: int = 20000,
    ngram_sizes: tuple[int, ...] = (1, 2, 3, 4, 5),
) -> str:
    """A ``spacy train`` config for a blank-pipeline ``spancat`` on the exported DocBins.

    Generated by spaCy's own ``init_config`` (efficiency preset), then adjusted: our span key,
    n-gram suggester sizes covering multi-word actors, the given tok2vec width, and corpus paths.
    Paths can be overridden at train time (``--paths.train``, ``--paths.dev``).
    """
    from spacy.cli.init_config import init_config

    config = init_config(lang=lang, pipeline=["spancat"], optimize="efficiency", gpu=False)
    config["paths"]["train"] = train
    config["paths"]["dev"] = dev
    spancat = config["components"]["spancat"]
    spancat["spans_key"] = SPAN_KEY
    spancat["suggester"]["sizes"] = list(ngram_sizes)
    tok2vec = config["components"]["tok2vec"]["model"]
    tok2vec["embed"]["width"] = width
    tok2vec["encode"]["width"] = width
    config["training"]["max_epochs"] = max_epochs
    config["training"]["max_steps"] = max_steps
    return config.to_str()
