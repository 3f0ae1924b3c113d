"""``studio rank`` and ``push --order uncertainty`` against a real Label Studio.

After either, each task's stored prediction carries the score of ranking.py, and the Data
Manager sorted by prediction score (ascending) lists the most informative task first.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import msgspec
import pytest

from backchannel.annotation.labelstudio import convert, ranking
from backchannel.annotation.labelstudio.api import Studio
from backchannel.annotation.labelstudio.connection import Connection
from backchannel.annotation.labelstudio.rank_tasks import rank_tasks
from backchannel.documents import Document, Span, read_documents
from backchannel.eval.predict import predict_documents
from backchannel.schema import Schema

pytestmark = [pytest.mark.studio]

ROOT = Path(__file__).resolve().parents[2]
TEXT = "Anna Reyes phoned the Kremlin."

#: document id -> the span scores the hand-made model gives it, and the score expected:
#: 1 - mean H(p), H(0.5) = 1 bit, H(0.9) = 0.4690, H(0.99) = 0.0808, no span: 0.
HAND = {
    "coin-flip": ([0.5], 0.0),
    "nothing": ([], 0.0),
    "fairly-sure": ([0.9], 0.531),
    "half-sure": ([0.9, 0.5], 0.2655),
    "sure": ([0.99], 0.9192),
}
#: the documented order: ascending score, then document id
ORDER = ["coin-flip", "nothing", "half-sure", "fairly-sure", "sure"]


class HandModel:
    """A model whose span scores are fixed per document, so the order can be checked by eye."""

    def __init__(self, version: str, scores: dict[str, list[float]]) -> None:
        self.model_version = version
        self.scores = scores
        self.calls = 0

    def predict(self, docs: Sequence[Document]) -> list[Document]:
        self.calls += len(docs)
        out = []
        for doc in docs:
            spans = [
                Span(id=f"s{k}", start=0, end=10, label="ACTOR", score=p)
                for k, p in enumerate(self.scores[doc.id])
            ]
            out.append(Document(id=doc.id, text=doc.text, spans=spans))
        return out


def _import(studio: Studio, pid: int, ids: list[str]) -> dict[str, int]:
    studio.import_tasks(pid, [{"data": {"text": f"{TEXT} ({i})", "doc_id": i}} for i in ids])
    return {k: t.task_id for k, t in studio.existing_tasks(pid).items()}


def _data_manager_order(studio: Studio, pid: int) -> list[str]:
    """Task doc ids as the Data Manager lists them sorted by prediction score, ascending."""
    view = studio.sdk.views.create(project=pid, data={"ordering": ["tasks:predictions_score"]})
    tasks = studio.sdk.tasks.list(project=pid, view=view.id, fields="all")
    return [str(t.data["doc_id"]) for t in tasks]


def _stored(studio: Studio, pid: int) -> dict[int, list]:
    out: dict[int, list] = {}
    for pred in studio.sdk.predictions.list(project=pid):
        out.setdefault(int(pred.task), []).append(pred)
    return out


def test_rank_scores_open_tasks_and_the_data_manager_puts_the_coin_flip_first(
    studio: Studio, schema: Schema, project_title: str
) -> None:
    pid, _ = studio.ensure_project(project_title, schema)
    task_ids = _import(studio, pid, [*HAND, "done"])
    studio.create_annotation(task_ids["done"], [])  # annotated: left alone
    model = HandModel("hand-1", {k: v[0] for k, v in HAND.items()})

    res = rank_tasks(studio, project_title, model)

    assert (res.created, res.updated, res.annotated_skipped) == (5, 0, 1)
    assert [doc_id for doc_id, _ in res.order] == ORDER
    stored = _stored(studio, pid)
    assert task_ids["done"] not in stored
    for doc_id, (_, want) in HAND.items():
        (pred,) = stored[task_ids[doc_id]]
        assert pred.model_version == "hand-1"
        assert pred.score == pytest.approx(want, abs=1e-4)
    assert _data_manager_order(studio, pid)[:5] == ORDER

    # the model retrained: ranking again updates the same predictions in place, new order
    model.scores["sure"] = [0.5]
    model.scores["coin-flip"] = [0.999]
    again = rank_tasks(studio, project_title, model)
    assert (again.created, again.updated) == (0, 5)
    restored = _stored(studio, pid)
    assert {t: [p.id for p in ps] for t, ps in restored.items()} == {
        t: [p.id for p in ps] for t, ps in stored.items()
    }
    assert _data_manager_order(studio, pid)[:2] == ["nothing", "sure"]
    assert _data_manager_order(studio, pid)[4] == "coin-flip"


def test_a_new_model_version_is_the_one_the_data_manager_sorts_by(
    studio: Studio, schema: Schema, project_title: str
) -> None:
    pid, _ = studio.ensure_project(project_title, schema)
    _import(studio, pid, ["a", "b"])
    rank_tasks(studio, project_title, HandModel("v1", {"a": [0.5], "b": [0.99]}))
    rank_tasks(studio, project_title, HandModel("v2", {"a": [0.99], "b": [0.5]}))
    # averaged over both versions the two tasks would tie; the project follows v2
    assert _data_manager_order(studio, pid) == ["b", "a"]


def _cli(connection: Connection, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LABEL_STUDIO_URL": connection.url}
    env["LABEL_STUDIO_API_KEY"] = connection.token
    return subprocess.run(
        [sys.executable, "-m", "backchannel", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )


def test_cli_push_order_uncertainty_then_studio_rank_give_the_scores_of_ranking(
    studio: Studio, connection: Connection, schema: Schema, project_title: str, tmp_path: Path
) -> None:
    gold = list(read_documents(ROOT / "corpora" / "diplomacy" / "gold.jsonl"))[:5]
    docs = [Document(id=d.id, text=d.text) for d in gold]
    preds = list(predict_documents("rules", docs, schema=schema))
    want = {p.id: ranking.confidence(p) for p in preds}
    assert len(set(want.values())) > 1, "the rules give these texts different scores"
    corpus, pred_file = tmp_path / "corpus.jsonl", tmp_path / "preds.jsonl"
    corpus.write_bytes(b"".join(msgspec.json.encode(d) + b"\n" for d in docs))
    pred_file.write_bytes(b"".join(msgspec.json.encode(d) + b"\n" for d in preds))

    args = ("--project", project_title)
    refused = _cli(connection, "push", str(corpus), *args, "--order", "uncertainty", cwd=tmp_path)
    assert refused.returncode != 0 and "--predictions" in refused.stderr
    assert "Traceback" not in refused.stderr
    pushed = _cli(
        connection, "push", str(corpus), *args, "--predictions", str(pred_file),
        "--model-version", "rules-pushed", "--order", "uncertainty", cwd=tmp_path,
    )  # fmt: skip
    assert pushed.returncode == 0, pushed.stderr
    pid = studio.project_id(project_title)
    tasks = {k: t.task_id for k, t in studio.existing_tasks(pid).items()}
    stored = _stored(studio, pid)
    for doc_id, score in want.items():
        (pred,) = stored[tasks[doc_id]]
        assert pred.score == pytest.approx(score, abs=1e-4)

    ranked = _cli(connection, "studio", "rank", *args, "--model", "rules", cwd=tmp_path)
    assert ranked.returncode == 0, ranked.stderr
    assert "ranked 5 tasks" in ranked.stderr
    stored = _stored(studio, pid)
    for doc_id, score in want.items():
        by_version = {p.model_version: p for p in stored[tasks[doc_id]]}
        (version,) = set(by_version) - {"rules-pushed"}
        assert version.startswith("rules-")
        assert by_version[version].score == pytest.approx(score, abs=1e-4)
        assert (
            by_version[version].result
            == convert.document_to_prediction(next(p for p in preds if p.id == doc_id), version)[
                "result"
            ]
        )
    ascending = sorted(want, key=lambda k: (want[k], k))
    printed = [line.split("\t")[1] for line in ranked.stdout.splitlines()]
    assert printed == ascending
    # ties may come in either order in the Data Manager: compare the scores
    assert [want[d] for d in _data_manager_order(studio, pid)] == sorted(want.values())
