"""An HTML page whose main text is too short to be an article is refused, naming the file.

Before, a page with only a navigation bar became a Document whose text was "Home".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backchannel.annotation.ingest.corpus import ingest
from backchannel.annotation.ingest.sources import MIN_HTML_WORDS
from backchannel.errors import IngestError

NAV_ONLY = """<!DOCTYPE html><html><head><title>Site</title></head><body>
<nav><ul><li><a href="/">Home</a></li></ul></nav>
<div><p>Home</p></div>
</body></html>
"""


def _page(words: int) -> str:
    body = " ".join(f"word{i}" for i in range(words))
    return f"<!DOCTYPE html><html><body><article><p>{body}</p></article></body></html>\n"


def test_navigation_only_page_is_refused(files, tmp_path: Path) -> None:
    src = files.write("front.html", NAV_ONLY)
    with pytest.raises(IngestError) as info:
        ingest([src], tmp_path / "corpus.jsonl")
    assert info.value.one_line() == (
        f"{src}: the page's main text is 1 word ('Home'), fewer than 20: not an article "
        "(a navigation, index or consent page?) (save the article's own page, or put its text "
        "in a .txt file)"
    )
    assert not (tmp_path / "corpus.jsonl").exists()


def test_threshold_is_exactly_twenty_words(files, tmp_path: Path) -> None:
    assert MIN_HTML_WORDS == 20
    short = files.write("short.html", _page(MIN_HTML_WORDS - 1))
    with pytest.raises(IngestError, match="is 19 words"):
        ingest([short], tmp_path / "a.jsonl")
    enough = files.write("enough.html", _page(MIN_HTML_WORDS))
    result = ingest([enough], tmp_path / "b.jsonl")
    assert result.documents == 1
    [doc] = files.read("b.jsonl")
    assert len(doc.text.split()) == MIN_HTML_WORDS
