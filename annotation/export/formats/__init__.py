"""The export's output formats, one module each, behind :class:`~.base.Writer`.

To add a format: write a module with a writer (``add(split, doc, bio)``, ``close(splits)``) and
a ``FORMAT = Format(...)``, and add it to :data:`FORMATS`.  ``export_dataset`` opens every
registered format (those with an ``option`` only when that flag is on) and feeds it the stream.
"""

from __future__ import annotations

from backchannel.annotation.export.formats import event_table, jsonl, parquet, spacy_docbin
from backchannel.annotation.export.formats.base import Format, Target, Writer

__all__ = ["FORMATS", "Format", "Target", "Writer"]

FORMATS: list[Format] = [parquet.FORMAT, jsonl.FORMAT, spacy_docbin.FORMAT, event_table.FORMAT]
"""Every format an export writes, in the order they are opened and closed."""
