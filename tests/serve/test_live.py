"""Done means: a real Label Studio, a connected backend serving ``rules``, the Data Manager's
retrieve-predictions action, and every task gets the spans ``backchannel predict`` gives.

Also the browser: an annotator opens a task that has no stored prediction and sees the
backend's regions.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from backchannel.annotation.labelstudio import convert, ranking
from backchannel.annotation.labelstudio.api import Studio
from backchannel.annotation.labelstudio.backend import create_app
from backchannel.annotation.labelstudio.ml import connect_backend
from backchannel.annotation.labelstudio.server import ServerInfo
from backchannel.documents import Document, read_documents
from backchannel.eval.predict import predict_documents
from backchannel.eval.serving import build_service
from backchannel.schema import Schema

sys.path.insert(0, str(Path(__file__).parent))
from serve_helpers import running

pytestmark = [pytest.mark.studio]

ROOT = Path(__file__).resolve().parents[2]
EMOJI_TEXT = "Talks 🤝 in Bogota\u0301 ended.\nPresident Anna Reyes phoned the Kremlin on Monday."


def _corpus(n: int = 4) -> list[Document]:
    gold = list(read_documents(ROOT / "corpora" / "diplomacy" / "gold.jsonl"))[:n]
    docs = [Document(id=d.id, text=d.text) for d in gold]
    return [*docs, Document(id="emoji-1", text=EMOJI_TEXT)]


@pytest.fixture
def rules_backend(tmp_path: Path, schema: Schema):
    service = build_service("rules", model_dir=None, work_dir=tmp_path / "serve", schema=schema)
    with running(create_app(service, schema, model_class="rules")) as url:
        yield url, service


def _import(studio: Studio, pid: int, docs: list[Document]) -> dict[str, int]:
    studio.import_tasks(pid, [{"data": convert.document_to_data(d)} for d in docs])
    return {k: t.task_id for k, t in studio.existing_tasks(pid).items()}


def test_retrieve_predictions_gives_the_spans_of_predict(
    studio: Studio, schema: Schema, project_title: str, rules_backend: Any
) -> None:
    url, service = rules_backend
    docs = _corpus()
    pid, _ = studio.ensure_project(project_title, schema)
    _import(studio, pid, docs)
    res = connect_backend(studio, project_title, url)
    assert res.created
    again = connect_backend(studio, project_title, url)  # idempotent
    assert not again.created and again.backend_id == res.backend_id
    studio.sdk.actions.create(
        id="retrieve_tasks_predictions", project=pid, selected_items={"all": True, "excluded": []}
    )
    tasks = json.loads(studio.export_snapshot(pid, with_predictions=True))
    expected = {p.id: p for p in predict_documents("rules", docs, schema=schema)}
    assert len(tasks) == len(docs)
    for task in tasks:
        (pred,) = task["predictions"]
        assert pred["model_version"] == service.model_version
        assert pred["model_version"].startswith("rules-")
        got = convert.prediction_to_document(task, pred, schema=schema)
        want = expected[got.id]
        assert [(s.start, s.end, s.label, s.attrs) for s in got.spans] == [
            (s.start, s.end, s.label, s.attrs) for s in want.spans
        ]
        # byte for byte what `push --predictions` would have imported
        pushed = convert.document_to_prediction(want, service.model_version)
        assert pred["result"] == pushed["result"]
        assert pred["score"] == ranking.confidence(want)  # sort ascending: informative first
    assert any(t["predictions"][0]["result"] for t in tasks)


@pytest.mark.browser
def test_an_annotator_opening_a_task_sees_the_backends_regions(
    browser: Any,
    studio: Studio,
    studio_server: ServerInfo,
    schema: Schema,
    project_title: str,
    rules_backend: Any,
) -> None:
    url, _service = rules_backend
    doc = Document(id="open-1", text=EMOJI_TEXT)
    pid, _ = studio.ensure_project(project_title, schema)
    task_id = _import(studio, pid, [doc])["open-1"]
    connect_backend(studio, project_title, url)
    assert not list(studio.sdk.predictions.list(task=task_id))
    (want,) = predict_documents("rules", [doc], schema=schema)
    assert want.spans, "the rules model finds spans in this text"

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(30_000)
    page.goto(f"{studio_server.url}/user/login/")
    page.fill("input[name=email]", studio_server.username)
    page.fill("input[name=password]", studio_server.password())
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{studio_server.url}/projects/{pid}/data?task={task_id}")
    page.locator(".lsf-richtext__line", has_text="Kremlin").wait_for()
    highlights = page.locator(".htx-highlight")
    deadline = time.monotonic() + 30
    while highlights.count() < len(want.spans):
        assert time.monotonic() < deadline, f"{highlights.count()} regions shown"
        page.wait_for_timeout(200)
    shown = {highlights.nth(k).inner_text().strip() for k in range(highlights.count())}
    page.close()
    for span in want.spans:
        assert doc.text[span.start : span.end] in shown
    stored = list(studio.sdk.predictions.list(task=task_id))
    # The Data Manager's list and the opened task may both ask at once (Label Studio's race):
    # one or two identical predictions, all from the backend.
    assert stored and all(p.model_version == _service.model_version for p in stored)


def test_studio_up_allows_loopback_backends_but_still_refuses_private_networks(
    studio: Studio, schema: Schema, project_title: str
) -> None:
    """What network.py promises: 127.0.0.1 is allowed (tests above), 10.0.0.0/8 is not."""
    from label_studio_sdk.core.api_error import ApiError

    pid, _ = studio.ensure_project(project_title, schema)
    with pytest.raises(ApiError) as err:
        studio.sdk.ml.create(
            url="http://10.1.2.3:9090", project=pid, request_options={"max_retries": 0}
        )
    assert "reserved network address" in str(err.value.body)
