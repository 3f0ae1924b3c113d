"""The export's formats behind one protocol: a new format is a writer and one registration."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from backchannel.annotation.export import dataset
from backchannel.annotation.export.formats import FORMATS, Format, Target
from backchannel.annotation.export.tokenize import BioResult
from backchannel.documents import Document


class IdsWriter:
    """A format of one file: ``ids.tsv``, a line ``split<TAB>id<TAB>tokens`` per article."""

    def __init__(self, target: Target) -> None:
        self.path = target.root / "ids.tsv"
        self.lines: list[str] = []
        self.closed_with: list[list[str]] = []

    def add(self, split: str, doc: Document, bio: BioResult) -> None:
        self.lines.append(f"{split}\t{doc.id}\t{len(bio.tokens)}\n")

    def close(self, splits: list[str]) -> dict[str, Any]:
        self.closed_with.append(splits)
        self.path.write_text("".join(self.lines), encoding="utf-8")
        return {}


def test_a_registered_format_gets_every_document_and_is_closed_once(
    gold_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[IdsWriter] = []

    def open_ids(target: Target) -> IdsWriter:
        opened.append(IdsWriter(target))
        return opened[-1]

    monkeypatch.setattr(dataset, "FORMATS", [*FORMATS, Format(name="ids", open=open_ids)])
    out = tmp_path / "dataset"
    result = dataset.export_dataset(gold_file, out, docbin=False, events=False)

    [writer] = opened
    assert writer.closed_with == [["train", "validation", "test"]]
    plan = json.loads((out / "splits.json").read_text(encoding="utf-8"))["splits"]
    lines = (out / "ids.tsv").read_text(encoding="utf-8").splitlines()
    got: dict[str, list[str]] = {}
    for line in lines:
        split, doc_id, tokens = line.split("\t")
        got.setdefault(split, []).append(doc_id)
        assert int(tokens) > 0
    assert got == plan  # every article once, in its split, in the gold file's order
    assert result.files["ids.tsv"] > 0  # inside the atomic folder, listed with the rest


def test_formats_with_an_option_are_left_out_when_it_is_off(
    gold_file: Path, tmp_path: Path
) -> None:
    assert {f.name: f.option for f in FORMATS} == {
        "parquet": None,
        "jsonl": None,
        "spacy": "docbin",
        "events": "events",
    }
    out = tmp_path / "dataset"
    result = dataset.export_dataset(gold_file, out, docbin=False, events=False)
    tops = {name.split("/", 1)[0] for name in result.files}
    assert "spacy" not in tops and "events" not in tops
    assert {"data", "jsonl", "train", "dataset_dict.json"} <= tops
    assert result.events is None
