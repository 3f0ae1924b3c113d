"""Label Studio text offsets <-> Python ``str`` indices: the one place that knows the convention.

Measured with label-studio 1.23.2 in the real web UI (headless Chromium, see
``tests/labelstudio/test_browser.py``): ``value.start`` / ``value.end`` of a text region are Python
``str`` indices (Unicode code points) into the task text.  An emoji counts 1, a combining mark is
its own code point, ``\\r\\n`` counts 2.  ``value.text`` however is wrong for a region that crosses
a line break (the UI stores the two characters backslash and ``n``), so a region's text is always
taken from ``text[start:end]`` and ``value.text`` is only used as a consistency check.

Older Label Studio versions counted UTF-16 code units (an emoji counted 2,
HumanSignal/label-studio#1347).  Should a future version go back to that, set :data:`CONVENTION`
to :attr:`Convention.UTF16`: the conversions for it are here and tested, and nothing else in the
code base changes.
"""

from __future__ import annotations

from enum import Enum

__all__ = [
    "CONVENTION",
    "Convention",
    "from_studio",
    "region_text",
    "text_matches",
    "to_studio",
]


class Convention(Enum):
    """How a Label Studio version counts text offsets."""

    CODEPOINTS = "codepoints"
    UTF16 = "utf16"


CONVENTION = Convention.CODEPOINTS
"""The convention of the pinned label-studio (1.23.2), proven by the browser test."""


def _utf16_prefix(text: str, index: int) -> int:
    """UTF-16 code units in ``text[:index]``."""
    prefix = text[:index]
    return len(prefix) + sum(1 for ch in prefix if ord(ch) > 0xFFFF)


def _py_from_utf16(text: str, units: int) -> int | None:
    """Python index whose UTF-16 prefix is ``units`` long, or None inside a surrogate pair."""
    count = 0
    for i, ch in enumerate(text):
        if count == units:
            return i
        count += 2 if ord(ch) > 0xFFFF else 1
        if count > units:
            return None
    return len(text) if count == units else None


def to_studio(
    text: str, start: int, end: int, convention: Convention = CONVENTION
) -> tuple[int, int]:
    """Python ``str`` offsets -> the offsets Label Studio stores for ``text[start:end]``."""
    if convention is Convention.CODEPOINTS:
        return start, end
    return _utf16_prefix(text, start), _utf16_prefix(text, end)


def from_studio(
    text: str, start: int, end: int, convention: Convention = CONVENTION
) -> tuple[int, int] | None:
    """Label Studio offsets -> Python ``str`` offsets, or None when they cannot be mapped.

    None means out of range, reversed, or (UTF-16) inside a surrogate pair: the caller refuses
    the region with its task and region id.
    """
    if convention is Convention.CODEPOINTS:
        py_start, py_end = start, end
    else:
        mapped_start, mapped_end = _py_from_utf16(text, start), _py_from_utf16(text, end)
        if mapped_start is None or mapped_end is None:
            return None
        py_start, py_end = mapped_start, mapped_end
    if not 0 <= py_start < py_end <= len(text):
        return None
    return py_start, py_end


def region_text(text: str, start: int, end: int) -> str:
    """The text of a region at Python offsets: always ``text[start:end]``, never ``value.text``."""
    return text[start:end]


def text_matches(stored: str | None, actual: str) -> bool:
    """Whether a region's ``value.text`` is consistent with ``text[start:end]``.

    Label Studio 1.23.2 writes a line break inside ``value.text`` as backslash + ``n`` (and
    ``\\r`` likewise), so both spellings are accepted; anything else means the offsets point
    somewhere else than the annotator saw, and the region is refused.
    """
    if stored is None or stored == actual:
        return True
    escaped = actual.replace("\r", "\\r").replace("\n", "\\n")
    if stored == escaped:
        return True
    # The UI may also drop the carriage return of \r\n.
    return stored == actual.replace("\r\n", "\\n").replace("\n", "\\n")
