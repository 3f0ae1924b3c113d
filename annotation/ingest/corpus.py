"""Ingest: articles in, one normalised, identified, de-duplicated Document corpus out.

This is where every offset in backchannel is born, so it happens exactly once::

    .txt / .html / .jsonl / folders / globs
        -> read (sources.py: HTML main text via trafilatura, JSONL records checked)
        -> normalise (normalise.py: NFC, newlines, whitespace; recorded in meta.normalised)
        -> id (normalise.document_id: hash of the text, salted with the URL when known)
        -> de-duplicate (dedupe.py: exact copies dropped, near-duplicates flagged)
        -> corpus.jsonl (written atomically: all of it or nothing)

The output is a pure function of the inputs and options: re-ingesting the same sources gives the
same ids and the same bytes, and ingesting a corpus produced by ingest gives it back unchanged.

Each Document's ``meta`` keeps what the source said (JSONL ``meta``; ``title``, ``author``,
``published``, ``url``, ``source``, ``extractor`` for HTML) and adds ``file`` (where it was read,
unless the record already names one), ``license`` (from ``license=`` when the source has none),
``normalised`` (the normalisation steps applied, accumulated over re-ingests), and for a
near-duplicate ``near_duplicate_of`` (id of the earlier, kept article) and
``near_duplicate_similarity`` (exact Jaccard similarity of their word 5-shingles).

Memory stays flat however large the corpus: sources are streamed one file or line at a time, and
de-duplication state lives on disk (see :mod:`backchannel.annotation.ingest.dedupe`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from backchannel.annotation.ingest.dedupe import DedupeIndex
from backchannel.annotation.ingest.sources import (
    Expansion,
    RawArticle,
    expand_sources,
    read_articles,
)
from backchannel.atomic import STDIO
from backchannel.documents import Document, write_documents
from backchannel.errors import IngestError
from backchannel.normalise import document_id, normalise_text
from backchannel.progress import track
from backchannel.text import plural

__all__ = [
    "Duplicate",
    "IngestResult",
    "IngestStats",
    "check_something_left",
    "deduplicate",
    "ingest",
    "iter_ingest",
]

MAX_REPORTED = 1000
"""Duplicates listed individually in a result (the counts are always complete)."""

_FLAG_KEYS = ("near_duplicate_of", "near_duplicate_similarity")


@dataclass(frozen=True, slots=True)
class Duplicate:
    """One dropped exact duplicate or one flagged near-duplicate.

    Attributes:
        kind: ``exact`` (dropped) or ``near`` (kept, flagged in meta).
        source: where it was read: ``path`` or ``path:line``.
        id: its id (for an exact duplicate, the id it would have had).
        of: id of the earlier article it duplicates (that one is kept).
        similarity: Jaccard similarity of word 5-shingles (1.0 for exact duplicates).
    """

    kind: str
    source: str
    id: str
    of: str
    similarity: float


@dataclass(slots=True)
class IngestStats:
    """Running counts, filled in while :func:`iter_ingest` is consumed."""

    files: int = 0
    skipped_files: int = 0
    read: int = 0
    documents: int = 0
    exact_duplicates: int = 0
    near_duplicates: int = 0
    duplicates: list[Duplicate] = field(default_factory=list)
    skipped_bad: list[IngestError] = field(default_factory=list)
    max_reported: int = MAX_REPORTED

    def result(self, output: str) -> IngestResult:
        """The counts as the :class:`IngestResult` of a run that wrote ``output``."""
        return IngestResult(
            output=output,
            files=self.files,
            skipped_files=self.skipped_files,
            read=self.read,
            documents=self.documents,
            exact_duplicates=self.exact_duplicates,
            near_duplicates=self.near_duplicates,
            duplicates=tuple(self.duplicates),
            skipped_bad=tuple(self.skipped_bad),
        )

    def report(self, dup: Duplicate) -> None:
        if dup.kind == "exact":
            self.exact_duplicates += 1
        else:
            self.near_duplicates += 1
        if len(self.duplicates) < self.max_reported:
            self.duplicates.append(dup)


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What :func:`ingest` did.

    Attributes:
        output: the corpus file written (``-`` for standard output).
        files: source files read.
        skipped_files: files in folders or glob matches that are not .txt, .html or .jsonl.
        read: articles read from the sources.
        documents: Documents written (``read`` minus exact duplicates).
        exact_duplicates: articles dropped because an earlier one has the identical text.
        near_duplicates: articles kept and flagged with ``meta.near_duplicate_of``.
        duplicates: the first :data:`MAX_REPORTED` of those, in input order.
    """

    output: str
    files: int
    skipped_files: int
    read: int
    documents: int
    exact_duplicates: int
    near_duplicates: int
    duplicates: tuple[Duplicate, ...]
    skipped_bad: tuple[IngestError, ...] = ()

    def summary(self) -> str:
        """One line for a person, e.g. ``ingested 40 documents from 3 files (...) -> out``."""
        parts = [f"{plural(self.exact_duplicates, 'exact duplicate')} dropped"]
        parts.append(f"{plural(self.near_duplicates, 'near-duplicate')} flagged")
        if self.skipped_files:
            parts.append(f"{plural(self.skipped_files, 'file')} of other types skipped")
        if self.skipped_bad:
            parts.append(f"{plural(len(self.skipped_bad), 'bad article')} skipped")
        return (
            f"ingested {plural(self.documents, 'document')} from {plural(self.files, 'file')} "
            f"({', '.join(parts)}) -> {self.output}"
        )


def _merge_steps(previous: object, done: list[str]) -> list[str]:
    """Steps applied now, added to those a re-ingested record already lists."""
    steps = [s for s in previous if isinstance(s, str)] if isinstance(previous, list) else []
    return steps + [s for s in done if s not in steps]


def _document(article: RawArticle, *, license: str | None, require_license: bool) -> Document:
    """Normalise one raw article into a Document (not yet de-duplicated)."""
    text, done = normalise_text(article.text)
    if not text:
        raise IngestError(
            "empty article (no text left after normalisation)",
            path=article.path,
            line=article.line,
        )
    meta = dict(article.meta)
    for key in _FLAG_KEYS:  # recomputed below: a stale flag could name an article not ingested
        meta.pop(key, None)
    if article.path != STDIO:
        meta.setdefault("file", Path(article.path).as_posix())
    if license and not meta.get("license"):
        meta["license"] = license
    if require_license and not (isinstance(meta.get("license"), str) and meta["license"].strip()):
        raise IngestError(
            "no meta.license (every bundled article needs one)",
            path=article.path,
            line=article.line,
            hint="give one with --license, or add it to the record's meta",
        )
    meta["normalised"] = _merge_steps(meta.get("normalised"), done)
    doc_id = article.id if article.id is not None else document_id(text, article.url)
    return Document(id=doc_id, text=text, meta=meta)


def iter_ingest(
    sources: Sequence[str | Path],
    index: DedupeIndex,
    stats: IngestStats,
    *,
    license: str | None = None,
    require_license: bool = False,
    exclude: str | None = None,
    skip_bad: bool = False,
    progress: bool = False,
) -> Iterator[Document]:
    """Stream the Documents of ``sources``, de-duplicated against ``index``, counting in ``stats``.

    The building block of :func:`ingest` for callers that want Documents rather than a file.
    With ``skip_bad``, an article that cannot be ingested is recorded in ``stats.skipped_bad``
    instead of raised (a JSONL file that stops decoding is skipped from that line on).

    Raises:
        IngestError: naming the file (and line) of the first source that cannot be ingested.
    """
    expansion = Expansion()

    def articles() -> Iterator[RawArticle]:
        for source in expand_sources([str(s) for s in sources], exclude=exclude, counts=expansion):
            try:
                yield from read_articles(source)
            except IngestError as exc:
                if not skip_bad:
                    raise
                stats.skipped_bad.append(exc)
            stats.files, stats.skipped_files = expansion.files, expansion.skipped

    items = track(articles(), "ingest") if progress else articles()
    for article in items:
        stats.read += 1
        try:
            doc = _document(article, license=license, require_license=require_license)
        except IngestError as exc:
            if not skip_bad:
                raise
            stats.skipped_bad.append(exc)
            continue
        if deduplicate(doc, article.path, article.line, index, stats):
            yield doc
    stats.files, stats.skipped_files = expansion.files, expansion.skipped


def deduplicate(
    doc: Document, path: str, line: int | None, index: DedupeIndex, stats: IngestStats
) -> bool:
    """Check ``doc`` against every earlier article: False drops it (an exact duplicate).

    A near-duplicate is kept and flagged in its meta; both are counted in ``stats``.  The one
    de-duplication step, run in input order by the serial and the sharded ingest alike.

    Raises:
        IngestError: the id is taken by an earlier article with another text.
    """
    where = path if line is None else f"{path}:{line}"
    verdict = index.check_and_add(doc.id, doc.text)
    if verdict.exact_of is not None:
        stats.report(Duplicate("exact", where, doc.id, verdict.exact_of, 1.0))
        return False
    if verdict.id_taken:
        raise IngestError(
            "id already used by an earlier article with a different text",
            path=path,
            line=line,
            doc_id=doc.id,
        )
    if verdict.near_of is not None and verdict.similarity is not None:
        doc.meta["near_duplicate_of"] = verdict.near_of
        doc.meta["near_duplicate_similarity"] = verdict.similarity
        stats.report(Duplicate("near", where, doc.id, verdict.near_of, verdict.similarity))
    stats.documents += 1
    return True


def ingest(
    sources: Sequence[str | Path],
    output: str | Path,
    *,
    license: str | None = None,
    require_license: bool = False,
    near_dup_threshold: float = 0.8,
    skip_bad: bool = False,
    progress: bool = False,
) -> IngestResult:
    """Read articles from files, folders and globs into a Document JSONL corpus.

    Args:
        sources: ``.txt`` / ``.html`` / ``.htm`` / ``.jsonl`` files, folders (read recursively,
            sorted), glob patterns, or ``-`` for JSONL on standard input.
        output: the corpus file, written atomically, or ``-`` for standard output.
        license: ``meta.license`` for articles whose source gives none.
        require_license: refuse any article without ``meta.license`` (for bundled corpora).
        near_dup_threshold: Jaccard similarity of word 5-shingles from which an article is
            flagged as a near-duplicate of an earlier one.
        skip_bad: ingest the rest when an article cannot be read, extracted or is empty; the
            skipped ones are in ``IngestResult.skipped_bad``.  Nothing ingested is still an error.
        progress: show a progress bar on stderr (only when it is a terminal).

    Returns:
        Counts, and the duplicates found.

    Raises:
        IngestError: a source cannot be read, decoded or extracted, a JSONL record is malformed,
            an article is empty or lacks a required license, or an id is reused; nothing is
            written then.

    Example:
        >>> result = ingest(["articles/"], "corpus.jsonl", license="CC-BY-4.0")  # doctest: +SKIP
        >>> print(result.summary())  # doctest: +SKIP
        ingested 40 documents from 40 files (1 exact duplicate dropped, ...) -> corpus.jsonl
    """
    if not 0.0 < near_dup_threshold <= 1.0:
        raise IngestError(f"near-duplicate threshold must be in (0, 1], got {near_dup_threshold}")
    out = str(output)
    exclude = None if out == STDIO else out
    parent = None if out == STDIO else os.path.dirname(os.path.abspath(out))
    stats = IngestStats()
    with DedupeIndex(
        near_dup_threshold, directory=parent if parent and os.path.isdir(parent) else None
    ) as index:
        docs = iter_ingest(
            sources,
            index,
            stats,
            license=license,
            require_license=require_license,
            exclude=exclude,
            skip_bad=skip_bad,
            progress=progress,
        )

        def checked() -> Iterator[Document]:
            yield from docs
            check_something_left(stats)  # still inside the writer: nothing is written

        write_documents(checked(), out)
    return stats.result(out)


def check_something_left(stats: IngestStats) -> None:
    """Raise when ``--skip-bad`` skipped every article (nothing ingested is still an error)."""
    if stats.skipped_bad and stats.documents == 0:
        bad = len(stats.skipped_bad)
        raise IngestError(
            "nothing ingested: "
            + ("the only article was bad" if bad == 1 else f"all {bad} articles were bad"),
            hint=f"the first: {stats.skipped_bad[0].one_line()}",
        )
