"""A .txt that starts with a site name and a headline: both become metadata, not body text.

Before, ``example.org`` and the headline stayed in the text and the document had no title.
Fixtures are made up (no real news text).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from backchannel.annotation.ingest.txt_header import split_header
from backchannel.cli.app import app
from backchannel.documents import read_documents

BODY = "The two envoys met on Monday. They spoke for an hour.\n"


def _ingest_one(tmp_path: Path, content: str) -> dict:
    src = tmp_path / "a.txt"
    src.write_text(content, encoding="utf-8")
    out = tmp_path / "c.jsonl"
    result = CliRunner().invoke(app, ["ingest", str(src), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    (doc,) = list(read_documents(out))
    return {"text": doc.text, "meta": doc.meta}


def test_source_line_and_headline_become_meta(tmp_path: Path) -> None:
    got = _ingest_one(tmp_path, f"news.example.org\nEnvoys Meet In Geneva\n\n{BODY}")
    assert got["text"] == BODY.rstrip("\n")
    assert got["meta"]["source"] == "news.example.org"
    assert got["meta"]["title"] == "Envoys Meet In Geneva"


def test_headline_without_source_line(tmp_path: Path) -> None:
    got = _ingest_one(tmp_path, f"Envoys meet in Geneva\r\n\r\n{BODY}")
    assert got["text"] == BODY.rstrip("\n")
    assert got["meta"]["title"] == "Envoys meet in Geneva"
    assert "source" not in got["meta"]


@pytest.mark.parametrize(
    "content",
    [
        BODY,  # one paragraph, no header
        f"The envoys met.\n\n{BODY}",  # a first sentence ends with a full stop
        f"Update:\n\n{BODY}",  # a colon introduces the body
        f"Envoys meet in Geneva\n{BODY}",  # no blank line after it: part of the body
        " ".join(["word"] * 21) + f"\n\n{BODY}",  # too long for a headline
        "Envoys meet in Geneva\n",  # nothing would be left
    ],
    ids=["plain", "sentence", "colon", "no-blank", "long", "only-line"],
)
def test_text_without_a_header_is_unchanged(content: str) -> None:
    assert split_header(content) == (content, {})


def test_source_line_alone_is_taken_when_no_headline_follows() -> None:
    text, meta = split_header(f"example.org\n{BODY}")
    assert (text, meta) == (BODY, {"source": "example.org"})


def test_a_domain_only_file_is_left_alone() -> None:
    assert split_header("example.org\n") == ("example.org\n", {})


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=200))
def test_split_only_removes_a_prefix(text: str) -> None:
    """What is left is the tail of the (newline-normalised) text; metadata is one line each."""
    rest, meta = split_header(text)
    if not meta:
        assert rest == text
        return
    assert text.replace("\r\n", "\n").replace("\r", "\n").endswith(rest)
    assert rest.strip()
    assert all("\n" not in v and v.strip() == v and v for v in meta.values())
