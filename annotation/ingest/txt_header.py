"""The head of a plain-text article: a site-name line and a headline, the way people save them.

A ``.txt`` copied from a news page typically starts with the site (``example.org``), then the
headline, a blank line and the body.  Kept as body text, both would be annotated as if they
were sentences and the document would have no title.  The rule, deliberately narrow so that an
article's own first sentence is never taken for a headline:

* source: the first non-empty line is only a domain name (``news.example.org``) -> ``source``;
* headline: the first non-empty line (after a source line) has at most
  :data:`MAX_HEADLINE_WORDS` words, does not end with ``.``, ``!``, ``?`` or ``:`` (closing
  quotes and brackets aside), and is followed by a blank line -> ``title``.

Each is removed from the text only if body text is left after it.
"""

from __future__ import annotations

import re

MAX_HEADLINE_WORDS = 20
_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$", re.IGNORECASE)
_SENTENCE_END = (".", "!", "?", ":")
_CLOSERS = "\"'”’»)]"


def _first_content(lines: list[str], start: int) -> int | None:
    for i in range(start, len(lines)):
        if lines[i].strip():
            return i
    return None


def _is_headline(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= MAX_HEADLINE_WORDS and not line.rstrip(_CLOSERS).endswith(
        _SENTENCE_END
    )


def split_header(text: str) -> tuple[str, dict[str, str]]:
    """Take a leading source line and headline off ``text``.

    Args:
        text: the decoded file (any newline convention).

    Returns:
        The text after what was recognised (newlines as ``\\n``; ``text`` unchanged when
        nothing was) and the metadata found: ``source`` and/or ``title``.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta: dict[str, str] = {}
    first = _first_content(lines, 0)
    if first is None:
        return text, meta
    start = first
    if _DOMAIN.match(lines[first].strip()):
        following = _first_content(lines, first + 1)
        if following is None:
            return text, meta
        meta["source"] = lines[first].strip()
        start = following
    head = lines[start]
    blank_after = start + 1 < len(lines) and not lines[start + 1].strip()
    if blank_after and _is_headline(head) and _first_content(lines, start + 1) is not None:
        meta["title"] = " ".join(head.split())
        start = _first_content(lines, start + 1) or start
    if not meta:
        return text, meta
    return "\n".join(lines[start:]), meta
