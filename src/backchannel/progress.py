"""Progress bars for long work: on stderr, only for a terminal, with an off switch.

Pipelines and CI logs must stay clean, so a bar appears only when stderr is a TTY and
``BACKCHANNEL_NO_PROGRESS`` is unset.  Library functions take ``progress: bool`` and call
:func:`track`; nothing else in the code base draws a bar.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def progress_enabled() -> bool:
    """True when a bar would be seen by a person."""
    if os.environ.get("BACKCHANNEL_NO_PROGRESS"):
        return False
    return sys.stderr.isatty()


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Yield ``items`` with a transient rich progress bar on stderr when enabled."""
    if not progress_enabled():
        yield from items
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            bar.advance(task)
