"""``ingest --skip-bad``: one bad file no longer aborts a folder; strict stays the default."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from backchannel.cli.app import app


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "arts"
    folder.mkdir()
    (folder / "a.txt").write_text("The envoy met the minister.\n", encoding="utf-8")
    (folder / "b.txt").write_text("", encoding="utf-8")
    (folder / "c.txt").write_text("A second short article.\n", encoding="utf-8")
    return folder


def test_default_is_strict(runner: CliRunner, tmp_path: Path) -> None:
    folder, out = _folder(tmp_path), tmp_path / "corpus.jsonl"
    result = runner.invoke(app, ["ingest", str(folder), "-o", str(out)])
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"error: {folder / 'b.txt'}: empty article (no text left after normalisation)\n"
    )
    assert not out.exists()


def test_skip_bad_ingests_the_rest_and_names_the_skipped(runner: CliRunner, tmp_path: Path) -> None:
    folder, out = _folder(tmp_path), tmp_path / "corpus.jsonl"
    result = runner.invoke(app, ["ingest", str(folder), "-o", str(out), "--skip-bad"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"skipped {folder / 'b.txt'}: empty article (no text left after normalisation)",
        "ingested 2 documents from 3 files (0 exact duplicates dropped, 0 near-duplicates "
        f"flagged, 1 bad article skipped) -> {out}",
    ]
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_skip_bad_with_nothing_left_fails(runner: CliRunner, tmp_path: Path) -> None:
    bad, out = tmp_path / "b.txt", tmp_path / "corpus.jsonl"
    bad.write_text(" \n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(bad), "-o", str(out), "--skip-bad"])
    assert result.exit_code == 1
    expected = "error: nothing ingested: the only article was bad (the first: "
    assert result.stderr.startswith(expected)
    assert not out.exists()
