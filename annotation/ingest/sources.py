"""Where ingest's articles come from: files, folders and globs of ``.txt``, ``.html``, ``.jsonl``.

This module only *reads*: it turns each source into raw articles (text as found, plus whatever
metadata the file carries) and raises :class:`IngestError` naming the file, and the line for
JSONL, when a source cannot be read.  Normalisation, ids and de-duplication happen afterwards in
:mod:`backchannel.annotation.ingest.corpus`, once, for every kind of source alike.

Order is deterministic: sources in the order given, folders walked recursively with entries
sorted by name (code-point order, independent of locale and file system), glob matches sorted.
Hidden files and folders (names starting with ``.``) are skipped in folders, and files of other
types are skipped and counted.  Everything is lazy: one folder listing, one file or one JSONL line
is held at a time.
"""

from __future__ import annotations

import codecs
import glob
import os
import re
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import msgspec

from backchannel.annotation.ingest.txt_header import split_header
from backchannel.atomic import STDIO
from backchannel.errors import IngestError, quote
from backchannel.text import article

__all__ = ["KINDS", "RawArticle", "SourceFile", "expand_sources", "read_articles"]

KINDS: dict[str, str] = {".txt": "txt", ".html": "html", ".htm": "html", ".jsonl": "jsonl"}
"""File suffix (lower case) to reader."""

_SUFFIXES = ", ".join(KINDS)
_GLOB_CHARS = frozenset("*?[")
_RECORD_KEYS = frozenset({"id", "text", "meta", "url"})
_BOM = "\ufeff"

MIN_HTML_WORDS = 20
"""An HTML page whose extracted main text has fewer words is refused: not an article.

A page of navigation only (a section front, a consent wall, an error page) otherwise becomes a
"document" whose text is ``Home``; the shortest news brief is longer than this.
"""


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file to read, and how."""

    path: str
    kind: str


@dataclass(slots=True)
class RawArticle:
    """An article as read from its source, before normalisation.

    Attributes:
        text: the text as found (HTML already reduced to its main text).
        meta: metadata from the source (JSONL ``meta``; title, author... from HTML).
        path: the file it came from (``-`` for stdin).
        line: the physical line, for JSONL records.
        id: the record's own id, when a JSONL record has one.
        url: the article's URL, when known (salts the stable id).
    """

    text: str
    path: str
    line: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    id: str | None = None
    url: str | None = None


@dataclass(slots=True)
class Expansion:
    """Counts gathered while expanding sources (files of other types are skipped, not errors)."""

    files: int = 0
    skipped: int = 0


def _kind(path: str) -> str | None:
    return KINDS.get(os.path.splitext(path)[1].lower())


def _walk(root: str, exclude: str | None, counts: Expansion) -> Iterator[SourceFile]:
    """Files under ``root``, recursively, sorted by name at every level, hidden ones skipped."""

    def fail(exc: OSError) -> None:
        raise IngestError(f"cannot read folder ({exc.strerror or exc})", path=exc.filename)

    found = False
    for dirpath, dirnames, filenames in os.walk(root, onerror=fail):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = os.path.join(dirpath, name)
            kind = _kind(name)
            if kind is None or (exclude is not None and os.path.abspath(path) == exclude):
                counts.skipped += 1
                continue
            found = True
            counts.files += 1
            yield SourceFile(path, kind)
    if not found:
        raise IngestError(f"no {_SUFFIXES} files in this folder", path=root)


def expand_sources(
    sources: list[str], *, exclude: str | None = None, counts: Expansion | None = None
) -> Iterator[SourceFile]:
    """Turn command-line sources (files, folders, globs, ``-``) into files to read, lazily.

    Args:
        sources: as given by the user.
        exclude: a path never read from a folder or glob (the output file, so that re-running
            ``ingest articles/ -o articles/corpus.jsonl`` does not read its own previous output).
        counts: filled in with the number of files read and skipped.

    Raises:
        IngestError: a source does not exist, a glob matches nothing, a named file has an
            unsupported type, or a folder holds no article file.
    """
    counts = counts if counts is not None else Expansion()
    excluded = os.path.abspath(exclude) if exclude and exclude != STDIO else None
    for src in sources:
        if src == STDIO:
            counts.files += 1
            yield SourceFile(STDIO, "jsonl")
        elif os.path.isdir(src):
            yield from _walk(src, excluded, counts)
        elif os.path.exists(src):
            kind = _kind(src)
            if kind is None:
                suffix = os.path.splitext(src)[1] or "no suffix"
                raise IngestError(
                    f"unsupported file type {quote(suffix)} (expected {_SUFFIXES})", path=src
                )
            counts.files += 1
            yield SourceFile(src, kind)
        elif _GLOB_CHARS & set(src):
            matches = sorted(glob.glob(src, recursive=True))
            if not matches:
                raise IngestError("no files match this pattern", path=src)
            for match in matches:
                if os.path.isdir(match):
                    yield from _walk(match, excluded, counts)
                elif _kind(match) is None or os.path.abspath(match) == excluded:
                    counts.skipped += 1
                else:
                    counts.files += 1
                    yield SourceFile(match, _kind(match) or "")
        else:
            raise IngestError("no such file or directory", path=src)


def _read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise IngestError(f"cannot read ({exc.strerror or exc})", path=path) from None


def _decode(data: bytes, path: str, line: int | None = None, encoding: str = "utf-8") -> str:
    """Text without a leading byte-order mark; the error names the line and column of a bad byte.

    ``line`` is given for one JSONL line (the column is then the byte in it); otherwise the
    line is counted in ``data``.
    """
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        if line is None:
            where = data.count(b"\n", 0, exc.start) + 1
            col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        else:
            where, col = line, exc.start + 1
        what = "UTF-8" if encoding == "utf-8" else f"{encoding}, the encoding the page declares"
        raise IngestError(
            f"not valid {what} (byte 0x{bad:02x} at column {col})", path=path, line=where
        ) from None
    return text[1:] if text.startswith(_BOM) else text


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _declared_charset(data: bytes) -> str | None:
    """The encoding a page declares in a ``<meta>`` tag, when it is not UTF-8 (else None).

    Pages saved from the web are still often windows-1252 or ISO-8859-x and say so; honouring
    the declaration beats refusing them.  Undeclared pages must be UTF-8.
    """
    match = _CHARSET.search(data[:4096])
    if match is None:
        return None
    name = match.group(1).decode("ascii").lower()
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return None if codec in {"utf-8", "utf-8-sig"} else codec


def read_txt(path: str) -> Iterator[RawArticle]:
    """A plain-text file is one article; a leading site name and headline become metadata."""
    text, meta = split_header(_decode(_read_bytes(path), path))
    yield RawArticle(text=text, path=path, meta=meta)


def read_html(path: str) -> Iterator[RawArticle]:
    """An HTML page is one article: its main text, title, author, date and canonical URL.

    trafilatura separates the article from navigation, footers and comments; comments are left
    out (they are not the article) and precision is favoured over recall, because boilerplate
    left in the text would be shown to annotators and offsets would point into it.

    Metadata found lands in ``meta`` as ``title``, ``author``, ``published`` (ISO date),
    ``url`` (canonical) and ``source`` (site name), with ``extractor`` naming the trafilatura
    version (another version may extract a different text).  A page is read as UTF-8 unless a
    ``<meta charset>`` declares another encoding; then ``meta.encoding`` says which.  A page
    whose main text has fewer than :data:`MIN_HTML_WORDS` words is refused.
    """
    import trafilatura

    data = _read_bytes(path)
    encoding = _declared_charset(data)
    html = _decode(data, path, encoding=encoding or "utf-8")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = trafilatura.bare_extraction(
                html,
                with_metadata=True,
                include_comments=False,
                favor_precision=True,
                deduplicate=False,
            )
    except Exception as exc:  # trafilatura raises assorted lxml/parser errors
        raise IngestError(f"cannot parse HTML ({type(exc).__name__}: {exc})", path=path) from None
    text = getattr(result, "text", None) if result is not None else None
    if not text or not text.strip():
        raise IngestError(
            "no article text found in the HTML (trafilatura extracted nothing)", path=path
        )
    words = len(text.split())
    if words < MIN_HTML_WORDS:
        raise IngestError(
            f"the page's main text is {words} word{'' if words == 1 else 's'} "
            f"({quote(' '.join(text.split()))}), fewer than {MIN_HTML_WORDS}: not an article "
            "(a navigation, index or consent page?)",
            path=path,
            hint="save the article's own page, or put its text in a .txt file",
        )
    meta: dict[str, Any] = {}
    for key, attr in (
        ("title", "title"),
        ("author", "author"),
        ("published", "date"),
        ("url", "url"),
        ("source", "sitename"),
    ):
        value = getattr(result, attr, None)
        if isinstance(value, str) and value.strip():
            meta[key] = value.strip()
    meta["extractor"] = f"trafilatura {trafilatura.__version__}"
    if encoding is not None:
        meta["encoding"] = encoding
    yield RawArticle(text=text, path=path, meta=meta, url=meta.get("url"))


def _record(obj: Any, path: str, line: int) -> RawArticle:
    """Check one JSONL record's shape: ``text``, optional ``meta``, ``id``, ``url``."""
    if not isinstance(obj, dict):
        raise IngestError(
            f"record is a JSON {type(obj).__name__}, not an object", path=path, line=line
        )
    for key in obj:
        if key not in _RECORD_KEYS:
            raise IngestError(
                f"unexpected field {quote(key)} (a record has text, meta and optional id, url; "
                "put other metadata under meta)",
                path=path,
                line=line,
            )
    text = obj.get("text")
    if not isinstance(text, str):
        problem = "no" if text is None else f"{article(type(text).__name__)} as"
        raise IngestError(f'record has {problem} "text" (expected a string)', path=path, line=line)
    meta = obj.get("meta", {})
    if not isinstance(meta, dict):
        raise IngestError('"meta" is not an object', path=path, line=line)
    doc_id = obj.get("id")
    if doc_id is not None and (not isinstance(doc_id, str) or not doc_id.strip()):
        raise IngestError(f'"id" is not a non-empty string: {quote(doc_id)}', path=path, line=line)
    url = obj.get("url", meta.get("url"))
    if url is not None and not isinstance(url, str):
        raise IngestError(f'"url" is not a string: {quote(url)}', path=path, line=line)
    if url is not None:
        meta = {**meta, "url": url}
    return RawArticle(text=text, path=path, line=line, meta=meta, id=doc_id, url=url or None)


def read_jsonl(path: str) -> Iterator[RawArticle]:
    """One article per non-blank line: ``{"text": ..., "meta": {...}, "id": ..., "url": ...}``."""
    if path == STDIO:
        fh = sys.stdin.buffer
    else:
        try:
            fh = open(path, "rb")  # noqa: SIM115 - closed in finally, the generator may pause
        except OSError as exc:
            raise IngestError(f"cannot read ({exc.strerror or exc})", path=path) from None
    try:
        for lineno, raw in enumerate(fh, 1):
            line = _decode(raw, path, lineno)
            if not line.strip():
                continue
            try:
                obj = msgspec.json.decode(line)
            except (msgspec.DecodeError, RecursionError) as exc:
                raise IngestError(
                    f"not valid JSON ({exc}): {quote(line.strip())}", path=path, line=lineno
                ) from None
            yield _record(obj, path, lineno)
    except OSError as exc:
        raise IngestError(f"cannot read ({exc.strerror or exc})", path=path) from None
    finally:
        if fh is not sys.stdin.buffer:
            fh.close()


_READERS = {"txt": read_txt, "html": read_html, "jsonl": read_jsonl}


def read_articles(source: SourceFile) -> Iterator[RawArticle]:
    """The raw articles of one source file."""
    return _READERS[source.kind](source.path)
