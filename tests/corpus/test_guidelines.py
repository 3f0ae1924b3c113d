"""Every example quoted in schemas/guidelines.md is a corpus sentence with its gold spans.

A guideline example that drifts from the gold teaches annotators the wrong thing, so each
``> NNN | ...`` line is checked: without brackets it must occur in article NNN, and every
``[bracketed]`` part must be a gold span at exactly that place.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from backchannel.documents import read_documents
from corpora import build

GUIDELINES = Path(build.ROOT) / "schemas" / "guidelines.md"
EXAMPLE = re.compile(r"^> (\d{3}) \| (.+)$", re.M)


def _examples() -> list[tuple[str, str]]:
    return EXAMPLE.findall(GUIDELINES.read_text(encoding="utf-8"))


def _strip(example: str) -> tuple[str, list[tuple[int, int]]]:
    """The plain sentence and the (start, end) of each bracketed part inside it."""
    plain, spans, stack = [], [], []
    for ch in example:
        if ch == "[":
            stack.append(len(plain))
        elif ch == "]":
            spans.append((stack.pop(), len(plain)))
        else:
            plain.append(ch)
    assert not stack, f"unbalanced brackets in {example!r}"
    return "".join(plain), spans


def test_guidelines_quote_many_articles():
    numbers = {n for n, _ in _examples()}
    assert len(_examples()) >= 25
    assert len(numbers) >= 15


def test_guidelines_point_to_the_generated_reference():
    text = GUIDELINES.read_text(encoding="utf-8")
    assert "backchannel schema guide" in text


@pytest.mark.parametrize(("number", "example"), _examples())
def test_example_matches_the_gold(number, example):
    gold = {
        Path(d.meta["file"]).name[:3]: d for d in read_documents(build.CORPUS_DIR / "gold.jsonl")
    }
    doc = gold[number]
    plain, parts = _strip(example)
    at = doc.text.find(plain)
    assert at != -1, f"{number}: {plain!r} is not in the article"
    offsets = {(s.start, s.end) for s in doc.spans}
    for start, end in parts:
        assert (at + start, at + end) in offsets, f"{number}: [{plain[start:end]}] is no gold span"
