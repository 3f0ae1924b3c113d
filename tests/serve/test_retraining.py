"""Learning from annotations: webhooks fill the training set, the stance model retrains in the
background into a new versioned directory, and the backend swaps to it while requests flow.

Real everything: uvicorn on 127.0.0.1, the ``stance`` model (scikit-learn, seconds to train)
on the bundled gold, Label Studio-shaped webhook payloads.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from pathlib import Path

import httpx
import msgspec
import pytest

from backchannel.annotation.labelstudio import convert, regions
from backchannel.annotation.labelstudio.backend import create_app
from backchannel.documents import Document, read_documents, write_documents
from backchannel.eval.serving import build_service
from backchannel.eval.train import train
from backchannel.schema import Schema

sys.path.insert(0, str(Path(__file__).parent))
from serve_helpers import post, running

ROOT = Path(__file__).resolve().parents[2]


def _gold() -> list[Document]:
    return list(read_documents(ROOT / "corpora" / "diplomacy" / "gold.jsonl"))


def _webhook(doc: Document, ann_id: int, action: str = "ANNOTATION_CREATED") -> dict:
    return {
        "action": action,
        "task": {"id": ann_id, "project": 1, "data": convert.document_to_data(doc)},
        "annotation": {
            "id": ann_id,
            "result": regions.document_to_result(doc),
            "completed_by": 1,
            "was_cancelled": False,
        },
        "project": {"id": 1},
    }


def _wait_idle(url: str, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        health = httpx.get(f"{url}/health").json()
        if not health["training"]["running"]:
            return health
        assert time.monotonic() < deadline, "training did not finish"
        time.sleep(0.1)


def test_webhooks_retrain_and_swap_without_failing_a_request(
    tmp_path: Path, schema: Schema, caplog: pytest.LogCaptureFixture
) -> None:
    gold = _gold()
    seed = tmp_path / "seed.jsonl"
    write_documents(gold[:12], seed)
    train("stance", seed, tmp_path / "initial", schema=schema)
    service = build_service(
        "stance",
        model_dir=tmp_path / "initial",
        work_dir=tmp_path / "work",
        schema=schema,
        retrain_every=3,
        base_gold=seed,
    )
    first = service.model_version
    probe = {"tasks": [{"id": 1, "data": {"text": gold[30].text}}]}
    statuses: list[int] = []
    versions: set[str] = set()
    stop = threading.Event()
    caplog.set_level(logging.INFO, logger="backchannel.serve")
    with running(create_app(service, schema, model_class="stance")) as url:

        def hammer() -> None:
            with httpx.Client(timeout=60) as client:
                while not stop.is_set():
                    resp = client.post(f"{url}/predict", json=probe)
                    statuses.append(resp.status_code)
                    if resp.status_code == 200:
                        versions.add(resp.json()["results"][0]["model_version"])

        worker = threading.Thread(target=hammer, daemon=True)
        worker.start()
        # Two annotations: collected, no training yet.
        for k in (12, 13):
            assert post(url, "/webhook", _webhook(gold[k], k)).json()["training"] is False
        # An update of one of them counts as a change; the third event starts training.
        third = post(url, "/webhook", _webhook(gold[13], 13, "ANNOTATION_UPDATED")).json()
        assert third == {"status": "added", "annotations": 2, "training": True}
        health = _wait_idle(url)
        for k in range(14, 17):
            post(url, "/webhook", _webhook(gold[k], k))
        health = _wait_idle(url)
        after = post(url, "/predict", probe).json()["results"][0]["model_version"]
        stop.set()
        worker.join(30)
    assert statuses and set(statuses) == {200}, "a request failed during a swap"
    assert health["training"]["failures"] == 0
    assert health["training"]["trainings"] >= 2
    assert health["model_version"] != first
    assert health["model_version"] == health["training"]["last_version"]
    assert first in versions and after == health["model_version"]
    assert len(statuses) >= 3
    models = sorted(p.name for p in (tmp_path / "work" / "models").iterdir())
    assert "v0001" in models and "v0002" in models and "current" in models
    snapshot = list(read_documents(tmp_path / "work" / "training" / "v0001.jsonl"))
    assert len(snapshot) == 12 + 2  # the base gold and the two annotated documents
    # the training set survives a restart, and the newest version is served again
    again = build_service("stance", model_dir=None, work_dir=tmp_path / "work", schema=schema)
    assert again.status.annotations == 5
    assert again.model_version == health["model_version"]


def test_a_failed_training_keeps_the_old_model_and_says_why(
    tmp_path: Path, schema: Schema, caplog: pytest.LogCaptureFixture
) -> None:
    gold = _gold()
    seed = tmp_path / "seed.jsonl"
    write_documents(gold[:12], seed)
    train("stance", seed, tmp_path / "initial", schema=schema)
    service = build_service(
        "stance",
        model_dir=tmp_path / "initial",
        work_dir=tmp_path / "work",
        schema=schema,
        retrain_every=0,
    )
    before = service.model_version
    caplog.set_level(logging.INFO, logger="backchannel.serve")
    with running(create_app(service, schema)) as url:
        for k in (20, 21):
            no_stance = msgspec.structs.replace(
                gold[k], relations=[r for r in gold[k].relations if r.label != "STANCE"]
            )
            post(url, "/webhook", _webhook(no_stance, k))
        started = post(url, "/webhook", {"action": "START_TRAINING", "project": {"id": 1}})
        assert started.json() == {"status": "started"}
        health = _wait_idle(url)
        resp = post(url, "/predict", {"tasks": [{"id": 1, "data": {"text": gold[0].text}}]})
    assert resp.status_code == 200
    assert resp.json()["results"][0]["model_version"] == before
    assert health["model_version"] == before
    assert health["training"]["failures"] == 1
    assert "cannot train stance" in health["training"]["last_error"]
    assert any(
        r.levelno == logging.ERROR and "cannot train stance" in r.getMessage()
        for r in caplog.records
    )
    assert not (tmp_path / "work" / "models" / "v0001").exists()


def test_rules_collects_annotations_but_has_no_training_step(
    tmp_path: Path, schema: Schema
) -> None:
    gold = _gold()
    service = build_service("rules", model_dir=None, work_dir=tmp_path, schema=schema)
    with running(create_app(service, schema)) as url:
        assert post(url, "/webhook", _webhook(gold[0], 7)).status_code == 200
        assert post(url, "/train", {}).json() == {"status": "not trainable"}
        gone = post(url, "/webhook", {"action": "ANNOTATIONS_DELETED", "annotations": [{"id": 7}]})
        assert gone.json() == {"status": "removed", "removed": 1}
        cancelled = _webhook(gold[1], 8)
        cancelled["annotation"]["was_cancelled"] = True
        assert post(url, "/webhook", cancelled).json()["status"] == "cancelled annotation left out"
        assert httpx.get(f"{url}/health").json()["training"]["annotations"] == 0
