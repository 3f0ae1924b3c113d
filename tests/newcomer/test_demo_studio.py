"""``make demo-studio`` in CI: the same script, on its own Label Studio, outputs checked.

The script starts its server with ``backchannel studio up --detach`` in a data directory under
the test's tmp_path; the test seeds the fixed test credentials first so the cached
``label-studio init`` template is reused (a warm start of a few seconds), and stops the server
afterwards whatever happens.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

from backchannel.annotation.gold.versions import list_versions, verify_version
from backchannel.annotation.labelstudio.credentials import seed_credentials
from backchannel.annotation.labelstudio.probe import free_port
from backchannel.annotation.labelstudio.server import stop_server
from backchannel.documents import read_documents
from backchannel.schema import Schema
from tests.conftest import TEST_PASSWORD, TEST_TOKEN, TEST_USER, missing

pytestmark = pytest.mark.studio

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "demo_studio", ROOT / "scripts" / "demo_studio.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_demo_studio_runs_end_to_end(
    tmp_path: Path, schema: Schema, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = _script()
    out, data_dir = tmp_path / "out", tmp_path / "out" / "label-studio"
    seed_credentials(data_dir, TEST_USER, TEST_PASSWORD, TEST_TOKEN)
    args = ["--out", str(out), "--data-dir", str(data_dir), "--limit", "4"]
    try:
        code = demo.main([*args, "--port", str(free_port())])
        first = capsys.readouterr().out
        # run again: it reuses the running server, adds nothing twice, then stops it
        again = demo.main([*args, "--stop"])
    except subprocess.CalledProcessError as exc:
        if "up" in exc.cmd and "studio" in exc.cmd:
            missing(f"Label Studio could not start (studio up exited {exc.returncode})")
        raise
    finally:
        stop_server(data_dir)
    assert code == 0 and again == 0
    assert "Look at the tasks in the browser: http://127.0.0.1:" in first
    assert "Stop it with: backchannel studio down --data-dir" in first
    assert "(mode 0600)" in first and "api-token" in first
    printed = capsys.readouterr().out
    assert "$ backchannel studio status" in printed and "$ backchannel studio up" not in printed
    assert "0 tasks created" in printed and ": 0 annotations" in printed
    steps = "studio status|ingest|predict --model rules|push|pull|agree|adjudicate"
    for step in (steps + "|review push|review pull|gold diff|studio down").split("|"):
        assert f"$ backchannel {step}" in printed, step
    assert "$ backchannel studio up --detach" in first

    corpus = list(read_documents(out / "corpus.jsonl", schema=schema))
    assert len(corpus) == 4
    annotations = list(read_documents(out / "annotations.jsonl", schema=schema))
    assert len(annotations) == 8  # two annotators on every article
    assert {d.annotator for d in annotations} == set(demo.ANNOTATORS)
    assert all(d.source_ids.get("ls_task") for d in annotations)
    # annotator A started from the rules pre-annotation
    ana = [d for d in annotations if d.annotator == demo.ANNOTATORS[0]]
    assert all(d.annotation and d.annotation.model_version for d in ana)

    agreement = json.loads((out / "agreement.json").read_text(encoding="utf-8"))
    f1 = agreement["overall"]["strict"]["f1"]
    assert 0.5 < f1 < 1.0  # the scripted edits make them disagree a little, not totally

    gold = out / "gold"
    assert [m.version for m in list_versions(gold)] == ["v0001", "v0002"]
    v1, v2 = verify_version(gold, "v0001"), verify_version(gold, "v0002")
    assert (v2.parent, v2.method, v2.decided_by) == ("v0001", "review", demo.ADJUDICATOR)
    assert v1.method == "adjudicate"
    reviewed = {d.id: d for d in read_documents(gold / "v0002.jsonl", schema=schema)}
    assert set(reviewed) == {d.id for d in corpus}
    bundled = {d.id: d for d in read_documents(ROOT / "corpora" / "diplomacy" / "gold.jsonl")}
    for doc_id, doc in reviewed.items():  # the adjudicator settled every article with the gold
        key = {(s.start, s.end, s.label) for s in doc.spans}
        assert key == {(s.start, s.end, s.label) for s in bundled[doc_id].spans}
    diff = json.loads((out / "gold-diff.json").read_text(encoding="utf-8"))
    assert diff["summary"]["spans_added"] > 0
    assert (out / "gold-diff.md").read_text(encoding="utf-8").strip()
