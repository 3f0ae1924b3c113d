"""The command line: exact one-line errors, exit codes, no partial output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backchannel.cli.app import app
from backchannel.documents import Document, encode_document, write_documents


def test_help_lists_the_whole_command_surface(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in [
        "ingest",
        "schema",
        "tasks",
        "push",
        "pull",
        "studio",
        "agree",
        "adjudicate",
        "review",
        "gold",
        "export",
        "events",
        "publish",
        "score",
        "compare",
        "predict",
        "train",
    ]:
        assert command in result.output


def test_python_dash_m_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "backchannel", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stdout.startswith("backchannel ")


def test_validate_ok(runner: CliRunner, tmp_path: Path, doc: Document) -> None:
    path = tmp_path / "docs.jsonl"
    write_documents([doc], path)
    result = runner.invoke(app, ["schema", "validate", str(path), "--complete"])
    assert result.exit_code == 0, result.output
    assert result.output == f"{path}: 1 documents, 4 spans, 3 relations: valid\n"


def _invoke_validate(runner: CliRunner, path: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["schema", "validate", str(path)])
    return result.exit_code, result.stderr


def test_malformed_line_is_one_line_error(runner: CliRunner, tmp_path: Path, doc: Document) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_bytes(encode_document(doc) + b'\n{"id": "d2", "text": \n')
    code, err = _invoke_validate(runner, path)
    assert code == 1
    assert (
        err
        == f"error: {path}:2: not valid JSON (Input data was truncated): "
        + '\'{"id": "d2", "text":\'\n'
    )


def test_span_out_of_range_exact_line(runner: CliRunner, tmp_path: Path, doc: Document) -> None:
    doc.spans[3].end = 90
    path = tmp_path / "docs.jsonl"
    write_documents([doc], path)
    code, err = _invoke_validate(runner, path)
    assert code == 1
    assert err == (
        f"error: {path}:1: document doc-1, span s4: offsets [56, 90) out of range "
        "for text of length 71\n"
    )


def test_bad_span_text_exact_line(runner: CliRunner, tmp_path: Path, doc: Document) -> None:
    doc.spans[2].text = "the Kremlim"
    path = tmp_path / "docs.jsonl"
    write_documents([doc], path)
    code, err = _invoke_validate(runner, path)
    assert code == 1
    assert err == (
        f"error: {path}:1: document doc-1, span s3: span text 'the Kremlim' does not match "
        "text[28:39] 'the Kremlin'\n"
    )


def test_unknown_label_exact_line(runner: CliRunner, tmp_path: Path, doc: Document) -> None:
    doc.spans[3].label = "TOPIC"
    path = tmp_path / "docs.jsonl"
    write_documents([doc], path)
    code, err = _invoke_validate(runner, path)
    assert code == 1
    assert err == (
        f"error: {path}:1: document doc-1, span s4: unknown span label 'TOPIC' "
        "(schema diplomacy 1.0.0 has ACTOR, CHANNEL, VENUE, ISSUE)\n"
    )


def test_incomplete_gold_is_refused(runner: CliRunner, tmp_path: Path, doc: Document) -> None:
    del doc.spans[1].attrs["modality"]
    path = tmp_path / "docs.jsonl"
    write_documents([doc], path)
    result = runner.invoke(app, ["schema", "validate", str(path), "--complete"])
    assert result.exit_code == 1
    assert "incomplete: span s2: CHANNEL.modality missing" in result.stderr


@pytest.mark.parametrize("command", [["schema", "config"], ["schema", "guide"], ["schema", "show"]])
def test_schema_commands_print(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(app, command)
    assert result.exit_code == 0
    assert result.output.strip()


def test_bad_schema_path_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema", "config", "--schema", str(tmp_path / "none.yaml")])
    assert result.exit_code == 1
    assert result.stderr == f"error: {tmp_path / 'none.yaml'}: no such schema file\n"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["score"],
            "error: backchannel score: Missing argument 'gold'. (see: backchannel score --help)",
        ),
        (
            ["frobnicate"],
            "error: backchannel: No such command 'frobnicate'. (see: backchannel --help)",
        ),
        (
            ["score", "g.jsonl", "p.jsonl", "--labels", "ACTOR", "VENUE"],
            "error: backchannel score: Got unexpected extra argument(s) (VENUE) (several labels: "
            "--labels ACTOR,VENUE or --labels ACTOR --labels VENUE; see: backchannel score --help)",
        ),
        (
            ["schema", "show", "--bogus"],
            "error: backchannel schema show: No such option: --bogus "
            "(see: backchannel schema show --help)",
        ),
    ],
)
def test_usage_errors_are_one_line(runner: CliRunner, args: list[str], expected: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr == expected + "\n"
    assert result.stdout == ""


def test_bare_group_prints_its_help(runner: CliRunner) -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert "validate" in result.stdout
