"""``spacy/<split>/NNNN.spacy`` DocBin shards and ``spacy/config.cfg``, a spancat config for them.

The ``Doc`` layout is :mod:`backchannel.annotation.export.docbin`'s; this module only feeds it
the export's stream, with one blank vocabulary for every split.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backchannel.annotation.export.formats.base import Format, Target
from backchannel.atomic import atomic_write

if TYPE_CHECKING:
    from backchannel.annotation.export.docbin import DocBinWriter
    from backchannel.annotation.export.tokenize import BioResult
    from backchannel.documents import Document

__all__ = ["FORMAT", "SpacyWriter"]


class SpacyWriter:
    """A sharded DocBin per split; the training config names the splits that exist."""

    def __init__(self, target: Target) -> None:
        import spacy

        from backchannel.annotation.export.docbin import fast_msgpack

        self.root = target.root
        self.schema = target.schema
        self.vocab = spacy.blank(target.schema.language).vocab
        self.bins: dict[str, DocBinWriter] = {}
        target.stack.enter_context(fast_msgpack())

    def add(self, split: str, doc: Document, bio: BioResult) -> None:
        from backchannel.annotation.export.docbin import DocBinWriter, to_spacy_doc

        writer = self.bins.get(split)
        if writer is None:
            writer = self.bins[split] = DocBinWriter(self.root / "spacy" / split)
        writer.add(to_spacy_doc(self.vocab, doc, self.schema, bio))

    def close(self, splits: list[str]) -> dict[str, Any]:
        from backchannel.annotation.export.docbin import spacy_config

        for writer in self.bins.values():
            writer.flush()
        dev = next((s for s in ("validation", "test") if s in splits), "train")
        with atomic_write(self.root / "spacy" / "config.cfg") as fh:
            fh.write(spacy_config("spacy/train", f"spacy/{dev}", lang=self.schema.language))
        return {"docbin": True}


FORMAT = Format(name="spacy", open=SpacyWriter, option="docbin")
