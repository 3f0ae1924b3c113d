"""Push and pull against the real Label Studio of the session."""

from __future__ import annotations

import json
import sys
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from backchannel.annotation.labelstudio import regions
from backchannel.annotation.labelstudio.api import Studio, connect
from backchannel.annotation.labelstudio.connection import Connection
from backchannel.annotation.labelstudio.probe import free_port
from backchannel.annotation.labelstudio.pull import pull, pull_from_export
from backchannel.annotation.labelstudio.push import push
from backchannel.annotation.labelstudio.server import ServerInfo
from backchannel.cli.app import app
from backchannel.documents import Document, read_documents, write_documents
from backchannel.errors import (
    StudioAuthError,
    StudioConflictError,
    StudioConnectionError,
)
from backchannel.schema import Schema

sys.path.insert(0, str(Path(__file__).parent))
from studio_strategies import content, documents

pytestmark = pytest.mark.studio


def _corpus(n: int, prefix: str = "d") -> list[Document]:
    return [
        Document(id=f"{prefix}{i}", text=f"Envoy {i} 😀 met the minister in Oslo.\nTalks went on.")
        for i in range(n)
    ]


def _task_ids(studio: Studio, title: str) -> dict[str, int]:
    pid = studio.project_id(title)
    return {doc_id: t.task_id for doc_id, t in studio.existing_tasks(pid).items()}


def test_push_twice_creates_nothing_new(studio: Studio, schema: Schema, project_title: str) -> None:
    docs = _corpus(7)
    first = push(studio, project_title, docs, schema, batch_size=3)
    assert (first.created, first.batches, first.project_created) == (7, 3, True)
    again = push(studio, project_title, docs, schema, batch_size=3)
    assert (again.created, again.skipped, again.batches) == (0, 7, 0)
    assert len(_task_ids(studio, project_title)) == 7


def test_interrupted_push_run_again_has_every_document_once(
    studio: Studio, schema: Schema, project_title: str
) -> None:
    docs = _corpus(10)

    def dies_half_way() -> Iterator[Document]:
        yield from docs[:6]
        raise KeyboardInterrupt  # the user pressed Ctrl-C while the corpus was being read

    with pytest.raises(KeyboardInterrupt):
        push(studio, project_title, dies_half_way(), schema, batch_size=4)
    assert len(_task_ids(studio, project_title)) == 4  # one whole batch made it
    result = push(studio, project_title, docs, schema, batch_size=4)
    assert (result.created, result.skipped) == (6, 4)
    pid = studio.project_id(project_title)
    snapshot = json.loads(studio.export_snapshot(pid))
    ids = [t["data"]["doc_id"] for t in snapshot]
    assert sorted(ids) == sorted(d.id for d in docs)  # each document exactly once


def test_predictions_become_pre_annotations_once_per_model_version(
    studio: Studio, schema: Schema, project_title: str, doc: Document
) -> None:
    res = push(
        studio, project_title, [doc], schema, predictions={doc.id: [doc]}, model_version="m1"
    )
    assert res.predictions_created == 1
    res = push(
        studio, project_title, [doc], schema, predictions={doc.id: [doc]}, model_version="m1"
    )
    assert res.predictions_created == 0
    res = push(
        studio, project_title, [doc], schema, predictions={doc.id: [doc]}, model_version="m2"
    )
    assert res.predictions_created == 1
    pid = studio.project_id(project_title)
    versions = studio.prediction_versions(pid)
    assert sorted(next(iter(versions.values()))) == ["m1", "m2"]


def test_changed_text_is_refused_while_annotated_and_updated_otherwise(
    studio: Studio, schema: Schema, project_title: str, doc: Document, tmp_path: Path
) -> None:
    plain = Document(id="other", text="Nobody has annotated this yet.")
    push(
        studio, project_title, [doc, plain], schema, predictions={doc.id: [doc]}, model_version="m"
    )
    ids = _task_ids(studio, project_title)
    studio.create_annotation(ids[doc.id], regions.document_to_result(doc))

    changed = Document(id=doc.id, text=doc.text.replace("Monday", "Sunday"))
    with pytest.raises(StudioConflictError) as err:
        push(studio, project_title, [changed], schema)
    assert err.value.task_id == ids[doc.id] and err.value.doc_id == doc.id
    assert "offsets would break" in str(err.value)

    edited = Document(id="other", text="Nobody has annotated this yet, still.")
    res = push(studio, project_title, [edited], schema)
    assert (res.updated, res.created) == (1, 0)
    pid = studio.project_id(project_title)
    assert studio.existing_tasks(pid)["other"].text == edited.text
    # the annotated task kept its text and its annotation
    out = pull(studio, project_title, tmp_path / "pulled.jsonl", schema)
    assert out.documents == 1
    (kept,) = read_documents(tmp_path / "pulled.jsonl", schema=schema)
    assert kept.text == doc.text


def test_three_annotators_give_three_documents(
    studio: Studio, schema: Schema, project_title: str, doc: Document, tmp_path: Path
) -> None:
    push(studio, project_title, [doc], schema, predictions={doc.id: [doc]}, model_version="m1")
    task_id = _task_ids(studio, project_title)[doc.id]
    pid = studio.project_id(project_title)
    prediction_id = studio.prediction_versions(pid)[task_id]["m1"][0]
    tag = project_title[-6:]
    bob = studio.create_user(f"bob-{tag}@example.org")
    carol = studio.create_user(f"carol-{tag}@example.org")
    result = regions.document_to_result(doc)
    studio.create_annotation(task_id, result, parent_prediction=prediction_id, lead_time=4.0)
    studio.create_annotation(task_id, result[:1], completed_by=bob, lead_time=9.5)
    studio.create_annotation(task_id, result, completed_by=carol, ground_truth=True)
    studio.create_annotation(task_id, [], completed_by=carol, was_cancelled=True)

    out = tmp_path / "ann.jsonl"
    stats = pull(studio, project_title, out, schema)
    assert (stats.documents, stats.cancelled) == (3, 1)
    docs = {d.annotator: d for d in read_documents(out, schema=schema)}
    admin = studio.whoami()
    assert set(docs) == {admin, f"bob-{tag}@example.org", f"carol-{tag}@example.org"}
    assert content(docs[admin]) == content(doc)
    assert docs[admin].annotation.prediction_id == prediction_id
    assert docs[admin].annotation.model_version == "m1"
    assert docs[admin].annotation.ground_truth is False
    assert len(docs[f"bob-{tag}@example.org"].spans) == 1
    assert docs[f"bob-{tag}@example.org"].annotation.lead_time == 9.5
    assert docs[f"carol-{tag}@example.org"].annotation.ground_truth is True
    assert {d.source_ids["ls_task"] for d in docs.values()} == {task_id}


def test_pull_from_a_downloaded_export_file(
    studio: Studio, schema: Schema, project_title: str, doc: Document, tmp_path: Path
) -> None:
    push(studio, project_title, [doc], schema)
    task_id = _task_ids(studio, project_title)[doc.id]
    studio.create_annotation(task_id, regions.document_to_result(doc), lead_time=1.0)
    pid = studio.project_id(project_title)
    # What the web UI's Export > JSON gives: completed_by as a bare user id.
    raw = studio.sdk.projects.exports.download_sync(
        pid, export_type="JSON", download_all_tasks=True
    )
    export = tmp_path / "export.json"
    export.write_bytes(b"".join(raw))
    out = tmp_path / "from-export.jsonl"
    stats = pull_from_export(export, out, schema)
    assert stats.documents == 1
    got = next(iter(read_documents(out, schema=schema)))
    assert content(got) == content(doc)
    assert got.annotator is not None and got.source_ids["ls_task"] == task_id


def test_pull_refuses_a_region_that_does_not_fit_and_writes_nothing(
    studio: Studio, schema: Schema, project_title: str, doc: Document, tmp_path: Path
) -> None:
    push(studio, project_title, [doc], schema)
    task_id = _task_ids(studio, project_title)[doc.id]
    bad = regions.document_to_result(doc)
    bad[0]["value"]["start"] += 2
    studio.create_annotation(task_id, bad)
    out = tmp_path / "never.jsonl"
    with pytest.raises(Exception) as err:
        pull(studio, project_title, out, schema)
    assert f"task {task_id}" in str(err.value) and "span s1" in str(err.value)
    assert not out.exists() and not list(tmp_path.iterdir())


def test_wrong_token_and_dead_server_are_one_line_errors(
    studio_server: ServerInfo, connection: Connection
) -> None:
    with pytest.raises(StudioAuthError) as err:
        connect(Connection(studio_server.url, "f" * 40))
    assert "refused the token" in str(err.value)
    dead = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(StudioConnectionError) as err2:
        connect(Connection(dead, connection.token))
    assert "cannot reach Label Studio" in str(err2.value) and "\n" not in str(err2.value)
    text = "".join(traceback.format_exception(err2.value))
    assert connection.token not in text


def test_cli_round_trip_never_shows_the_token(
    connection: Connection,
    doc: Document,
    project_title: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LABEL_STUDIO_URL", connection.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", connection.token)
    corpus, preds = tmp_path / "corpus.jsonl", tmp_path / "preds.jsonl"
    write_documents([doc], corpus)
    write_documents([doc], preds)
    runner = CliRunner()
    outputs = []
    for args in (
        ["push", str(corpus), "--project", project_title, "--predictions", str(preds)],
        ["push", str(corpus), "--project", project_title],
        ["pull", "--project", project_title, "-o", str(tmp_path / "pulled.jsonl")],
        ["tasks", str(corpus), "--predictions", str(preds), "-o", str(tmp_path / "tasks.json")],
        ["push", str(corpus), "--project", project_title, "--token", "0" * 40],
    ):
        res = runner.invoke(app, args)
        outputs.append(res.output + (res.stderr if res.stderr_bytes is not None else ""))
        if args[-1] == "0" * 40:
            assert res.exit_code == 3
            assert res.output.strip().startswith("error: ") and "refused the token" in res.output
        else:
            assert res.exit_code == 0, res.output
    assert "1 task created" in outputs[0] and "1 prediction added" in outputs[0]
    assert "0 tasks created" in outputs[1] and "1 already there" in outputs[1]
    files = [p.read_text(encoding="utf-8") for p in tmp_path.iterdir() if p.is_file()]
    for text in outputs + files:
        assert connection.token not in text
    tasks = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    assert tasks[0]["data"]["doc_id"] == doc.id and tasks[0]["predictions"][0]["result"]


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(documents(), min_size=4, max_size=8, unique_by=lambda d: d.id))
def test_property_round_trip_through_the_real_server(
    studio: Studio, schema: Schema, docs: list[Document]
) -> None:
    """Document -> task + prediction -> Label Studio -> annotation from that prediction
    (through the API) -> pull -> the same Document."""
    import uuid

    title = f"prop-{uuid.uuid4().hex[:10]}"
    push(studio, title, docs, schema, predictions={d.id: [d] for d in docs}, model_version="gen")
    pid = studio.project_id(title)
    tasks = json.loads(studio.export_snapshot(pid, with_predictions=True))
    for task in tasks:
        assert task["total_predictions"] == 1
        (prediction,) = task["predictions"]
        studio.create_annotation(
            task["id"], prediction["result"], parent_prediction=prediction["id"]
        )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "pulled.jsonl"
        pull(studio, title, out, schema)
        pulled = {d.id: d for d in read_documents(out, schema=schema)}
    assert set(pulled) == {d.id for d in docs}
    for original in docs:
        assert content(pulled[original.id]) == content(original)
        assert pulled[original.id].annotation.model_version == "gen"
