"""The one protocol every export format implements, and the record that registers a format.

An export streams each document once; every enabled format's :class:`Writer` sees it with its
split and its BIO view (computed once, shared), then is closed once with the splits that
received documents.  What a format wants the card to say (its files, a row count) it returns
from :meth:`Writer.close`.  Adding a format is one module defining a :class:`Format` and one line
in :data:`backchannel.annotation.export.formats.FORMATS`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from backchannel.annotation.export.features import RowCodec
    from backchannel.annotation.export.tokenize import BioResult
    from backchannel.documents import Document
    from backchannel.schema import Schema

__all__ = ["Format", "Target", "Writer"]


@dataclass(frozen=True, kw_only=True)
class Target:
    """What every format writes into and with.

    Attributes:
        root: the (temporary) dataset folder.
        schema: the export's schema.
        codec: Documents to dataset rows (features derived from the schema).
        batch_size: rows per write, which bounds memory.
        stack: closes what a writer opens (files, context managers) when the stream ends.
    """

    root: Path
    schema: Schema
    codec: RowCodec
    batch_size: int
    stack: contextlib.ExitStack


class Writer(Protocol):
    """One output format, fed document by document."""

    def add(self, split: str, doc: Document, bio: BioResult) -> None:
        """Write one gold document of ``split``."""

    def close(self, splits: list[str]) -> dict[str, Any]:
        """Finish every file; ``splits`` are those with documents, in split order.

        Returns:
            Fields of :class:`~backchannel.annotation.export.card.CardInput` this format sets
            (``files``, ``docbin``, ``events``); empty when the card needs nothing from it.
        """


@dataclass(frozen=True, kw_only=True)
class Format:
    """A registered export format.

    Attributes:
        name: what the format is called in messages and docs.
        open: makes the format's writer for one export.
        option: the ``export_dataset`` flag that turns it off, ``None`` if it is always written.
        check: refuses, before anything is written, a schema the format cannot serve.
    """

    name: str
    open: Callable[[Target], Writer]
    option: str | None = None
    check: Callable[[Schema], None] | None = None
