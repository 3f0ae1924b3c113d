"""``backchannel export`` and ``backchannel events`` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import datasets

from backchannel.cli.app import app


def test_export_command(gold_file: Path, tmp_path: Path, runner) -> None:
    out = tmp_path / "out" / "dataset"
    result = runner.invoke(
        app, ["export", str(gold_file), "-o", str(out), "--splits", "60/20/20", "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    assert f"exported 11 articles to {out}" in result.output
    plan = json.loads((out / "splits.json").read_text(encoding="utf-8"))
    assert plan["seed"] == 3 and plan["shares"] == {"train": 0.6, "validation": 0.2, "test": 0.2}
    counts = {k: len(v) for k, v in plan["splits"].items()}
    assert f"(train {counts['train']}, validation {counts['validation']}, test " in result.output
    ds = datasets.load_dataset(str(out))
    assert {k: v.num_rows for k, v in ds.items()} == counts
    assert (out / "events" / "graph.png").exists() and (out / "spacy" / "config.cfg").exists()


def test_export_refuses_existing_folder(gold_file: Path, tmp_path: Path, runner) -> None:
    out = tmp_path / "ds"
    out.mkdir()
    result = runner.invoke(app, ["export", str(gold_file), "-o", str(out)])
    assert result.exit_code == 1
    assert result.output == f"error: {out}: output folder already exists (use --overwrite)\n"


def test_export_bad_record_names_file_line_and_document(
    gold_file: Path, tmp_path: Path, runner
) -> None:
    with gold_file.open("a", encoding="utf-8") as fh:
        fh.write('{"id": "zz", "text": "abc", "spans": [{"id": "s1", "start": 0, "end": 2, ')
        fh.write('"label": "PERSON"}]}\n')
    out = tmp_path / "ds"
    result = runner.invoke(app, ["export", str(gold_file), "-o", str(out)])
    assert result.exit_code == 1
    assert result.output.startswith(
        f"error: {gold_file}:12: document zz, span s1: unknown span label 'PERSON'"
    )
    assert not out.exists()


def test_export_bad_splits(gold_file: Path, tmp_path: Path, runner) -> None:
    result = runner.invoke(
        app, ["export", str(gold_file), "-o", str(tmp_path / "d"), "--splits", "a/b"]
    )
    assert result.exit_code == 1
    assert result.output.startswith("error: --splits 'a/b': expected numbers")


def test_export_sum_of_splits_not_100_is_refused(gold_file: Path, tmp_path: Path, runner) -> None:
    """Before, 50/60/10 was silently rescaled; now nothing is written and the sum is named."""
    out = tmp_path / "d"
    result = runner.invoke(app, ["export", str(gold_file), "-o", str(out), "--splits", "50/60/10"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: --splits '50/60/10': the shares sum to 120; they must sum to 100 "
        "(percentages, like 80/10/10) or to 1.0 (fractions, like 0.8/0.1/0.1)\n"
    )
    assert not out.exists()


def test_export_of_an_unannotated_corpus_needs_allow_empty(
    gold_docs, tmp_path: Path, runner
) -> None:
    """Before, a corpus with no annotation at all became a "gold" dataset with 0 spans, exit 0."""
    from backchannel.documents import Document, write_documents

    corpus = tmp_path / "corpus.jsonl"
    write_documents([Document(id=d.id, text=d.text, meta=d.meta) for d in gold_docs], corpus)
    out = tmp_path / "ds"
    refused = runner.invoke(app, ["export", str(corpus), "-o", str(out), "--no-spacy"])
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"error: {corpus}: no annotations in any of the {len(gold_docs)} documents: this is a "
        "corpus, not a gold (export an adjudicated gold (backchannel adjudicate), or pass "
        "--allow-empty to export unannotated texts)\n"
    )
    assert list(tmp_path.iterdir()) == [corpus]
    allowed = runner.invoke(
        app, ["export", str(corpus), "-o", str(out), "--no-spacy", "--no-events", "--allow-empty"]
    )
    assert allowed.exit_code == 0, allowed.output
    assert f"exported {len(gold_docs)} articles to {out}" in allowed.stdout


def test_events_command(gold_file: Path, tmp_path: Path, runner) -> None:
    out = tmp_path / "events.csv"
    result = runner.invoke(
        app, ["events", str(gold_file), "-o", str(out), "--graph", str(tmp_path / "g.png")]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"12 rows for 10 contacts in 11 documents -> {out}",
        "27 actor mentions -> 8 actors (0 generic, 0 unknown mentions)",
        f"1 contacts with fewer than two resolved actors -> {tmp_path / 'events_unpaired.csv'}",
        "left out 1 negated, generic or hypothetical contacts (--include-negated keeps them)",
        f"graph: 4 edges -> {tmp_path / 'g.png'}",
    ]
    negated = runner.invoke(
        app, ["events", str(gold_file), "-o", str(tmp_path / "all.csv"), "--include-negated"]
    )
    assert negated.output.startswith("13 rows for 11 contacts")


def test_events_bad_suffix(gold_file: Path, tmp_path: Path, runner) -> None:
    result = runner.invoke(app, ["events", str(gold_file), "-o", str(tmp_path / "e.json")])
    assert result.exit_code == 1
    assert result.output == (
        f"error: {tmp_path / 'e.json'}: event table must end in .parquet or .csv "
        "(for example events.parquet)\n"
    )


def test_export_empty_gold(tmp_path: Path, runner) -> None:
    gold = tmp_path / "empty.jsonl"
    gold.write_text("\n", encoding="utf-8")
    result = runner.invoke(app, ["export", str(gold), "-o", str(tmp_path / "d")])
    assert result.exit_code == 1
    assert result.output == f"error: {gold}: no documents to export\n"
    assert not (tmp_path / "d").exists()


def test_export_help_lists_every_option(runner) -> None:
    result = runner.invoke(app, ["export", "--help"])
    for option in ("--splits", "--seed", "--agreement", "--overwrite", "--no-spacy", "--schema"):
        assert option in result.output
