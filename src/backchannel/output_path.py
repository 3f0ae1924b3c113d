"""One rule for every command that writes one file: ``-o`` must name a file, not a folder.

Without this check ``ingest x.jsonl -o /tmp`` did all the work and then died in ``os.replace``
with an ``IsADirectoryError`` traceback.  Commands whose ``-o`` *is* a folder (``export``,
``adjudicate``, ``train``) do not use it.  The check runs twice: as a typer callback on every
single-file ``-o`` (so a command fails before doing any work, with an example file name that
fits it), and in :func:`~backchannel.atomic.atomic_write` (so a Python caller gets the
same typed error instead of a traceback).
"""

from __future__ import annotations

import os
from pathlib import Path

from backchannel.errors import InputError

__all__ = ["check_output_file"]

STDIO = "-"


def check_output_file(path: str | Path, example: str = "output.jsonl") -> None:
    """Refuse an output path that names a folder (an existing one, or one written ``out/``).

    Args:
        path: the ``-o`` value; ``-`` (standard output) is always fine.
        example: a file name that suits the command, suggested inside the folder.

    Raises:
        InputError: ``-o PATH is a folder; name a file, e.g. PATH/EXAMPLE``.
    """
    text = str(path)
    if text == STDIO:
        return
    if os.path.isdir(text) or text.endswith(("/", os.sep)):
        suggestion = Path(text) / example
        raise InputError(f"-o {text} is a folder; name a file, e.g. {suggestion.as_posix()}")
