"""The dataset folder: loads back exactly, splits right, atomic, with a computed card."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest

from backchannel.annotation.export.card_metadata import validate_card
from backchannel.annotation.export.dataset import export_dataset
from backchannel.annotation.export.features import RowCodec
from backchannel.documents import Document, read_documents, write_documents
from backchannel.errors import DocumentError, InputError
from backchannel.schema import Schema

ROOT = Path(__file__).resolve().parents[2]


def parquet(out: Path, split: str) -> Path:
    (path,) = (out / "data").glob(f"{split}-*.parquet")
    return path


def split_ids(out: Path) -> dict[str, list[str]]:
    return json.loads((out / "splits.json").read_text(encoding="utf-8"))["splits"]


def expected_rows(exported, schema: Schema) -> dict[str, list[dict]]:
    codec = RowCodec(schema)
    by_id = {d.id: d for d in exported.docs}
    return {
        split: [codec.to_row(by_id[i]) for i in ids]
        for split, ids in split_ids(exported.out).items()
    }


def assert_rows_equal(got: datasets.Dataset, want: list[dict]) -> None:
    assert got.num_rows == len(want)
    for i, row in enumerate(want):
        loaded = got[i]
        assert set(loaded) == set(row)
        for column, value in row.items():
            assert loaded[column] == value, f"row {i} ({row['id']}) column {column}"


def test_load_dataset_gives_back_exactly_what_was_exported(exported, schema: Schema) -> None:
    ds = datasets.load_dataset(str(exported.out))
    want = expected_rows(exported, schema)
    assert list(ds) == list(want) == ["train", "validation", "test"]
    features = RowCodec(schema).features()
    for split, rows in want.items():
        assert ds[split].features == features
        assert_rows_equal(ds[split], rows)


def test_load_from_disk_gives_back_exactly_what_was_exported(exported, schema: Schema) -> None:
    ds = datasets.load_from_disk(str(exported.out))
    want = expected_rows(exported, schema)
    assert list(ds) == list(want)
    for split, rows in want.items():
        assert ds[split].features == RowCodec(schema).features()
        assert_rows_equal(ds[split], rows)


def test_parquet_carries_the_features(exported, schema: Schema) -> None:
    for split in split_ids(exported.out):
        arrow = pq.read_schema(parquet(exported.out, split))
        assert datasets.Features.from_arrow_schema(arrow) == RowCodec(schema).features()


def test_jsonl_per_split_is_the_gold(exported) -> None:
    by_id = {d.id: d for d in exported.docs}
    for split, ids in split_ids(exported.out).items():
        docs = list(read_documents(exported.out / "jsonl" / f"{split}.jsonl"))
        assert docs == [by_id[i] for i in ids]


def test_every_article_once_and_near_duplicates_together(exported) -> None:
    ids = split_ids(exported.out)
    flat = [i for split in ids.values() for i in split]
    assert sorted(flat) == sorted(d.id for d in exported.docs)
    where = {i: split for split, members in ids.items() for i in members}
    assert where["doc-1"] == where["doc-1-dup"]
    assert exported.result.splits == {k: len(v) for k, v in ids.items()}


def test_same_seed_same_export_other_seed_other_split(exported, tmp_path: Path) -> None:
    again = export_dataset(exported.gold, tmp_path / "again", docbin=False, events=False)
    assert split_ids(Path(again.output)) == split_ids(exported.out)
    for split in split_ids(exported.out):
        assert parquet(exported.out, split).name == parquet(tmp_path / "again", split).name
        a = pq.read_table(parquet(exported.out, split))
        b = pq.read_table(parquet(tmp_path / "again", split))
        assert a.equals(b)
    seeds = set()
    for seed in range(1, 6):
        other = export_dataset(
            exported.gold, tmp_path / f"seed{seed}", seed=seed, docbin=False, events=False
        )
        seeds.add(json.dumps(split_ids(Path(other.output)), sort_keys=True))
    assert len(seeds) > 1


def test_counts_in_the_card_are_computed(exported) -> None:
    card = (exported.out / "README.md").read_text(encoding="utf-8")
    meta = validate_card(card)
    assert meta["size_categories"] == ["n<1K"]
    assert meta["license"] == "cc-by-4.0"
    assert meta["configs"][0]["data_files"] == [
        {"split": s, "path": f"data/{parquet(exported.out, s).name}"}
        for s in ("train", "validation", "test")
    ]
    ids = split_ids(exported.out)
    by_id = {d.id: d for d in exported.docs}
    for label in ("ACTOR", "CHANNEL", "VENUE", "ISSUE"):
        per_split = [
            sum(1 for i in ids[s] for sp in by_id[i].spans if sp.label == label)
            for s in ("train", "validation", "test")
        ]
        line = f"| {label} | " + " | ".join(map(str, [*per_split, sum(per_split)])) + " |"
        assert line in card
    kinds = Counter(
        s.attrs["channel_kind"] for d in exported.docs for s in d.spans if s.label == "CHANNEL"
    )
    assert kinds["phone_call"] == len(exported.docs) - 2 + 1  # calls + one in negated_doc
    assert re.search(rf"\| phone_call \| \d+ \| \d+ \| \d+ \| {kinds['phone_call']} \|", card)
    n_articles = len(exported.docs)
    assert f"{n_articles} articles" in card
    assert f"{n_articles} of {n_articles} are synthetic" in card


def test_agreement_figures_with_intervals(exported) -> None:
    card = (exported.out / "README.md").read_text(encoding="utf-8")
    section = card.split("## Annotator agreement")[1].split("\n## ")[0]
    assert "Measured on 35 articles by 3 annotators (ann_a, ann_b, &lt;b&gt;" in section
    assert "**Synthetic annotators: ann_a.**" in section
    assert "agreement figures come from synthetic annotators (ann_a), not people" in card
    assert "| section | measure | value | 90% CI | n |" in section
    assert "| overall | strict | 0.812 | [0.750, 0.870] |  |" in section
    assert "| overall | overlap | 0.900 | [0.850, 0.940] |  |" in section
    assert "| per_label | ACTOR.strict | 0.880 | [0.800, 0.930] |  |" in section
    assert "| attributes | CHANNEL.modality.cohen_kappa | 0.700 | n/a | 104 |" in section
    assert "| attributes | CHANNEL.modality.krippendorff_alpha | 0.710 | n/a | 104 |" in section
    assert "VENUE" not in section  # an undefined figure is left out, not shown as 0
    assert "0.800 | n/a | 83" not in section  # per-pair details stay in the agreement report


def test_card_escapes_user_text(exported) -> None:
    card = (exported.out / "README.md").read_text(encoding="utf-8")
    assert "<script>" not in card
    assert "&lt;script&gt;alert(1)&lt;/script&gt; \\| team" in card


def test_card_without_agreement_says_so(gold_file: Path, tmp_path: Path) -> None:
    export_dataset(gold_file, tmp_path / "ds", docbin=False, events=False)
    card = (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")
    assert "No agreement figures were given" in card
    validate_card(card)


def test_bad_record_writes_nothing(gold_docs: list[Document], tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    write_documents(gold_docs, gold)
    with gold.open("a", encoding="utf-8") as fh:
        fh.write('{"id": "bad", "text": "abc", "spans": [{"id": "s1", "start": 1, "end": 9, ')
        fh.write('"label": "ACTOR"}]}\n')
    with pytest.raises(DocumentError) as err:
        export_dataset(gold, tmp_path / "out" / "ds")
    assert err.value.line == len(gold_docs) + 1 and err.value.doc_id == "bad"
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_failure_half_way_leaves_no_folder(
    gold_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object, **kwargs: object) -> str:
        raise OSError("disk full")

    monkeypatch.setattr("backchannel.annotation.export.card.render_card", boom)
    with pytest.raises(OSError, match="disk full"):
        export_dataset(gold_file, tmp_path / "ds", docbin=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold.jsonl"]


def test_existing_folder_needs_overwrite(gold_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "ds"
    export_dataset(gold_file, out, docbin=False, events=False)
    with pytest.raises(InputError, match="already exists"):
        export_dataset(gold_file, out, docbin=False, events=False)
    export_dataset(gold_file, out, docbin=False, events=False, splits="50/50", overwrite=True)
    assert list(split_ids(out)) == ["train", "test"]


def test_bundled_gold_exports(tmp_path: Path, gold_file: Path) -> None:
    """The bundled corpus when it exists (another helper builds it), else the test gold."""
    bundled = ROOT / "corpora" / "diplomacy" / "gold.jsonl"
    gold = bundled if bundled.exists() else gold_file
    result = export_dataset(gold, tmp_path / "ds", docbin=False)
    n = sum(1 for _ in read_documents(gold))
    assert result.documents == n == sum(result.splits.values())
    ds = datasets.load_dataset(str(tmp_path / "ds"))
    assert sum(d.num_rows for d in ds.values()) == n


def test_two_exports_to_same_named_folders_load_their_own_rows(
    gold_docs: list[Document], tmp_path: Path
) -> None:
    """datasets caches load_dataset(folder) by folder and file names: content must name files."""
    first = tmp_path / "a" / "dataset"
    second = tmp_path / "b" / "dataset"
    write_documents(gold_docs, tmp_path / "g1.jsonl")
    changed = [
        Document(id=d.id, text=d.text, meta=d.meta, doc_labels={"relevant": "no"})
        for d in gold_docs
    ]
    write_documents(changed, tmp_path / "g2.jsonl")
    export_dataset(tmp_path / "g1.jsonl", first, docbin=False, events=False)
    export_dataset(tmp_path / "g2.jsonl", second, docbin=False, events=False)
    one = datasets.load_dataset(str(first))
    two = datasets.load_dataset(str(second))
    assert one["train"][0]["spans"] and not two["train"][0]["spans"]


MINIMAL_SCHEMA = """
name: people
version: "0.1"
language: en
spans:
  PERSON:
    attributes:
      famous: {values: ["yes", "no"]}
  PLACE: {}
"""


def test_a_minimal_schema_exports_without_stance_or_doc_labels(tmp_path: Path) -> None:
    from backchannel.annotation.export.events import write_events
    from backchannel.documents import Span
    from backchannel.errors import SchemaError
    from backchannel.schema import load_schema

    path = tmp_path / "people.yaml"
    path.write_text(MINIMAL_SCHEMA, encoding="utf-8")
    schema = load_schema(path)
    text = "Ada met Alan in Bletchley."
    docs = [
        Document(
            id=f"d{i}",
            text=text,
            spans=[
                Span(id="p1", start=0, end=3, label="PERSON", attrs={"famous": "yes"}),
                Span(id="p2", start=8, end=12, label="PERSON"),
                Span(id="l1", start=16, end=25, label="PLACE"),
            ],
        )
        for i in range(4)
    ]
    gold = tmp_path / "gold.jsonl"
    write_documents(docs, gold)
    with pytest.raises(SchemaError, match="needs CHANNEL and PARTICIPANT"):
        export_dataset(gold, tmp_path / "ds", schema=schema)
    with pytest.raises(SchemaError, match="needs CHANNEL and PARTICIPANT"):
        write_events(gold, tmp_path / "e.csv", schema=schema)
    export_dataset(gold, tmp_path / "ds", schema=schema, events=False, splits="50/50")
    ds = datasets.load_dataset(str(tmp_path / "ds"))
    features = ds["train"].features
    assert "stances" not in features and "doc_labels" not in features
    assert features["ner_tags"].feature.names == ["O", "B-PERSON", "I-PERSON", "B-PLACE", "I-PLACE"]
    row = ds["train"][0]
    assert [s["famous"] for s in row["spans"]] == ["yes", None, None]
    assert row["ner_tags"] == [1, 0, 1, 0, 3, 0]
