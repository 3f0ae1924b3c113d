"""A raw article given where Document JSONL is expected: the error says to run ingest first.

Before, ``predict article.txt`` said only ``not valid JSON (... byte 0)``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from backchannel.cli.app import app
from backchannel.documents import Document, read_documents, write_documents
from backchannel.errors import DocumentError

ARTICLE = "Envoys Meet In Geneva\n\nThe two envoys met on Monday.\n"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("article.txt", ARTICLE),
        ("page.html", "<html><body><p>The two envoys met.</p></body></html>\n"),
        ("notes.jsonl", ARTICLE),  # wrong suffix, but the line is no JSON object
        ("broken.txt", '{"text": "a .txt that starts like JSON"\n'),
    ],
)
def test_reader_says_to_ingest_a_raw_article(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DocumentError) as info:
        list(read_documents(path))
    assert info.value.line == 1
    assert info.value.hint == (
        "this looks like a raw article, not Document JSONL; turn articles into a corpus first: "
        f"backchannel ingest {path} -o corpus.jsonl"
    )


def test_broken_jsonl_gets_no_ingest_hint(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text('{"id": "d1", "text": \n', encoding="utf-8")
    with pytest.raises(DocumentError, match="not valid JSON") as info:
        list(read_documents(path))
    assert info.value.hint is None


def test_predict_on_a_txt_names_ingest(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    result = runner.invoke(app, ["predict", str(path)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {path}:1: not valid JSON (")
    assert result.stderr.endswith(
        f"(this looks like a raw article, not Document JSONL; turn articles into a corpus "
        f"first: backchannel ingest {path} -o corpus.jsonl)\n"
    )
    assert result.stdout == ""


@pytest.mark.parametrize("command", ["score", "compare"])
def test_score_and_compare_on_a_txt_name_ingest(
    runner: CliRunner, tmp_path: Path, command: str
) -> None:
    """score and compare read through the scorer's own joiner, which now gives the same hint."""
    gold = tmp_path / "gold.jsonl"
    write_documents([Document(id="d1", text="The two envoys met.")], gold)
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    args = [command, str(gold), str(article)] + ([str(gold)] if command == "compare" else [])
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {article}:1: not valid JSON (")
    assert result.stderr.endswith(f"first: backchannel ingest {article} -o corpus.jsonl)\n")
    assert result.stdout == ""
