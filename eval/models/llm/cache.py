"""An on-disk cache of model answers: a rerun costs nothing and writes the same bytes.

The key is a SHA-256 of everything that decides the answer: the model name, the endpoint's
request parameters (temperature, response format) and the full message list (system prompt,
few-shot turns, article text).  Change the schema, the guidelines, the examples or one
character of the article and the key changes; change nothing and the stored answer, with the
token counts the provider reported for it, is returned without a request.

Only well-formed answers are stored (a malformed one is retried, not remembered).  Each entry
is one small JSON file under ``DIR/ab/abcdef….json``, written atomically, so two runs sharing a
directory never see half an entry and a run killed mid-way keeps every answer it paid for.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from backchannel.atomic import atomic_write

__all__ = ["AnswerCache", "cache_key"]


def cache_key(model: str, messages: list[dict[str, str]], params: dict[str, Any]) -> str:
    """Stable hex key of a request (order-independent in ``params``)."""
    blob = json.dumps(
        {"model": model, "messages": messages, "params": params},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class AnswerCache:
    """Answers by key in a directory; ``None`` directory means no caching."""

    def __init__(self, directory: str | Path | None) -> None:
        self.directory = Path(directory) if directory is not None else None

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored entry (``content`` and ``usage``), or ``None``; a corrupt entry is a miss."""
        if self.directory is None:
            return None
        path = self._path(key)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or not isinstance(entry.get("content"), str):
            return None
        return entry

    def put(self, key: str, content: str, usage: dict[str, int]) -> None:
        """Store one answer and the token counts it cost."""
        if self.directory is None:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path, "w") as fh:
            json.dump({"content": content, "usage": usage}, fh, ensure_ascii=False)
