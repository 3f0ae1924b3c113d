"""``tasks --predictions``: predictions that match no document are an error, some a warning.

Before, a predictions file for another corpus gave tasks without a single pre-annotation and
exit 0.
"""

from __future__ import annotations

import socket
from pathlib import Path

import msgspec
import pytest
from typer.testing import CliRunner

from backchannel.cli.app import app
from backchannel.documents import Document, write_documents


def _prediction(doc: Document, new_id: str) -> Document:
    return msgspec.structs.replace(doc, id=new_id, relations=[], doc_labels={})


def test_predictions_matching_no_document_are_refused(
    runner: CliRunner, tmp_path: Path, doc: Document
) -> None:
    corpus, preds, out = tmp_path / "corpus.jsonl", tmp_path / "preds.jsonl", tmp_path / "t.json"
    write_documents([doc], corpus)
    write_documents([_prediction(doc, "other-1"), _prediction(doc, "other-2")], preds)
    result = runner.invoke(app, ["tasks", str(corpus), "--predictions", str(preds), "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {preds}: none of its 2 predictions matches a document of {corpus} (ids differ) "
        "(predict from this corpus: backchannel predict CORPUS -o PREDICTIONS)\n"
    )
    assert not out.exists()


def test_predictions_matching_some_documents_warn(
    runner: CliRunner, tmp_path: Path, doc: Document
) -> None:
    corpus, preds, out = tmp_path / "corpus.jsonl", tmp_path / "preds.jsonl", tmp_path / "t.json"
    write_documents([doc], corpus)
    write_documents([_prediction(doc, doc.id), _prediction(doc, "other-1")], preds)
    result = runner.invoke(app, ["tasks", str(corpus), "--predictions", str(preds), "-o", str(out)])
    assert result.exit_code == 0, result.output
    warning, summary = result.stderr.splitlines()
    assert warning == (
        f"warning: {preds}: 1 of its predictions match no document of {corpus}; they were left out"
    )
    assert summary.startswith("wrote 1 task")
    assert out.is_file()


def _no_server_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: connecting to it would be a different error."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("stdin", [False, True], ids=["file", "stdin"])
def test_push_refuses_predictions_matching_no_document_before_connecting(
    runner: CliRunner, tmp_path: Path, doc: Document, stdin: bool
) -> None:
    """Same check and message as ``tasks``; it runs before any connection to Label Studio."""
    corpus, preds = tmp_path / "corpus.jsonl", tmp_path / "preds.jsonl"
    write_documents([doc], corpus)
    write_documents([_prediction(doc, "other-1"), _prediction(doc, "other-2")], preds)
    args = ["push", "-" if stdin else str(corpus), "--predictions", str(preds)]
    args += ["--url", _no_server_url(), "--token", "t0k3n"]
    result = runner.invoke(app, args, input=corpus.read_text(encoding="utf-8") if stdin else None)
    assert result.exit_code == 1
    where = "-" if stdin else corpus
    assert result.stderr == (
        f"error: {preds}: none of its 2 predictions matches a document of {where} (ids differ) "
        "(predict from this corpus: backchannel predict CORPUS -o PREDICTIONS)\n"
    )


def test_push_with_matching_predictions_goes_on_to_connect(
    runner: CliRunner, tmp_path: Path, doc: Document
) -> None:
    """The check lets a right predictions file through: the next failure is the connection."""
    corpus, preds = tmp_path / "corpus.jsonl", tmp_path / "preds.jsonl"
    write_documents([doc], corpus)
    write_documents([_prediction(doc, doc.id)], preds)
    url = _no_server_url()
    args = ["push", str(corpus), "--predictions", str(preds), "--url", url, "--token", "t0k3n"]
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert "predictions matches" not in result.stderr
    assert url.removeprefix("http://") in result.stderr
