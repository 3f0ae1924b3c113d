"""Crash safety of the writers: SIGKILL at random moments leaves each output whole or absent.

``ingest``, ``adjudicate``, ``export`` and ``score`` run as real subprocesses on inputs big enough
to take a second or more, and are killed with SIGKILL (no cleanup handler runs) at seeded random
moments spread over a measured uninterrupted run.  After every kill, each output path is either
absent or complete and valid (equal to the uninterrupted run's output), the only other files are
hidden temporaries that no reader picks up, and earlier gold versions (files and manifests) are
byte-for-byte untouched.  A final uninterrupted run after the kills must succeed.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import msgspec
import psutil
import pytest

from backchannel.annotation.gold import versions as gold_mod
from backchannel.documents import Document, read_documents, write_documents
from backchannel.errors import GoldError
from tests.conftest import sample_document

BACKCHANNEL = str(Path(sys.executable).with_name("backchannel"))
KILLS = 3
WORDS = [
    "envoy",
    "minister",
    "summit",
    "talks",
    "ceasefire",
    "grain",
    "deal",
    "treaty",
    "border",
    "trade",
    "sanctions",
]


def _articles(n: int, seed: int) -> list[Document]:
    rng = random.Random(seed)
    base = sample_document()
    return [
        msgspec.structs.replace(
            base,
            id=f"doc-{i}",
            text=f"{base.text} {' '.join(rng.choice(WORDS) for _ in range(60))} Ref {i}.",
        )
        for i in range(n)
    ]


@dataclass
class Inputs:
    root: Path
    articles: Path
    annotations: Path
    earlier_annotations: Path
    gold: Path
    small_gold: Path
    predictions: Path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Inputs:
    root = tmp_path_factory.mktemp("crash-inputs")
    docs = _articles(3000, seed=1)
    articles = root / "articles.jsonl"
    with articles.open("wb") as fh:
        for d in docs:
            fh.write(msgspec.json.encode({"text": d.text, "meta": {"license": "CC0"}}) + b"\n")
    ann = []
    for d in docs:
        for who in ("alice", "bob", "carol"):
            x = msgspec.structs.replace(d, annotator=who)
            if who == "carol":  # disagreements: review items and attribute ties
                x = msgspec.structs.replace(x, spans=x.spans[:3], relations=x.relations[:2])
            ann.append(x)
    write_documents(ann, root / "ann.jsonl")
    write_documents(ann[: 3 * 500], root / "ann-earlier.jsonl")
    gold = [msgspec.structs.replace(d, annotator=None) for d in docs]
    write_documents(gold, root / "gold.jsonl")
    write_documents(gold[:400], root / "gold-small.jsonl")
    preds = [msgspec.structs.replace(d, spans=d.spans[1:], relations=[]) for d in gold]
    write_documents(preds, root / "preds.jsonl")
    return Inputs(
        root,
        articles,
        root / "ann.jsonl",
        root / "ann-earlier.jsonl",
        root / "gold.jsonl",
        root / "gold-small.jsonl",
        root / "preds.jsonl",
    )


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["BACKCHANNEL_NO_PROGRESS"] = "1"
    return env


def _run(args: list[str], cwd: Path, kill_after: float | None = None) -> tuple[bool, float]:
    """Run the command; with ``kill_after``, SIGKILL it then.  (killed?, seconds it ran)."""
    start = time.monotonic()
    proc = subprocess.Popen(
        [BACKCHANNEL, *args],
        cwd=cwd,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _, err = proc.communicate(timeout=kill_after if kill_after is not None else 300)
    except subprocess.TimeoutExpired:
        try:
            children = psutil.Process(proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            children = []
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        # Worker processes (score forks some) must not outlive a killed parent for long.
        _, alive = psutil.wait_procs(children, timeout=15)
        for orphan in alive:
            orphan.kill()
        assert not alive, f"{args[0]}: {len(alive)} worker(s) outlived the killed parent"
        return True, time.monotonic() - start
    assert proc.returncode == 0, err.decode(errors="replace")
    assert b"Traceback" not in err
    return False, time.monotonic() - start


def _visible(directory: Path) -> set[str]:
    return {p.name for p in directory.iterdir() if not p.name.startswith(".")}


def _kill_at_random_moments(
    name: str,
    args: list[str],
    cwd: Path,
    check: Callable[[], None],
    seed: int,
    kills: int = KILLS,
) -> None:
    """A measured clean run, then ``kills`` runs killed at seeded moments across its duration."""
    _, baseline = _run(args, cwd)
    check()
    rng = random.Random(seed)
    killed = 0
    for _ in range(kills):
        cleanup = getattr(check, "reset", None)
        if cleanup is not None:
            cleanup()
        was_killed, _ = _run(args, cwd, kill_after=rng.uniform(0.05, 0.95) * baseline)
        killed += was_killed
        check()
    assert killed >= 1, f"{name}: every run finished before its kill moment"


def test_ingest_killed_leaves_corpus_whole_or_absent(inputs: Inputs, tmp_path: Path) -> None:
    out = tmp_path / "corpus.jsonl"
    args = ["ingest", str(inputs.articles), "-o", str(out), "-q"]
    reference: dict[str, bytes] = {}

    def check() -> None:
        assert _visible(tmp_path) <= {"corpus.jsonl"}
        if out.exists():
            data = out.read_bytes()
            reference.setdefault("corpus", data)
            assert data == reference["corpus"]  # complete: the same bytes as a clean run
            assert len(list(read_documents(out, unique=True))) == 3000

    check.reset = lambda: out.unlink(missing_ok=True)  # type: ignore[attr-defined]
    _kill_at_random_moments("ingest", args, tmp_path, check, seed=101)
    # A stray temporary is never read back as an article by a later ingest of the folder.
    # (Its content here would make ingest fail: records with spans are refused.)
    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.copy(inputs.articles, folder / "articles.jsonl")
    shutil.copy(inputs.annotations, folder / ".corpus.jsonl.x1y2z3.tmp")
    _run(["ingest", str(folder), "-o", str(tmp_path / "again.jsonl"), "-q"], tmp_path)
    assert len(list(read_documents(tmp_path / "again.jsonl"))) == 3000


def test_adjudicate_killed_never_touches_earlier_gold_versions(
    inputs: Inputs, tmp_path: Path
) -> None:
    gold_dir = tmp_path / "gold"
    _run(["adjudicate", str(inputs.earlier_annotations), "-o", str(gold_dir)], tmp_path)
    earlier = {p.name: p.read_bytes() for p in gold_dir.iterdir() if not p.name.startswith(".")}
    assert set(earlier) == {"v0001.jsonl", "v0001.review.jsonl", "v0001.manifest.json"}
    args = ["adjudicate", str(inputs.annotations), "-o", str(gold_dir)]

    def check() -> None:
        for name, data in earlier.items():
            assert (gold_dir / name).read_bytes() == data, name  # byte-for-byte untouched
        versions = gold_mod.list_versions(gold_dir)
        complete = {m.version for m in versions}
        for manifest in versions:  # every version with a manifest is whole
            gold_mod.verify_version(gold_dir, manifest.version)
            assert len(gold_mod.read_version(manifest.version, gold_dir)) > 0
        for name in _visible(gold_dir):
            version = name.split(".")[0]
            if version not in complete:  # an interrupted version: never taken for gold
                with pytest.raises(GoldError):
                    gold_mod.resolve_version(version, gold_dir)

    _kill_at_random_moments("adjudicate", args, tmp_path, check, seed=102)
    _run(args, tmp_path)  # after the kills, a clean run completes
    check()
    latest = gold_mod.latest_version(gold_dir)
    assert latest is not None and latest.version != "v0001" and latest.counts["documents"] == 3000


def test_export_killed_leaves_dataset_folder_whole_or_absent(
    inputs: Inputs, tmp_path: Path
) -> None:
    from datasets import load_from_disk

    out = tmp_path / "dataset"
    args = ["export", str(inputs.small_gold), "-o", str(out)]
    reference: dict[str, bytes] = {}

    def check() -> None:
        assert _visible(tmp_path) <= {"dataset"}
        if not out.exists():
            return
        dd = load_from_disk(str(out))
        assert sum(len(dd[s]) for s in dd) == 400
        for name in ("splits.json", "features.json"):
            data = (out / name).read_bytes()
            assert reference.setdefault(name, data) == data
        json.loads((out / "dataset_dict.json").read_text(encoding="utf-8"))
        assert (out / "README.md").read_text(encoding="utf-8").strip()
        for jsonl in (out / "jsonl").glob("*.jsonl"):
            list(read_documents(jsonl))

    check.reset = lambda: shutil.rmtree(out, ignore_errors=True)  # type: ignore[attr-defined]
    _kill_at_random_moments("export", args, tmp_path, check, seed=103, kills=3)


def test_score_killed_leaves_report_whole_or_absent(inputs: Inputs, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    args = [
        "score",
        str(inputs.gold),
        str(inputs.predictions),
        "-o",
        str(out),
        "--bootstrap",
        "200",
        "--workers",
        "2",  # the forked counting workers must die with a killed parent
    ]
    reference: dict[str, object] = {}

    def check() -> None:
        assert _visible(tmp_path) <= {"report.json"}
        if out.exists():
            report = json.loads(out.read_text(encoding="utf-8"))
            assert reference.setdefault("report", report) == report

    check.reset = lambda: out.unlink(missing_ok=True)  # type: ignore[attr-defined]
    _kill_at_random_moments("score", args, tmp_path, check, seed=104)


def test_an_interrupted_gold_version_is_never_taken_for_gold(
    inputs: Inputs, tmp_path: Path
) -> None:
    """The aftermath of a kill between a version's data file and its manifest (the manifest is
    written last): the stray ``v0002.jsonl`` must not be read as gold, and the next run skips
    its number rather than overwrite or adopt it."""
    gold_dir = tmp_path / "gold"
    _run(["adjudicate", str(inputs.earlier_annotations), "-o", str(gold_dir)], tmp_path)
    shutil.copy(inputs.gold, gold_dir / "v0002.jsonl")  # data written, manifest never was
    with pytest.raises(GoldError) as err:
        gold_mod.resolve_version("v0002", gold_dir)
    assert "v0002" in str(err.value) and "\n" not in str(err.value)
    res = subprocess.run(
        [BACKCHANNEL, "gold", "diff", "v0001", "v0002", "--dir", str(gold_dir)],
        capture_output=True,
        env=_env(),
        text=True,
    )
    assert res.returncode != 0 and res.stderr.startswith("error: "), res.stderr
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert [m.version for m in gold_mod.list_versions(gold_dir)] == ["v0001"]
    _run(["adjudicate", str(inputs.annotations), "-o", str(gold_dir)], tmp_path)
    assert [m.version for m in gold_mod.list_versions(gold_dir)] == ["v0001", "v0003"]
    gold_mod.verify_version(gold_dir, "v0003")


# -- export --overwrite: the folder swap, and what killed runs leave behind -----------------------
BUNDLED_GOLD = Path(__file__).resolve().parents[2] / "corpora" / "diplomacy" / "gold.jsonl"


def _last_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_exchange_swaps_two_real_folders(tmp_path: Path) -> None:
    from backchannel.atomic import exchange

    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "from-a.txt").write_text("A", encoding="utf-8")
    (b / "from-b.txt").write_text("B", encoding="utf-8")
    assert exchange(a, b) is True  # Linux with renameat2: the test machine is one
    assert [p.name for p in a.iterdir()] == ["from-b.txt"]
    assert [p.name for p in b.iterdir()] == ["from-a.txt"]
    with pytest.raises(FileNotFoundError):
        exchange(a, tmp_path / "missing")


def test_overwrite_uses_the_exchange_and_leaves_nothing_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backchannel import atomic

    renames: list[tuple[Path, Path]] = []
    real_rename = atomic._rename
    monkeypatch.setattr(atomic, "_rename", lambda s, d: renames.append((s, d)) or real_rename(s, d))
    out = tmp_path / "out"
    for content in ("old", "new"):
        with atomic.atomic_directory(out, overwrite=True) as root:
            (root / "version.txt").write_text(content, encoding="utf-8")
    assert (out / "version.txt").read_text(encoding="utf-8") == "new"
    assert renames == []  # the exchange did it: no moment without the folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


_KILL_BETWEEN_RENAMES = """
import os, signal, sys
from backchannel import atomic
from backchannel.annotation.export.dataset import export_dataset

atomic.exchange = lambda a, b: False  # a system without renameat2: the two-rename fallback
calls = []
real = atomic._rename
def rename(src, dst):
    calls.append(src)
    if len(calls) == 2:  # the old folder is aside, the new one not yet in place
        os.kill(os.getpid(), signal.SIGKILL)
    real(src, dst)
atomic._rename = rename
export_dataset(sys.argv[1], sys.argv[2], overwrite=True, docbin=False, events=False)
"""


def test_a_kill_between_the_two_renames_is_recovered_on_the_next_run(tmp_path: Path) -> None:
    out = tmp_path / "dataset"
    _run(["export", str(BUNDLED_GOLD), "-o", str(out), "--no-spacy", "--no-events"], tmp_path)
    (out / "marker.txt").write_text("the folder before the kill", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", _KILL_BETWEEN_RENAMES, str(BUNDLED_GOLD), str(out)],
        env=_env(),
        capture_output=True,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    hidden = sorted(p.name for p in tmp_path.iterdir())
    assert "dataset" not in hidden  # the state the old code left for good
    assert _old_pid(tmp_path) > 0 and any(n.endswith(".tmp") for n in hidden)

    # The next run puts the old folder back before anything else (here: refusing to overwrite).
    res = subprocess.run(
        [BACKCHANNEL, "export", str(BUNDLED_GOLD), "-o", str(out)],
        env=_env(),
        capture_output=True,
        text=True,
    )
    assert res.returncode != 0 and "already exists" in res.stderr, res.stderr
    assert (out / "marker.txt").read_text(encoding="utf-8") == "the folder before the kill"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset"]  # the dead run's temp too

    _run(["export", str(BUNDLED_GOLD), "-o", str(out), "--overwrite", "--no-events"], tmp_path)
    assert not (out / "marker.txt").exists() and (out / "README.md").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset"]


def _old_pid(directory: Path) -> int:
    (old,) = [p.name for p in directory.iterdir() if ".old-" in p.name]
    return int(old.rsplit("-", 1)[1])


def test_stale_temporaries_of_a_dead_process_are_removed_a_live_ones_kept(tmp_path: Path) -> None:
    from backchannel.atomic import atomic_write

    dead = _last_pid()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stale_file = tmp_path / f".out.jsonl.{dead}.k3j2h1.tmp"
        stale_dir = tmp_path / f".out.jsonl.{dead}.q9w8e7.tmp"
        busy = tmp_path / f".out.jsonl.{live.pid}.a1b2c3.tmp"
        other = tmp_path / f".other.jsonl.{dead}.z1x2c3.tmp"  # another output's: not ours to judge
        stale_file.write_text("half a line", encoding="utf-8")
        stale_dir.mkdir()
        (stale_dir / "part").write_text("x", encoding="utf-8")
        busy.write_text("still being written", encoding="utf-8")
        other.write_text("x", encoding="utf-8")
        with atomic_write(tmp_path / "out.jsonl") as fh:
            fh.write("{}\n")
        names = sorted(p.name for p in tmp_path.iterdir())
        assert names == sorted([busy.name, other.name, "out.jsonl"])
        assert busy.read_text(encoding="utf-8") == "still being written"
    finally:
        live.kill()
        live.wait()


def test_export_overwrite_killed_always_leaves_a_whole_folder(
    inputs: Inputs, tmp_path: Path
) -> None:
    """With ``--overwrite`` the name always holds a complete dataset, whenever the kill comes,
    and the next run cleans the hidden temporaries the killed ones left."""
    out = tmp_path / "dataset"
    args = ["export", str(inputs.small_gold), "-o", str(out), "--overwrite", "--no-spacy"]

    def check() -> None:
        assert out.is_dir()
        assert json.loads((out / "splits.json").read_text(encoding="utf-8"))
        assert (out / "README.md").read_text(encoding="utf-8").strip()

    _kill_at_random_moments("export --overwrite", args, tmp_path, check, seed=105, kills=3)
    _run(args, tmp_path)
    check()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset"]
