"""Counts and articles in messages: "1 document", "2 documents", "an int"."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from backchannel.cli.app import app
from backchannel.documents import Document, Relation, Span, write_documents
from backchannel.text import article, plural


def test_plural_examples() -> None:
    assert plural(1, "document") == "1 document"
    assert plural(2, "document") == "2 documents"
    assert plural(0, "task") == "0 tasks"
    assert plural(3, "bad article") == "3 bad articles"
    assert plural(2, "entity") == "2 entities"
    assert plural(2, "batch") == "2 batches"
    assert plural(4, "retry", "retries") == "4 retries"
    assert plural(1, "retry", "retries") == "1 retry"


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["span", "relation", "file"]))
def test_plural_is_singular_only_for_one(count: int, word: str) -> None:
    said = plural(count, word)
    assert said.startswith(f"{count} ")
    assert said.endswith("s") is (count != 1)


def test_article() -> None:
    assert article("int") == "an int"
    assert article("str") == "a str"
    assert article("list") == "a list"
    assert article("object") == "an object"


def test_ingest_names_an_int_text_with_an(tmp_path: Path) -> None:
    src = tmp_path / "r.jsonl"
    src.write_text('{"text": 7}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", str(src), "-o", str(tmp_path / "c.jsonl")])
    assert result.exit_code == 1
    assert f'{src}:1: record has an int as "text" (expected a string)' in result.output


def test_validate_counts_one_of_each_in_the_singular(tmp_path: Path) -> None:
    text = "Ana called Bo."
    doc = Document(
        id="d1",
        text=text,
        spans=[
            Span(id="s1", start=0, end=3, label="ACTOR", attrs={"actor_kind": "person"}),
            Span(id="s2", start=4, end=10, label="CHANNEL", attrs={"channel_kind": "phone_call"}),
        ],
        relations=[Relation(head="s2", tail="s1", label="PARTICIPANT")],
    )
    path = tmp_path / "one.jsonl"
    write_documents([doc], path)
    result = CliRunner().invoke(app, ["schema", "validate", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{path}: 1 document, 2 spans, 1 relation: valid" in result.output
