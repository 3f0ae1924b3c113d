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
import sqlite3
import tempfile
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

_CACHE_KIB = 8 * 1024
_CHUNK = 4096

# Word characters: ASCII letters, digits, underscore, and every non-ASCII byte (letters of other
# scripts, emoji); everything else in ASCII separates words.  Working on UTF-8 bytes with a
# 256-entry table is ~4x faster than a Unicode ``\w+`` regex, which dominated ingest time.
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_") | frozenset(range(128, 256))
_SEPARATE = bytes(c if c in _WORD_BYTES else 32 for c in range(256))
# Non-ASCII punctuation and spaces common in news text, which must separate words too.
_UNICODE_SEPARATORS = tuple(
    c.encode("utf-8")
    for c in "\u00a0\u2009\u202f\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u00ab\u00bb"
)
_POLY = 0x100000001B3  # odd, so invertible mod 2**64
_POLY_INV = pow(_POLY, -1, 1 << 64)


def _constants(name: str, count: int) -> np.ndarray:
    """``count`` odd 64-bit constants from SHA-256, identical on every platform and version."""
    out = np.empty(count, dtype=np.uint64)
    for i in range(count):
        digest = hashlib.sha256(f"backchannel/{name}/{i}".encode()).digest()
        out[i] = int.from_bytes(digest[:8], "little") | 1
    return out


_SHINGLE_MUL = _constants("shingle", SHINGLE_WORDS + 1)
_PERM_A = _constants("perm-a", NUM_PERM)
_PERM_B = _constants("perm-b", NUM_PERM)
_BAND_MUL = _constants("band", NUM_PERM + 1)


def _powers(base: int, n: int) -> np.ndarray:
    out = np.empty(n, dtype=np.uint64)
    out[0] = 1
    out[1:] = base
    return np.cumprod(out, out=out)


def word_hashes(text: str) -> np.ndarray:
    """One 64-bit hash per word of the case-folded ``text``, in order.

    A word is a maximal run of ASCII letters, digits, ``_`` and non-ASCII characters; ASCII
    punctuation and whitespace, and the common Unicode spaces, dashes, quotes, ellipsis and
    guillemets separate words.  The hash of a word is the polynomial
    ``sum(byte[j] * P**j) mod 2**64`` of its UTF-8 bytes, computed for all words at once from one
    prefix sum (shifted back by ``P**-start``).
    """
    raw = text.casefold().encode("utf-8")
    if not raw.isascii():
        for sep in _UNICODE_SEPARATORS:
            if sep in raw:
                raw = raw.replace(sep, b" ")
    data = np.frombuffer(raw.translate(_SEPARATE), dtype=np.uint8)
    is_word = np.empty(len(data) + 2, dtype=bool)
    is_word[0] = is_word[-1] = False
    np.not_equal(data, 32, out=is_word[1:-1])
    edges = np.flatnonzero(is_word[1:] != is_word[:-1])
    if not len(edges):
        return np.empty(0, dtype=np.uint64)
    starts, ends = edges[0::2], edges[1::2]
    n = len(data)
    prefix = np.zeros(n + 1, dtype=np.uint64)
    np.cumsum(data * _powers(_POLY, n), out=prefix[1:])
    return (prefix[ends] - prefix[starts]) * _powers(_POLY_INV, n)[starts]


def shingles(text: str, k: int = SHINGLE_WORDS) -> np.ndarray:
    """Sorted unique 64-bit hashes of the word ``k``-shingles of ``text`` (see :func:`word_hashes`).

    A text of fewer than ``k`` words is one shingle; a text without any word has none, and then
    takes part in exact de-duplication only.
    """
    h = word_hashes(text)
    if not len(h):
        return h
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
    multiply-add are weak).  Long texts are done in chunks of :data:`_CHUNK` shingles, so the
    ``NUM_PERM x shingles`` work array stays under 4 MB even for a book-length article.
    """
    sig: np.ndarray | None = None
    for start in range(0, len(shingle_hashes), _CHUNK):
        values = np.multiply.outer(_PERM_A, shingle_hashes[start : start + _CHUNK])
        values += _PERM_B[:, None]
        part = values.min(axis=1)
        sig = part if sig is None else np.minimum(sig, part, out=sig)
    if sig is None:
        raise ValueError("a MinHash needs at least one shingle")
    return sig >> np.uint64(32)


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


_TAG_TEXT, _TAG_ID, _TAG_BAND = 0, 1, 2


def _key(value: int, tag: int) -> int:
    """A 64-bit hash as SQLite's signed INTEGER, its two low bits replaced by a kind tag.

    Text digests, id hashes and band keys share one table (one B-tree to update per article
    instead of three); the tag keeps the kinds apart.
    """
    value = (value & ~3 & ((1 << 64) - 1)) | tag
    return value - (1 << 64) if value >= 1 << 63 else value


def _hash64(data: str) -> int:
    return int.from_bytes(hashlib.sha256(data.encode("utf-8")).digest()[:8], "little")


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

    Two tables: ``docs`` (article number, id, text), appended in order, and ``keys`` (tagged
    64-bit key -> number of the first article that had it) holding each article's text digest,
    id hash and LSH band keys.  A key found is only a lead: the text, the id or the shingle
    similarity is always checked against the stored article before a verdict is given.

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
        self._band_salt = _constants("band-salt", self.bands)
        self._tmp = tempfile.TemporaryDirectory(prefix=".backchannel-ingest-", dir=directory)
        self._db = sqlite3.connect(Path(self._tmp.name) / "index.sqlite", isolation_level=None)
        self._db.executescript(
            f"""
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA temp_store = FILE;
            PRAGMA cache_size = -{int(cache_kib)};
            CREATE TABLE docs (n INTEGER PRIMARY KEY, id TEXT NOT NULL, text TEXT NOT NULL);
            CREATE TABLE keys (key INTEGER PRIMARY KEY, n INTEGER NOT NULL);
            BEGIN;
            """
        )
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
        mixed ^= self._band_salt
        mixed ^= mixed >> np.uint64(33)
        mixed *= _BAND_MUL[-1]
        return [_key(int(v), _TAG_BAND) for v in mixed]

    def check(self, doc_id: str, text: str) -> Verdict:
        """Compare an article with every article added so far, without adding it."""
        return self._check(doc_id, text)[0]

    def _check(self, doc_id: str, text: str) -> tuple[Verdict, list[int]]:
        """The verdict, and the keys to store if the article is added."""
        text_key = _key(_hash64(text), _TAG_TEXT)
        id_key = _key(_hash64(doc_id), _TAG_ID)
        hashes = shingles(text)
        band_keys = self._band_keys(hashes) if len(hashes) else []
        keys = [text_key, id_key, *band_keys]
        found = self._db.execute(
            "SELECT keys.key, docs.n, docs.id, docs.text FROM keys JOIN docs USING (n) "
            f"WHERE keys.key IN ({','.join('?' * len(keys))}) ORDER BY docs.n",
            keys,
        ).fetchall()
        id_taken = False
        best: tuple[float, str] | None = None
        seen: set[int] = set()
        for key, n, other_id, other_text in found:
            if key == text_key and other_text == text:
                return Verdict(exact_of=other_id), keys
            if key == id_key and other_id == doc_id:
                id_taken = True
            if key & 3 == _TAG_BAND and n not in seen:
                seen.add(n)
                sim = jaccard(hashes, shingles(other_text))
                if sim >= self.threshold and (best is None or sim > best[0]):
                    best = (sim, other_id)
        if best is None:
            return Verdict(id_taken=id_taken), keys
        return Verdict(id_taken=id_taken, near_of=best[1], similarity=round(best[0], 4)), keys

    def check_and_add(self, doc_id: str, text: str) -> Verdict:
        """Check an article, then add it unless it is an exact duplicate or its id is taken."""
        verdict, keys = self._check(doc_id, text)
        if verdict.exact_of is None and not verdict.id_taken:
            self._insert(doc_id, text, keys)
        return verdict

    def add(self, doc_id: str, text: str) -> None:
        """Add an article unconditionally (its id must be new)."""
        hashes = shingles(text)
        keys = [_key(_hash64(text), _TAG_TEXT), _key(_hash64(doc_id), _TAG_ID)]
        if len(hashes):
            keys += self._band_keys(hashes)
        self._insert(doc_id, text, keys)

    def _insert(self, doc_id: str, text: str, keys: list[int]) -> None:
        n = self._count
        self._db.execute("INSERT INTO docs VALUES (?, ?, ?)", (n, doc_id, text))
        self._db.executemany("INSERT OR IGNORE INTO keys VALUES (?, ?)", [(k, n) for k in keys])
        self._count += 1
