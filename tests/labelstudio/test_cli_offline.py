"""`tasks` and `pull --from-export` need no server: exact outputs and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from backchannel.annotation.labelstudio import convert, regions
from backchannel.cli.app import app
from backchannel.documents import Document, read_documents, write_documents


def _export(doc: Document, path: Path, *, cancelled: bool = False) -> None:
    """An export file as the web UI writes it: completed_by as a bare id."""
    task = convert.document_to_task(doc)
    task.update(id=5, project=2)
    task["annotations"] = [
        {"id": 11, "completed_by": 1, "result": regions.document_to_result(doc), "lead_time": 2.5}
    ]
    if cancelled:
        task["annotations"].append(
            {"id": 12, "completed_by": 2, "result": [], "was_cancelled": True}
        )
    path.write_text(json.dumps([task]), encoding="utf-8")


def test_tasks_writes_import_json_with_predictions(doc: Document, tmp_path: Path) -> None:
    corpus, preds, out = tmp_path / "c.jsonl", tmp_path / "p.jsonl", tmp_path / "tasks.json"
    write_documents([doc, doc], corpus)  # a repeated id is written once
    write_documents([doc], preds)
    res = CliRunner().invoke(
        app,
        [
            "tasks",
            str(corpus),
            "--predictions",
            str(preds),
            "--model-version",
            "v1",
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "wrote 1 task with 1 prediction" in res.output
    (task,) = json.loads(out.read_text(encoding="utf-8"))
    assert task["data"] == {"text": doc.text, "doc_id": doc.id, "meta": doc.meta}
    assert task["predictions"][0]["model_version"] == "v1"
    assert task["predictions"][0]["result"] == regions.document_to_result(doc)


def test_tasks_refuses_a_prediction_with_other_text_and_writes_nothing(
    doc: Document, tmp_path: Path
) -> None:
    corpus, preds, out = tmp_path / "c.jsonl", tmp_path / "p.jsonl", tmp_path / "tasks.json"
    write_documents([doc], corpus)
    write_documents([Document(id=doc.id, text=doc.text + "!")], preds)
    res = CliRunner().invoke(
        app, ["tasks", str(corpus), "--predictions", str(preds), "-o", str(out)]
    )
    assert res.exit_code == 1
    assert res.output.strip() == (
        "error: document doc-1: prediction text differs from the corpus text of the same "
        "document id (its offsets would point at other characters)"
    )
    assert not out.exists()


def test_pull_from_export_file(doc: Document, tmp_path: Path) -> None:
    export, out = tmp_path / "export.json", tmp_path / "ann.jsonl"
    _export(doc, export, cancelled=True)
    res = CliRunner().invoke(app, ["pull", "--from-export", str(export), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "wrote 1 annotated document from 1 task" in res.output
    assert "1 cancelled annotation skipped" in res.output
    (got,) = read_documents(out)
    assert got.spans == doc.spans and got.relations == doc.relations
    assert got.annotator == "user:1"
    assert got.source_ids == {"ls_project": 2, "ls_task": 5, "ls_annotation": 11}


def test_pull_from_a_broken_export_names_file_task_and_region(
    doc: Document, tmp_path: Path
) -> None:
    export, out = tmp_path / "export.json", tmp_path / "ann.jsonl"
    _export(doc, export)
    data = json.loads(export.read_text(encoding="utf-8"))
    data[0]["data"]["text"] = "X" + doc.text  # the text changed under the annotation
    export.write_text(json.dumps(data), encoding="utf-8")
    res = CliRunner().invoke(app, ["pull", "--from-export", str(export), "-o", str(out)])
    assert res.exit_code == 1
    assert res.output.startswith(f"error: {export}: span s1, task 5: region text ")
    assert not out.exists()


def test_pull_needs_exactly_one_source(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["pull", "-o", str(tmp_path / "x.jsonl")])
    assert res.exit_code == 1
    assert "give exactly one of --project" in res.output
    res = CliRunner().invoke(app, ["pull", "--from-export", str(tmp_path / "none.json")])
    assert res.exit_code == 1 and "no such export file" in res.output
    (tmp_path / "bad.json").write_text('{"not": "an export"}', encoding="utf-8")
    res = CliRunner().invoke(app, ["pull", "--from-export", str(tmp_path / "bad.json")])
    assert res.exit_code == 1 and "not a Label Studio JSON export" in res.output
