"""ingest, events and compare over shards on a real Dask LocalCluster (2 worker processes),
and the process-wide local cluster that ``score --workers`` reuses.

Each cluster run is compared with the serial run of the same command: the file written is the
same bytes, a FOLDER/ output holds the same content in shards plus a manifest, and errors are
the serial run's, in its order.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from backchannel.annotation.export.events import write_events
from backchannel.annotation.export.events_sharded import write_events_sharded
from backchannel.annotation.ingest.corpus import ingest
from backchannel.annotation.ingest.sharded import group_sources, ingest_sharded
from backchannel.annotation.ingest.sources import SourceFile
from backchannel.cli.app import app
from backchannel.cluster import open_client, shared_local_client
from backchannel.errors import IngestError
from backchannel.eval.predict import predict
from backchannel.eval.scoring.scorer import compare, score
from backchannel.shards import MANIFEST

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "corpora" / "diplomacy" / "gold.jsonl"

VOCAB = [
    *("minister", "envoy", "talks", "summit", "phone", "call", "Geneva", "Vienna", "grain"),
    *("deal", "border", "ceasefire", "delegation", "statement", "hotline", "prisoner"),
    *("exchange", "mediation", "round", "officials", "spokesman"),
]


def _story(city: str) -> str:
    """A made-up article of 80 words: distinct cities share almost no 5-word shingle."""
    rng = random.Random(city)
    return f"In {city}, " + " ".join(rng.choice(VOCAB) for _ in range(80)) + "."


@pytest.fixture(scope="module")
def client():
    with open_client("local:2", memory_limit="1GiB") as c:
        yield c


def _articles(root: Path) -> list[str]:
    """Made-up articles in .txt and .jsonl: exact and near duplicates across files."""
    root.mkdir()
    stories = [_story(city) for city in ("Vienna", "Oslo", "Lima", "Hanoi")]
    (root / "a-01.txt").write_text(stories[0] + "\n", encoding="utf-8")
    (root / "a-02.txt").write_text(stories[1] + "\n", encoding="utf-8")
    (root / "a-03.txt").write_text(stories[0] + "\n", encoding="utf-8")  # exact copy of a-01
    records = [
        {"text": stories[2], "meta": {"source": "wire"}},
        {"text": stories[1].replace(",", ", on Monday", 1)},  # near-duplicate of a-02
        {"text": stories[3], "id": "hanoi"},
        {"text": stories[2]},  # exact copy, in the same file
    ]
    (root / "b.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    (root / "c-01.txt").write_text(stories[3].replace("In ", "Later in ") + "\n", "utf-8")
    return stories


def test_ingest_sharded_equals_serial(client, tmp_path: Path) -> None:
    _articles(tmp_path / "in")
    serial = ingest([tmp_path / "in"], tmp_path / "serial.jsonl", license="CC0-1.0")
    # shard_bytes=1: every file its own piece, five tasks
    assert len(group_sources(_sources(tmp_path / "in"), 1)) == 5
    for engine in (None, client):
        out = tmp_path / f"cluster-{engine is None}.jsonl"
        got = ingest_sharded([tmp_path / "in"], out, license="CC0-1.0", cluster=engine,
                             shard_bytes=1)  # fmt: skip
        assert out.read_bytes() == (tmp_path / "serial.jsonl").read_bytes()
        assert got.duplicates == serial.duplicates
        assert (got.read, got.documents, got.files) == (serial.read, serial.documents, 5)
    assert (serial.exact_duplicates, serial.near_duplicates) == (2, 2)


def _sources(folder: Path) -> list[SourceFile]:
    from backchannel.annotation.ingest.sources import expand_sources

    return list(expand_sources([str(folder)]))


def test_cli_ingest_folder_output_on_cluster(tmp_path: Path) -> None:
    _articles(tmp_path / "in")
    ingest([tmp_path / "in"], tmp_path / "serial.jsonl")
    out = tmp_path / "corpus"
    args = ["ingest", str(tmp_path / "in"), "-o", f"{out}/", "--cluster", "local:2"]
    res = CliRunner().invoke(app, [*args, "--shard-mb", "1"])
    assert res.exit_code == 0, res.output
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    names = [s["name"] for s in manifest["shards"]]
    assert names == ["part-00000.jsonl", "b.jsonl", "part-00002.jsonl"]  # .txt grouped
    assert [s["documents"] for s in manifest["shards"]] == [2, 3, 1]
    joined = b"".join((out / n).read_bytes() for n in names)
    assert joined == (tmp_path / "serial.jsonl").read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    # an output folder inside the input: the next run does not read its previous shards
    inner = tmp_path / "in" / "corpus"
    for _ in range(2):
        got = ingest_sharded([tmp_path / "in"], f"{inner}/", shard_bytes=1)
        assert (got.files, got.documents) == (5, 6)
    shards = json.loads((inner / MANIFEST).read_text(encoding="utf-8"))["shards"]
    assert b"".join((inner / s["name"]).read_bytes() for s in shards) == joined


def test_ingest_errors_are_the_serial_ones_in_order(client, tmp_path: Path) -> None:
    _articles(tmp_path / "in")
    # an id clash in b.jsonl comes before an empty article in c-02.txt
    with open(tmp_path / "in" / "b.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"text": "another text", "id": "hanoi"}) + "\n")
    (tmp_path / "in" / "c-02.txt").write_text("  \n", encoding="utf-8")
    errors = []
    for run in (
        lambda: ingest([tmp_path / "in"], tmp_path / "s.jsonl"),
        lambda: ingest_sharded(
            [tmp_path / "in"], tmp_path / "c.jsonl", cluster=client, shard_bytes=1
        ),
    ):
        with pytest.raises(IngestError) as info:
            run()
        errors.append(info.value.one_line())
    assert errors[0] == errors[1]
    assert "id already used" in errors[0] and "b.jsonl:5" in errors[0]
    assert not (tmp_path / "s.jsonl").exists() and not (tmp_path / "c.jsonl").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["in"]  # no scratch left behind


def _gold_shards(tmp_path: Path) -> Path:
    lines = GOLD.read_bytes().splitlines(keepends=True)
    folder = tmp_path / "gold"
    folder.mkdir()
    for k, (a, b) in enumerate([(0, 9), (9, 30), (30, len(lines))]):
        (folder / f"day-{k:02d}.jsonl").write_bytes(b"".join(lines[a:b]))
    return folder


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_events_on_cluster_equals_serial(client, tmp_path: Path, suffix: str) -> None:
    serial = write_events(GOLD, tmp_path / f"serial{suffix}", graph=tmp_path / "s.png")
    got = write_events_sharded(_gold_shards(tmp_path), tmp_path / f"cluster{suffix}",
                               cluster=client, graph=tmp_path / "c.png")  # fmt: skip
    assert (tmp_path / f"cluster{suffix}").read_bytes() == (
        tmp_path / f"serial{suffix}"
    ).read_bytes()
    assert serial.rows > 0
    assert (got.rows, got.contacts, got.documents, got.edges, got.dropped_contacts) == (
        serial.rows, serial.contacts, serial.documents, serial.edges, serial.dropped_contacts
    )  # fmt: skip
    assert (tmp_path / "c.png").stat().st_size > 0


def test_cli_events_folder_output(tmp_path: Path) -> None:
    serial = write_events(GOLD, tmp_path / "serial.parquet")
    out = tmp_path / "events"
    args = ["events", str(_gold_shards(tmp_path)), "-o", f"{out}/", "--cluster", "local:2"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert f"{serial.rows} rows" in res.output
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    names = [s["name"] for s in manifest["shards"]]
    assert names == ["day-00.parquet", "day-01.parquet", "day-02.parquet"]
    tables = [pq.read_table(out / n).to_pylist() for n in names]
    assert [len(t) for t in tables] == [s["documents"] for s in manifest["shards"]]
    assert [row for t in tables for row in t] == pq.read_table(
        tmp_path / "serial.parquet"
    ).to_pylist()


def test_compare_on_cluster_same_report(client, tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    predict("rules", GOLD, a, progress=False)
    lines = a.read_bytes().splitlines(keepends=True)
    b.write_bytes(b"".join(lines[::-1]))  # another order: not lockstep, the join path
    reference = compare(GOLD, a, b, bootstrap=100, permutations=100, workers=1).to_dict()
    gold = _gold_shards(tmp_path)
    for engine in (None, client):
        got = compare(gold, a, b, bootstrap=100, permutations=100, cluster=engine).to_dict()
        assert got["metrics"] == reference["metrics"]
    reports = []
    for extra in (["--workers", "1"], ["--cluster", "local:2"]):
        out = tmp_path / f"r{len(reports)}.json"
        args = ["compare", str(GOLD), str(a), str(b), "--bootstrap", "50", "--permutations",
                "50", "--format", "json", "-o", str(out), *extra]  # fmt: skip
        res = CliRunner().invoke(app, args)
        assert res.exit_code == 0, res.output
        reports.append(out.read_text(encoding="utf-8"))
    assert reports[0] == reports[1]


def test_score_workers_reuses_one_local_cluster(tmp_path: Path) -> None:
    pred = tmp_path / "pred.jsonl"
    predict("rules", GOLD, pred, progress=False)
    serial = score(GOLD, pred, bootstrap=50, workers=1).to_dict()
    first = shared_local_client(2)
    assert shared_local_client(2) is first  # one cluster per process and worker count
    for _ in range(2):
        assert score(GOLD, pred, bootstrap=50, workers=2).to_dict() == serial
    assert shared_local_client(2) is first
    first.close()  # a cluster gone away is replaced, not reused
    again = shared_local_client(2)
    assert again is not first and again.status == "running"
    assert score(GOLD, pred, bootstrap=50, workers=2).to_dict() == serial
