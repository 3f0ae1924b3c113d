"""The bundled corpus goes through ingest into exactly the texts and ids its gold annotates."""

from __future__ import annotations

from pathlib import Path

from backchannel.annotation.ingest.corpus import ingest
from backchannel.documents import read_documents

CORPUS = Path(__file__).resolve().parents[2] / "corpora" / "diplomacy"


def test_bundled_articles_ingest_to_the_gold_texts_and_ids(tmp_path: Path) -> None:
    out = tmp_path / "corpus.jsonl"
    result = ingest([CORPUS / "articles.jsonl"], out, require_license=True)
    corpus = {d.id: d for d in read_documents(out)}
    gold = {d.id: d.text for d in read_documents(CORPUS / "gold.jsonl")}
    assert {i: d.text for i, d in corpus.items()} == gold
    assert result.exact_duplicates == 0
    # Some articles are written with CRLF or decomposed accents: ingest says what it changed.
    steps = {s for d in corpus.values() for s in d.meta["normalised"]}
    assert {"nfc", "newlines"} <= steps
    assert all(d.meta["license"] for d in corpus.values())
