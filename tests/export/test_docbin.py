"""spaCy DocBin: lossless round trip, and ``spacy train`` trains a spancat on it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from backchannel.annotation.export.docbin import SPAN_KEY, DocBinWriter, to_spacy_doc, user_data_of
from backchannel.annotation.export.tokenize import non_overlapping
from backchannel.documents import Document
from backchannel.schema import Schema


def load_split(folder: Path) -> list:
    nlp = spacy.blank("en")
    docs = []
    for shard in sorted(folder.glob("*.spacy")):
        docs += list(DocBin().from_disk(shard).get_docs(nlp.vocab))
    return docs


def test_docbin_keeps_everything(exported, schema: Schema) -> None:
    by_id = {d.id: d for d in exported.docs}
    splits = json.loads((exported.out / "splits.json").read_text(encoding="utf-8"))["splits"]
    for split, ids in splits.items():
        sdocs = load_split(exported.out / "spacy" / split)
        assert [d.user_data["backchannel"]["id"] for d in sdocs] == ids
        for sdoc in sdocs:
            gold = by_id[sdoc.user_data["backchannel"]["id"]]
            assert sdoc.text == gold.text
            got = sorted((s.start_char, s.end_char, s.label_, s.id_) for s in sdoc.spans[SPAN_KEY])
            assert got == sorted((s.start, s.end, s.label, s.id) for s in gold.spans)
            ents = [(e.start_char, e.end_char, e.label_) for e in sdoc.ents]
            kept = non_overlapping(gold.spans, schema.span_labels)
            assert ents == [(s.start, s.end, s.label) for s in kept]
            # msgpack gives lists back as tuples; compare as JSON
            assert json.loads(json.dumps(sdoc.user_data["backchannel"])) == user_data_of(gold)
            for name, value in gold.doc_labels.items():
                assert sdoc.cats[f"{name}={value}"] == 1.0


def test_nested_and_overlapping_spans_go_to_sc_not_ents(
    gold_docs: list[Document], schema: Schema
) -> None:
    nested = next(d for d in gold_docs if d.id == "doc-2")
    sdoc = to_spacy_doc(spacy.blank("en").vocab, nested, schema)
    assert len(sdoc.spans[SPAN_KEY]) == len(nested.spans)
    ent_texts = [e.text for e in sdoc.ents]
    assert "Russia's Security Council secretary" in ent_texts
    assert "Council secretary, France" not in ent_texts
    assert ent_texts.count("Russia") == 1  # the nested one is left out, the later one kept


def test_shards_bound_memory(gold_docs: list[Document], schema: Schema, tmp_path: Path) -> None:
    vocab = spacy.blank("en").vocab
    writer = DocBinWriter(tmp_path / "train", shard_size=4)
    for doc in gold_docs:
        writer.add(to_spacy_doc(vocab, doc, schema))
    writer.flush()
    assert [p.name for p in writer.files] == ["0000.spacy", "0001.spacy", "0002.spacy"]
    assert len(load_split(tmp_path / "train")) == len(gold_docs) == writer.count


def test_spacy_train_spancat_one_epoch(exported, tmp_path: Path) -> None:
    """The exported config and DocBins train a (tiny) spancat through the real CLI."""
    out = exported.out
    cmd = [
        sys.executable, "-m", "spacy", "train", str(out / "spacy" / "config.cfg"),
        "--output", str(tmp_path / "model"),
        "--paths.train", str(out / "spacy" / "train"),
        "--paths.dev", str(out / "spacy" / "validation"),
        "--training.max_epochs", "1",
        "--training.max_steps", "0",
        "--training.eval_frequency", "5",
        "--components.tok2vec.model.embed.width", "16",
        "--components.tok2vec.model.encode.width", "16",
        "--components.tok2vec.model.encode.depth", "1",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:] + proc.stdout[-2000:]
    assert "spans_sc_f" in proc.stdout or "SPANS_SC_F" in proc.stdout
    nlp = spacy.load(tmp_path / "model" / "model-last")
    assert nlp.pipe_names == ["tok2vec", "spancat"]
    assert nlp.get_pipe("spancat").labels == ("ACTOR", "CHANNEL", "ISSUE", "VENUE") or set(
        nlp.get_pipe("spancat").labels
    ) == {"ACTOR", "CHANNEL", "ISSUE", "VENUE"}
    doc = nlp("President Anna Reyes phoned the Kremlin.")
    assert SPAN_KEY in doc.spans


@pytest.mark.parametrize("text", ["  leading", "a\n\n b  c \t", "x"])
def test_whitespace_edges_rebuild_text(text: str, schema: Schema) -> None:
    doc = Document(id="w", text=text)
    assert to_spacy_doc(spacy.blank("en").vocab, doc, schema).text == text
