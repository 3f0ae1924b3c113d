"""``jsonl/<split>.jsonl``: the gold Documents of each split, unchanged (backchannel format)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, BinaryIO

from backchannel.annotation.export.formats.base import Format, Target
from backchannel.documents import encode_document

if TYPE_CHECKING:
    from backchannel.annotation.export.tokenize import BioResult
    from backchannel.documents import Document

__all__ = ["FORMAT", "JsonlWriter"]


class JsonlWriter:
    """One Document JSON line per article, in the gold file's order, a file per split."""

    def __init__(self, target: Target) -> None:
        self.dir = target.root / "jsonl"
        self.stack = target.stack
        self.files: dict[str, BinaryIO] = {}

    def add(self, split: str, doc: Document, bio: BioResult) -> None:
        fh = self.files.get(split)
        if fh is None:
            self.dir.mkdir(parents=True, exist_ok=True)
            fh = open(self.dir / f"{split}.jsonl", "wb")  # noqa: SIM115 - the stack closes it
            self.files[split] = self.stack.enter_context(fh)
        fh.write(encode_document(doc) + b"\n")

    def close(self, splits: list[str]) -> dict[str, Any]:
        for fh in self.files.values():
            fh.close()
        return {}


FORMAT = Format(name="jsonl", open=JsonlWriter)
