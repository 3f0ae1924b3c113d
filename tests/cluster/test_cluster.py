"""predict and score over shards on a real Dask LocalCluster (2 worker processes).

What a nightly job relies on: the cluster run writes what the serial run writes (documents in
input order, or shards plus a manifest), the score report does not depend on the engine, and a
worker killed with SIGKILL mid-shard costs a re-run, never a lost or doubled document.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backchannel.cli.app import app
from backchannel.cluster import open_client, parse_cluster
from backchannel.documents import read_documents
from backchannel.errors import DocumentError, InputError
from backchannel.eval.cluster import SLOW_ENV, predict_sharded
from backchannel.eval.predict import predict, predict_pieces
from backchannel.eval.scoring.scorer import score
from backchannel.schema import load_schema
from backchannel.shards import MANIFEST, discover, plan, read_piece

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "corpora" / "diplomacy" / "gold.jsonl"
ARTICLES = ROOT / "corpora" / "diplomacy" / "articles.jsonl"


def _shards(src: Path, folder: Path, sizes: list[int]) -> list[bytes]:
    """Split ``src`` into shards of ``sizes`` lines (the rest in the last); all lines."""
    lines = src.read_bytes().splitlines(keepends=True)
    folder.mkdir()
    start = 0
    for k, n in enumerate([*sizes, len(lines)]):
        chunk = lines[start : start + n] if k < len(sizes) else lines[start:]
        (folder / f"day-{k:02d}.jsonl").write_bytes(b"".join(chunk))
        start += n
    return lines


@pytest.fixture(scope="module")
def client():
    with open_client("local:2", memory_limit="1GiB") as c:
        yield c


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("serial") / "pred.jsonl"
    predict("rules", ARTICLES, out, progress=False)
    return out


def test_cli_predict_folder_on_local_cluster_equals_serial(serial: Path, tmp_path: Path) -> None:
    _shards(ARTICLES, tmp_path / "in", [10, 20])
    out = tmp_path / "pred.jsonl"
    args = ["predict", str(tmp_path / "in"), "--model", "rules", "--cluster", "local:2"]
    res = CliRunner().invoke(app, [*args, "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_bytes() == serial.read_bytes()
    assert "42 documents" in res.output
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_folder_output_shards_and_manifest(client, serial: Path, tmp_path: Path) -> None:
    _shards(ARTICLES, tmp_path / "in", [10, 20])
    out = tmp_path / "pred"
    infos = predict_sharded(
        "rules", tmp_path / "in", f"{out}/", schema=load_schema(), cluster=client, progress=False
    )
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    names = [s["name"] for s in manifest["shards"]]
    assert names == ["day-00.jsonl", "day-01.jsonl", "day-02.jsonl"] == [i.name for i in infos]
    assert [s["documents"] for s in manifest["shards"]] == [10, 20, 12]
    assert manifest["documents"] == 42
    assert b"".join((out / n).read_bytes() for n in names) == serial.read_bytes()
    assert sorted(p.name for p in out.iterdir()) == sorted([*names, MANIFEST])
    # the folder is a corpus: discovery follows the manifest, and a rerun replaces it whole
    assert discover(out) == [str(out / n) for n in names]
    predict_sharded("rules", ARTICLES, f"{out}/", schema=load_schema(), cluster=client,
                    progress=False)  # fmt: skip
    assert [s["name"] for s in json.loads((out / MANIFEST).read_text())["shards"]] == [
        "part-00000.jsonl"
    ]
    assert not (out / "day-00.jsonl").exists()


def test_one_big_file_cut_into_pieces_equals_serial(client, serial: Path, tmp_path: Path) -> None:
    out = tmp_path / "pred.jsonl"
    result = predict_pieces("rules", ARTICLES, out, cluster=client, shard_bytes=20_000,
                            progress=False)  # fmt: skip
    assert len(plan([ARTICLES], 20_000)) > 3  # really several pieces
    assert out.read_bytes() == serial.read_bytes()
    assert result.documents == 42 and sum(result.spans.values()) > 0


def test_piece_errors_name_the_real_line(tmp_path: Path) -> None:
    lines = ARTICLES.read_bytes().splitlines(keepends=True)
    lines[30] = b'{"id": "broken", "text": \n'
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"".join(lines))
    pieces = plan([bad], 20_000)
    where = next(p for p in pieces if p.end is None or p.end > sum(map(len, lines[:30])))
    assert where.line > 1
    with pytest.raises(DocumentError) as info:
        list(read_piece(where))
    assert info.value.line == 31 and info.value.path == str(bad)


def test_score_sharded_on_cluster_same_report_as_serial(
    client, serial: Path, tmp_path: Path
) -> None:
    reference = score(GOLD, _predict_gold(tmp_path), bootstrap=200, workers=1)
    _shards(GOLD, tmp_path / "gold", [7, 21])
    predict_sharded("rules", tmp_path / "gold", f"{tmp_path / 'pred'}/", schema=load_schema(),
                    cluster=client, progress=False)  # fmt: skip
    for engine in (None, client):
        result = score(tmp_path / "gold", tmp_path / "pred", bootstrap=200, cluster=engine)
        a, b = reference.to_dict(), result.to_dict()
        for d in (a, b):
            d["meta"] = {k: v for k, v in d["meta"].items() if k not in ("gold", "predictions")}
        assert a == b
        assert result.counts.browser == reference.counts.browser


def _predict_gold(tmp_path: Path) -> Path:
    out = tmp_path / "gold-pred.jsonl"
    predict("rules", GOLD, out, progress=False)
    return out


def test_cli_score_cluster_equals_workers_1(tmp_path: Path) -> None:
    pred = _predict_gold(tmp_path)
    reports = []
    for extra in (["--workers", "1"], ["--cluster", "local:2"]):
        out = tmp_path / f"report{len(reports)}.json"
        args = ["score", str(GOLD), str(pred), "--bootstrap", "100", "-o", str(out), *extra]
        res = CliRunner().invoke(app, args)
        assert res.exit_code == 0, res.output
        reports.append(out.read_text(encoding="utf-8"))
    assert reports[0] == reports[1]


def test_killed_worker_every_document_exactly_once(
    serial: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _shards(ARTICLES, tmp_path / "in", [10, 10, 10])
    monkeypatch.setenv(SLOW_ENV, "2")  # inherited by the worker processes spawned below
    out = tmp_path / "out"
    killed: list[int] = []
    with open_client("local:2", memory_limit="1GiB") as c:
        pids = c.run(os.getpid)

        def kill_one_busy_worker() -> None:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                busy = [w for w, keys in c.processing().items() if keys]
                tmp = list(tmp_path.rglob(".day-*.tmp"))
                if busy and tmp:  # a piece is half-written and sleeping
                    os.kill(pids[busy[0]], signal.SIGKILL)
                    killed.append(pids[busy[0]])
                    return
                time.sleep(0.05)

        killer = threading.Thread(target=kill_one_busy_worker)
        killer.start()
        predict_sharded("rules", tmp_path / "in", f"{out}/", schema=load_schema(), cluster=c,
                        progress=False)  # fmt: skip
        killer.join()
        assert killed and killed[0] not in c.run(os.getpid).values()  # really dead, replaced
    ids = [d.id for d in read_documents(ARTICLES)]
    names = json.loads((out / MANIFEST).read_text())["shards"]
    got = [d.id for n in names for d in read_documents(out / n["name"])]
    assert got == ids  # every document exactly once, in input order
    assert b"".join((out / n["name"]).read_bytes() for n in names) == serial.read_bytes()
    assert not list(out.rglob("*.tmp"))


def test_folder_output_refuses_a_foreign_folder(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.docx").write_text("keep me")
    args = ["predict", str(ARTICLES), "--model", "rules", "-o", f"{tmp_path / 'mine'}/"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 1 and res.output.startswith("error: ")
    assert "not a backchannel shard folder" in res.output
    assert (tmp_path / "mine" / "thesis.docx").read_text() == "keep me"


def test_cluster_option_errors_are_one_line(tmp_path: Path) -> None:
    assert parse_cluster("local:3").workers == 3
    assert parse_cluster("tcp://10.0.0.5:8786").address == "tcp://10.0.0.5:8786"
    for bad in ("local:0", "yarn", "http://x:1"):
        with pytest.raises(InputError):
            parse_cluster(bad)
    args = ["predict", str(ARTICLES), "--cluster", "tcp://127.0.0.1:9", "-o",
            str(tmp_path / "p.jsonl")]  # fmt: skip
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 1 and len(res.output.strip().splitlines()) == 1
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in res.output
    assert not (tmp_path / "p.jsonl").exists()
