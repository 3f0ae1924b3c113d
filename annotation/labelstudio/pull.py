"""Pull every annotation of a Label Studio project (or of an export file) as Documents.

Pull is lossless: it reads an export snapshot (one request for the whole project, not
task-by-task paging) with annotators and predictions serialised as objects, and converts every
annotation of every annotator; cancelled annotations are skipped and counted.  The output is
written atomically, so a region that does not fit its text leaves no file behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from backchannel.annotation.labelstudio import convert
from backchannel.annotation.labelstudio.api import Studio
from backchannel.documents import Document, write_documents
from backchannel.errors import ConversionError, InputError
from backchannel.schema import Schema

__all__ = ["PullResult", "documents_from_export", "pull", "pull_from_export"]


@dataclass
class PullResult:
    """What a pull read and wrote."""

    tasks: int = 0
    documents: int = 0
    cancelled: int = 0
    annotators: list[str] = field(default_factory=list)
    output: str | None = None


def _decode_export(raw: bytes, path: str | Path | None) -> list[dict[str, Any]]:
    try:
        tasks = msgspec.json.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise InputError(f"not a Label Studio JSON export: {exc}", path=path) from None
    if isinstance(tasks, dict) and "data" in tasks:
        tasks = [tasks]
    if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
        raise InputError(
            "not a Label Studio JSON export (expected a list of task objects)", path=path
        )
    return tasks


def documents_from_export(
    tasks: Iterable[Mapping[str, Any]],
    *,
    schema: Schema | None,
    users: Mapping[int, str] | None = None,
    project_id: int | None = None,
    path: str | Path | None = None,
    stats: PullResult | None = None,
) -> Iterator[Document]:
    """Documents of every non-cancelled annotation in exported tasks (lazily)."""
    stats = stats if stats is not None else PullResult()
    who: set[str] = set(stats.annotators)
    for task in tasks:
        try:
            got = convert.task_documents(task, users=users, schema=schema, project_id=project_id)
        except ConversionError as exc:
            if path is not None and exc.path is None:
                exc.path = str(path)
                exc.args = (exc.one_line(),)
            raise
        stats.tasks += 1
        stats.cancelled += got.cancelled
        for doc in got.documents:
            stats.documents += 1
            if doc.annotator:
                who.add(doc.annotator)
            yield doc
    stats.annotators = sorted(who)


def pull(
    studio: Studio,
    project: str,
    output: str | Path,
    schema: Schema | None,
) -> PullResult:
    """Write every annotation of ``project`` as Documents to ``output`` (atomically).

    Raises:
        ConversionError: a region does not fit its task text (names task and region); no file
            is written.
    """
    pid = studio.project_id(project)
    # The snapshot names annotators by email (serialisation options), so no user listing.
    tasks = _decode_export(studio.export_snapshot(pid), None)
    stats = PullResult(output=str(output))
    write_documents(
        documents_from_export(tasks, schema=schema, project_id=pid, stats=stats),
        output,
    )
    return stats


def pull_from_export(
    export: str | Path,
    output: str | Path,
    schema: Schema | None,
    *,
    users: Mapping[int, str] | None = None,
) -> PullResult:
    """Like :func:`pull`, from a JSON export file a user downloaded from the web UI."""
    try:
        raw = Path(export).read_bytes()
    except FileNotFoundError:
        raise InputError("no such export file", path=export) from None
    except OSError as exc:
        raise InputError(f"cannot read export file ({exc.strerror})", path=export) from None
    tasks = _decode_export(raw, export)
    stats = PullResult(output=str(output))
    write_documents(
        documents_from_export(tasks, schema=schema, users=users, path=export, stats=stats),
        output,
    )
    return stats
