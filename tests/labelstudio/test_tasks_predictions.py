"""``tasks --predictions``: predictions that match no document are an error, some a warning.

Before, a predictions file for another corpus gave tasks without a single pre-annotation and
exit 0.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
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
