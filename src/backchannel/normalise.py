"""Text normalisation and stable article ids: the one place offsets are born.

Every offset in backchannel indexes the text this module returns, so it runs once, at ingest,
before any span exists, and never again.  The id is a hash of that text (and the source URL when
known): re-ingesting the same article gives the same id, and byte-identical files.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_TRAILING_SPACE = re.compile(r"[ \t\u00a0]+\n")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


def normalise_text(raw: str) -> tuple[str, list[str]]:
    """Return the normalised text and the list of what was changed (for ``meta.normalised``).

    Steps: Unicode NFC; ``\\r\\n`` and ``\\r`` to ``\\n``; trailing spaces on lines removed;
    runs of blank lines cut to one; leading and trailing whitespace of the article removed.
    """
    done: list[str] = []
    text = unicodedata.normalize("NFC", raw)
    if text != raw:
        done.append("nfc")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        done.append("newlines")
    stripped = _TRAILING_SPACE.sub("\n", text)
    stripped = _MANY_BLANK_LINES.sub("\n\n", stripped).strip()
    if stripped != text:
        done.append("whitespace")
    return stripped, done


def document_id(text: str, url: str | None = None) -> str:
    """Stable 16-hex-digit id: SHA-256 of the normalised text, salted with the URL if known."""
    h = hashlib.sha256()
    if url:
        h.update(url.strip().encode("utf-8"))
        h.update(b"\x00")
    h.update(text.encode("utf-8"))
    return h.hexdigest()[:16]
