"""Small article fixtures for ingest, written by hand into tmp_path so they can be read by eye."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backchannel.documents import Document, read_documents

# A news page with navigation, a cookie banner and a footer around the article.
ARTICLE_HTML = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Leaders talk by phone | Daily Planet</title>
<link rel="canonical" href="https://example.org/world/leaders-talk">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2025-03-05T10:00:00Z">
<meta property="og:site_name" content="Daily Planet">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/login">Sign in</a></li></ul></nav>
<div class="cookie-banner">We use cookies. <a href="/cookies">Accept all cookies</a></div>
<article>
<h1>Leaders talk by phone</h1>
<p>President Anna Reyes phoned the Kremlin on Monday about the grain deal, her office said in
a statement released in Manila late on Monday evening.</p>
<p>The two sides agreed to meet again in Geneva next month, according to officials familiar
with the talks, who spoke on condition of anonymity.</p>
<p>Turkey has offered to mediate, and its foreign minister is expected to travel to both
capitals before the summit.</p>
</article>
<footer><p>Copyright 2025 Daily Planet. All rights reserved.</p>
<a href="/privacy">Privacy policy</a> <a href="/terms">Terms of use</a></footer>
</body></html>
"""

# Two long articles that differ in two words: word 5-shingle Jaccard ~0.84.
BASE_WORDS = (
    "The foreign ministers of Ruritania and Freedonia met in Vienna on Tuesday for the first "
    "direct talks since the border incident last spring, officials from both sides said. "
    "The meeting, hosted by the Austrian government, lasted four hours and ended without a "
    "joint statement, but both delegations described the atmosphere as constructive and "
    "businesslike. Ruritania's minister told reporters that a hotline between the two "
    "defence ministries would be restored within weeks, while his Freedonian counterpart "
    "said prisoner exchanges remained the priority. Diplomats familiar with the preparations "
    "said a second round could take place in Geneva before the end of the year if the "
    "ceasefire holds along the disputed river valley and both parliaments approve the plan."
)
NEAR_WORDS = BASE_WORDS.replace("four hours", "five hours").replace("second round", "new round")


class Files:
    """Writes hand-made sources under one folder; paths come back for use in messages."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, name: str, content: str | bytes) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return path

    def jsonl(self, name: str, *records: dict) -> Path:
        lines = [json.dumps(r, ensure_ascii=False) for r in records]
        return self.write(name, "\n".join(lines) + "\n")

    def read(self, name: str | Path) -> list[Document]:
        return list(read_documents(self.root / name))

    def leftovers(self) -> list[str]:
        """Hidden temporary files or folders left behind (atomic write or the dedupe index)."""
        return sorted(p.name for p in self.root.rglob(".*"))


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return Files(tmp_path)


@pytest.fixture
def article_html() -> str:
    return ARTICLE_HTML


@pytest.fixture
def base_text() -> str:
    return BASE_WORDS


@pytest.fixture
def near_text() -> str:
    return NEAR_WORDS
