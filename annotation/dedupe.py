"""Exact and near-duplicate detection for ingest, with memory that does not grow with the corpus.

Exact duplicates are articles whose *normalised* text is identical (whatever their URL): ingest
drops every copy after the first.  Near-duplicates are articles whose word 5-shingle sets have a
Jaccard similarity at or above a threshold (0.8 by default): ingest keeps them and flags the later
one with ``meta.near_duplicate_of``, because a rewritten wire story is still a different article
but must never be split across train and test.

How, and why this way:

* Candidates come from MinHash signatures split into LSH bands (Broder 1997; Leskovec, Rajaraman
  and Ullman, *Mining of Massive Datasets*, ch. 3).  The hash functions are derived from SHA-256
  of fixed strings, so flags are identical on every machine and every run.
* Every candidate is then *verified* by computing the exact Jaccard similarity of the two
  shingle sets.  So a flag is never a false positive, and the bands can be tuned for recall
  (:func:`lsh_params` picks them so that a pair exactly at the threshold is found with
  probability >= 0.99) instead of balancing false positives against false negatives.
* Everything that grows with the corpus (text digests, ids, band keys, and the texts needed for
  verification) lives in a private SQLite file next to the output, with a fixed page cache.
  Peak memory therefore stays flat from 10k to 100k articles and beyond; the file is deleted when
  the index is closed.  An in-memory dict of band keys would cost about 1 KB per article.

Example:
    >>> with DedupeIndex(threshold=0.8) as index:  # doctest: +SKIP
    ...     index.add("a", "the same story")
    ...     verdict = index.check("b", "the same story")
    ...     verdict.exact_of
    'a'
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import numpy as np

__all__ = [
    "NUM_PERM",
    "SHINGLE_WORDS",
    "DedupeIndex",
    "Verdict",
    "jaccard",
    "lsh_params",
    "minhash",
    "shingles",
]

NUM_PERM = 128
"""MinHash signature length (hash functions)."""

SHINGLE_WORDS = 5
"""Words per shingle: long enough that two unrelated news articles share almost none."""

_TOKEN = re.compile(r"\w+")
_MASK64 = (1 << 64) - 1
_CACHE_KIB = 8 * 1024


def _constants(name: str, count: int) -> np.ndarray:
    """``count`` odd 64-bit constants from SHA-256, identical on every platform and version."""
    out = np.empty(count, dtype=np.uint64)
    for i in range(count):
        digest = hashlib.sha256(f"backchannel/{name}/{i}".encode()).digest()
        out[i] = int.from_bytes(digest[:8], "little") | 1
    return out


_SHINGLE_MUL = _constants("shingle", SHINGLE_WORDS)
_PERM_A = _constants("perm-a", NUM_PERM)
_PERM_B = _constants("perm-b", NUM_PERM)
_BAND_MUL = _constants("band", NUM_PERM)


def shingles(text: str, k: int = SHINGLE_WORDS) -> np.ndarray:
    """Sorted unique 64-bit hashes of the word ``k``-shingles of ``text`` (case-folded).

    A text of fewer than ``k`` words is one shingle; a text without any word character (only
    punctuation or emoji) has none, and then takes part in exact de-duplication only.
    """
    words = _TOKEN.findall(text.casefold())
    if not words:
        return np.empty(0, dtype=np.uint64)
    h = np.fromiter(
        (zlib.crc32(w.encode("utf-8")) for w in words), dtype=np.uint64, count=len(words)
    )
    k = min(k, len(h))
    n = len(h) - k + 1
    s = h[:n] * _SHINGLE_MUL[0]
    for j in range(1, k):
        s += h[j : j + n] * _SHINGLE_MUL[j]
    # Finalise (xor-shift-multiply) so that the low bits depend on every word.
    s ^= s >> np.uint64(31)
    s *= _SHINGLE_MUL[-1]
    s ^= s >> np.uint64(29)
    return np.unique(s)


def minhash(shingle_hashes: np.ndarray) -> np.ndarray:
    """MinHash signature (``NUM_PERM`` values) under multiply-add hash functions mod 2**64.

    The minimum is taken over full 64-bit values; the high 32 bits are kept (the low bits of a
    multiply-add are weak).
    """
    values = np.multiply.outer(_PERM_A, shingle_hashes)
    values += _PERM_B[:, None]
    return values.min(axis=1) >> np.uint64(32)


def lsh_params(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """``(bands, rows)`` so that a pair exactly at ``threshold`` is a candidate with p >= 0.99.

    The probability that two sets of Jaccard similarity ``s`` share at least one band is
    ``1 - (1 - s**rows)**bands``.  More rows per band mean fewer, more precise candidates, so
    this takes the largest ``rows`` that still keeps recall at the threshold: candidates are
    verified exactly anyway, so recall is what matters.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if 1.0 - (1.0 - threshold**rows) ** bands >= 0.99:
            best = (bands, rows)
        else:
            break
    return best


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted unique hash arrays (1.0 for two empty sets)."""
    if not len(a) and not len(b):
        return 1.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common)


def _signed(value: int) -> int:
    """A 64-bit unsigned value as SQLite's signed INTEGER."""
    return value - (1 << 64) if value >= 1 << 63 else value


def _digest(text: str) -> int:
    return _signed(int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little"))


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the index knows about an article before it is added.

    Attributes:
        exact_of: id of an earlier article with the identical text (drop this one).
        id_taken: True when the id belongs to an earlier article with a different text.
        near_of: id of the most similar earlier article at or above the threshold.
        similarity: the exact Jaccard similarity with ``near_of`` (rounded to 4 places).
    """

    exact_of: str | None = None
    id_taken: bool = False
    near_of: str | None = None
    similarity: float | None = None


class DedupeIndex:
    """Articles seen so far, on disk, queried one article at a time.

    Use as a context manager (or call :meth:`close`): the SQLite file lives in a private
    temporary directory under ``directory`` (default: the system temporary directory).
    """

    def __init__(
        self,
        threshold: float = 0.8,
        *,
        directory: str | Path | None = None,
        cache_kib: int = _CACHE_KIB,
    ) -> None:
        self.threshold = threshold
        self.bands, self.rows = lsh_params(threshold)
        self._band_offsets = np.arange(self.bands, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        self._tmp = tempfile.TemporaryDirectory(prefix=".backchannel-ingest-", dir=directory)
        self._db = sqlite3.connect(Path(self._tmp.name) / "index.sqlite", isolation_level=None)
        self._db.executescript(
            f"""
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA temp_store = FILE;
            PRAGMA cache_size = -{int(cache_kib)};
            CREATE TABLE docs (n INTEGER PRIMARY KEY, id TEXT NOT NULL, digest INTEGER NOT NULL,
                               text TEXT NOT NULL);
            CREATE INDEX docs_digest ON docs (digest);
            CREATE UNIQUE INDEX docs_id ON docs (id);
            CREATE TABLE bands (key INTEGER PRIMARY KEY, n INTEGER NOT NULL);
            BEGIN;
            """
        )
        self._placeholders = ",".join("?" * self.bands)
        self._count = 0

    def __enter__(self) -> DedupeIndex:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Drop the index file (nothing in it is ever needed again)."""
        self._db.close()
        self._tmp.cleanup()

    def __len__(self) -> int:
        return self._count

    def _band_keys(self, shingle_hashes: np.ndarray) -> list[int]:
        sig = minhash(shingle_hashes)[: self.bands * self.rows].reshape(self.bands, self.rows)
        mixed = (sig * _BAND_MUL[: self.rows]).sum(axis=1, dtype=np.uint64)
        mixed ^= self._band_offsets
        mixed ^= mixed >> np.uint64(33)
        mixed *= _BAND_MUL[-1]
        return [_signed(int(v)) for v in mixed]

    def check(self, doc_id: str, text: str) -> Verdict:
        """Compare an article with every article added so far, without adding it."""
        verdict, _ = self._check(doc_id, text)
        return verdict

    def _check(self, doc_id: str, text: str) -> tuple[Verdict, tuple[int, np.ndarray, list[int]]]:
        digest = _digest(text)
        db = self._db
        id_taken = False
        for other_id, other_text in db.execute(
            "SELECT id, text FROM docs WHERE digest = ? OR id = ? ORDER BY n", (digest, doc_id)
        ):
            if other_text == text:
                return Verdict(exact_of=other_id), (digest, np.empty(0, np.uint64), [])
            id_taken = id_taken or other_id == doc_id
        hashes = shingles(text)
        if not len(hashes):
            return Verdict(id_taken=id_taken), (digest, hashes, [])
        keys = self._band_keys(hashes)
        best: tuple[float, str] | None = None
        candidates = db.execute(
            "SELECT id, text FROM docs WHERE n IN "
            f"(SELECT n FROM bands WHERE key IN ({self._placeholders})) ORDER BY n",
            keys,
        ).fetchall()
        for other_id, other_text in candidates:
            sim = jaccard(hashes, shingles(other_text))
            if sim >= self.threshold and (best is None or sim > best[0]):
                best = (sim, other_id)
        if best is None:
            return Verdict(id_taken=id_taken), (digest, hashes, keys)
        return (
            Verdict(id_taken=id_taken, near_of=best[1], similarity=round(best[0], 4)),
            (digest, hashes, keys),
        )

    def check_and_add(self, doc_id: str, text: str) -> Verdict:
        """Check an article, then add it unless it is an exact duplicate or its id is taken."""
        verdict, (digest, _, keys) = self._check(doc_id, text)
        if verdict.exact_of is None and not verdict.id_taken:
            self._insert(doc_id, text, digest, keys)
        return verdict

    def add(self, doc_id: str, text: str) -> None:
        """Add an article unconditionally (its id must be new)."""
        hashes = shingles(text)
        keys = self._band_keys(hashes) if len(hashes) else []
        self._insert(doc_id, text, _digest(text), keys)

    def _insert(self, doc_id: str, text: str, digest: int, keys: list[int]) -> None:
        n = self._count
        self._db.execute("INSERT INTO docs VALUES (?, ?, ?, ?)", (n, doc_id, digest, text))
        if keys:
            self._db.executemany(
                "INSERT OR IGNORE INTO bands VALUES (?, ?)", [(key, n) for key in keys]
            )
        self._count += 1
