"""Immutable gold versions: ``gold/vNNNN.jsonl`` with a manifest, never edited in place.

Layout of a gold directory::

    gold/
      v0001.jsonl            the gold Documents (with provenance)
      v0001.review.jsonl     what adjudication left to a person (see review_list.py)
      v0001.manifest.json    content hash, parent version, counts, time, inputs
      v0002.jsonl ...
      .lock                  held while a version is written (flock; safe to delete when idle)

Why versions rather than one gold file: an experiment reports "trained on gold v0003", a reviewer
asks what changed since v0002, and nobody can silently edit a published gold.  Every file is
written with :func:`~backchannel.atomic.atomic_write`, the manifest last: a version
exists when its manifest does, and its ``sha256`` lets :func:`verify_version` catch later edits.
Writing a version that exists raises :class:`GoldError`; there is no overwrite switch.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from backchannel.annotation.gold.review_list import ReviewItem, encode_review
from backchannel.atomic import atomic_write
from backchannel.documents import Document, encode_document, read_documents
from backchannel.errors import GoldError, quote

DEFAULT_GOLD_DIR = Path("gold")
"""The one default gold folder: ``adjudicate`` writes there, ``gold`` and ``review`` read there.

Top level rather than under ``out/``: a gold version is a kept, versioned artefact (commit it),
while ``out/`` holds regenerable output.
"""

__all__ = [
    "DEFAULT_GOLD_DIR",
    "GoldManifest",
    "InputInfo",
    "VersionWritten",
    "file_sha256",
    "gold_counts",
    "latest_version",
    "list_versions",
    "read_manifest",
    "read_version",
    "resolve_version",
    "verify_version",
    "write_version",
]

_VERSION = re.compile(r"^v(\d{4,})$")
_VERSION_FILE = re.compile(r"^v(\d{4,})\.")


class InputInfo(msgspec.Struct):
    """An input file of a version: where it was, its hash, and what it held."""

    path: str
    sha256: str
    documents: int = 0
    annotators: list[str] = []


class GoldManifest(msgspec.Struct):
    """``vNNNN.manifest.json``: everything needed to trust and reproduce a gold version."""

    version: str
    file: str
    sha256: str
    created: str
    method: str
    counts: dict[str, int]
    parent: str | None = None
    review_file: str | None = None
    review_sha256: str | None = None
    inputs: list[InputInfo] = []
    min_votes: int | None = None
    schema: str | None = None
    decided_by: str | None = None
    tool: str | None = None


class VersionWritten(msgspec.Struct):
    """What :func:`write_version` did: ``created`` is False when the content equals the parent's."""

    manifest: GoldManifest
    created: bool
    directory: str


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file, streamed."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def version_name(number: int) -> str:
    return f"v{number:04d}"


def _number(name: str) -> int | None:
    m = _VERSION.match(name)
    return int(m.group(1)) if m else None


def _manifest_path(directory: Path, version: str) -> Path:
    return directory / f"{version}.manifest.json"


def read_manifest(directory: str | Path, version: str) -> GoldManifest:
    """Load one version's manifest.

    Raises:
        GoldError: no such version, or the manifest is unreadable.
    """
    path = _manifest_path(Path(directory), version)
    try:
        return msgspec.json.decode(path.read_bytes(), type=GoldManifest)
    except FileNotFoundError:
        raise GoldError(
            f"no gold version {quote(version)} (no {path.name})",
            path=directory,
            hint="list versions with: backchannel gold list --dir DIR",
        ) from None
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise GoldError(f"corrupt manifest: {exc}", path=path) from None


def list_versions(directory: str | Path) -> list[GoldManifest]:
    """Every complete version in ``directory`` (those with a manifest), oldest first."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    names = []
    for p in directory.glob("v*.manifest.json"):
        name = p.name.removesuffix(".manifest.json")
        if _number(name) is not None:
            names.append(name)
    names.sort(key=lambda n: _number(n) or 0)
    return [read_manifest(directory, n) for n in names]


def latest_version(directory: str | Path) -> GoldManifest | None:
    versions = list_versions(directory)
    return versions[-1] if versions else None


def resolve_version(ref: str | Path, directory: str | Path | None = None) -> Path:
    """Turn ``v0003`` (looked up in ``directory``) or a file path into the gold JSONL path.

    Raises:
        GoldError: the version or file does not exist.
    """
    ref_s = str(ref)
    if _number(ref_s) is not None:
        if directory is None:
            directory = DEFAULT_GOLD_DIR
        path = Path(directory) / f"{ref_s}.jsonl"
        if not path.is_file():
            raise GoldError(
                f"no gold version {quote(ref_s)}",
                path=directory,
                hint="pass --dir with the gold directory, or a file path",
            )
        if not _manifest_path(Path(directory), ref_s).is_file():
            # The manifest is written last: without it, the write of this version was
            # interrupted and its files may not be the version they claim to be.
            raise GoldError(
                f"gold version {quote(ref_s)} is incomplete (no {ref_s}.manifest.json: its "
                "write was interrupted)",
                path=directory,
                hint="it is not a version; adjudicate again to write a complete one",
            )
        return path
    path = Path(ref_s)
    if not path.is_file():
        raise GoldError("no such gold file", path=path)
    return path


def read_version(ref: str | Path, directory: str | Path | None = None) -> list[Document]:
    """Read a gold version (by name or path) as a list of Documents."""
    return list(read_documents(resolve_version(ref, directory), unique=True))


def verify_version(directory: str | Path, version: str) -> GoldManifest:
    """Check that a version's files still match the hashes in its manifest.

    Raises:
        GoldError: a file is missing or was changed after it was written.
    """
    directory = Path(directory)
    manifest = read_manifest(directory, version)
    for name, digest in (
        (manifest.file, manifest.sha256),
        (manifest.review_file, manifest.review_sha256),
    ):
        if name is None:
            continue
        path = directory / name
        if not path.is_file():
            raise GoldError(f"{version}: file {name} is missing", path=directory)
        if file_sha256(path) != digest:
            raise GoldError(
                f"{version}: {name} was modified after it was written (hash mismatch)",
                path=path,
                hint="gold versions are immutable: restore it, or adjudicate a new version",
            )
    return manifest


def gold_counts(docs: list[Document]) -> dict[str, int]:
    """Documents, spans, relations and document labels in a gold, by provenance method too."""
    counts = {"documents": len(docs), "spans": 0, "relations": 0, "doc_labels": 0}
    for doc in docs:
        counts["spans"] += len(doc.spans)
        counts["relations"] += len(doc.relations)
        counts["doc_labels"] += len(doc.doc_labels)
        for item in (*doc.spans, *doc.relations):
            if item.provenance is not None and item.provenance.method:
                key = f"by_{item.provenance.method}"
                counts[key] = counts.get(key, 0) + 1
    return counts


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on the gold directory while a version is numbered and written."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _next_number(directory: Path) -> int:
    """One past every number in use, counting stray files of an interrupted write too."""
    used = [
        int(m.group(1))
        for p in directory.iterdir()
        if (m := _VERSION_FILE.match(p.name)) is not None
    ]
    return max(used, default=0) + 1


def write_version(
    directory: str | Path,
    docs: list[Document],
    *,
    method: str,
    review: list[ReviewItem] | None = None,
    inputs: list[InputInfo] | None = None,
    min_votes: int | None = None,
    schema: str | None = None,
    decided_by: str | None = None,
    version: str | None = None,
    parent: str | None = None,
) -> VersionWritten:
    """Write ``docs`` (and ``review``) as the next gold version, never touching existing ones.

    Args:
        directory: the gold directory (created if missing).
        docs: the gold Documents, in the order to write them.
        method: how the version was made (``adjudicate``, ``review``).
        review: the review list to store beside it.
        inputs: the input files, for the manifest.
        min_votes, schema, decided_by: recorded in the manifest.
        version: an explicit name (``v0007``); by default the next free number.
        parent: the parent version; by default the latest existing one.

    Returns:
        the manifest, and ``created=False`` (with the parent's manifest) when both the gold and
        the review list are byte-identical to the parent's: re-running adjudication on the same
        input does not pile up identical versions.

    Raises:
        GoldError: ``version`` is malformed or already exists.
    """
    from backchannel import __version__

    directory = Path(directory)
    data = b"".join(encode_document(d) + b"\n" for d in docs)
    review_data = encode_review(review) if review is not None else None
    digest = hashlib.sha256(data).hexdigest()
    review_digest = hashlib.sha256(review_data).hexdigest() if review_data is not None else None
    if version is not None and _number(version) is None:
        raise GoldError(f"version name {quote(version)} must look like v0001", path=directory)
    with _locked(directory):
        latest = latest_version(directory)
        if parent is None and latest is not None:
            parent = latest.version
        if parent is not None:
            pm = read_manifest(directory, parent)
            if version is None and pm.sha256 == digest and pm.review_sha256 == review_digest:
                return VersionWritten(manifest=pm, created=False, directory=str(directory))
        name = version or version_name(_next_number(directory))
        targets = [directory / f"{name}.jsonl", _manifest_path(directory, name)]
        review_name = f"{name}.review.jsonl" if review_data is not None else None
        if review_name:
            targets.append(directory / review_name)
        for target in targets:
            if target.exists():
                raise GoldError(
                    f"gold version {name} already exists ({target.name}); versions are never "
                    "overwritten",
                    path=directory,
                    hint="omit --version to write the next free number",
                )
        counts = gold_counts(docs)
        if review is not None:
            counts["review_items"] = len(review)
        manifest = GoldManifest(
            version=name,
            file=f"{name}.jsonl",
            sha256=digest,
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            method=method,
            counts=counts,
            parent=parent,
            review_file=review_name,
            review_sha256=review_digest,
            inputs=inputs or [],
            min_votes=min_votes,
            schema=schema,
            decided_by=decided_by,
            tool=f"backchannel {__version__}",
        )
        written: list[Path] = []
        try:
            for target, payload in (
                (directory / f"{name}.jsonl", data),
                (directory / review_name if review_name else None, review_data),
                (
                    _manifest_path(directory, name),
                    msgspec.json.format(msgspec.json.encode(manifest), indent=2) + b"\n",
                ),
            ):
                if target is None or payload is None:
                    continue
                with atomic_write(target, "wb") as fh:
                    fh.write(payload)
                written.append(target)
        except BaseException:
            for path in written:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            raise
    return VersionWritten(manifest=manifest, created=True, directory=str(directory))
