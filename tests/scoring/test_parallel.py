"""Counting in worker processes gives the serial result, bit for bit, and the serial errors.

The inputs span several batches (``BATCH`` = 1,024 documents) so that more than one worker
really counts; ``workers=`` forces the parallel path on these small files.
"""

from __future__ import annotations

import random
from pathlib import Path

import msgspec
import numpy as np
import pytest
from typer.testing import CliRunner

from backchannel.cli.app import app
from backchannel.documents import Document, Relation, Span, write_documents
from backchannel.errors import DocumentError
from backchannel.eval.scoring import parallel
from backchannel.eval.scoring.counting import BATCH
from backchannel.eval.scoring.scorer import ScoreResult, compare, score

N_DOCS = 2 * BATCH + 300  # three batches, the last one short
WORDS = ["the", "minister", "spoke", "with", "envoys", "about", "grain", "talks", "in", "Geneva"]
ACTOR = {"actor_kind": "person", "country": "GBR"}
CHANNEL = {"channel_kind": "meeting", "modality": "actual"}


def _pair(rng: random.Random, d: int) -> tuple[Document, Document]:
    """One gold document (6 to 12 spans, PARTICIPANT and STANCE relations) and a noisy guess."""
    text, spans = "", []
    for i in range(rng.randint(6, 12)):
        text += " ".join(rng.choices(WORDS, k=rng.randint(1, 4))) + " "
        mention = rng.choice(WORDS)
        lab = rng.choice(["ACTOR", "ACTOR", "CHANNEL", "ISSUE", "VENUE"])
        attrs = ACTOR if lab == "ACTOR" else CHANNEL if lab == "CHANNEL" else {}
        spans.append(Span(f"s{i}", len(text), len(text) + len(mention), lab, attrs=dict(attrs)))
        text += mention
    text += " end."
    actors = [s.id for s in spans if s.label == "ACTOR"]
    channels = [s.id for s in spans if s.label == "CHANNEL"]
    rels = []
    if actors and channels:
        role = {"role": "participant"}
        rels.append(Relation(channels[0], actors[0], "PARTICIPANT", attrs=role))
    if len(actors) >= 2:
        pol = {"polarity": rng.choice(["favor", "against", "neutral"])}
        rels.append(Relation(actors[0], actors[1], "STANCE", attrs=pol))
    gold = Document(f"doc{d:05d}", text, spans=spans, relations=rels)
    pspans = []
    for s in spans:
        r = rng.random()
        if r < 0.1:
            continue
        end = max(s.start + 1, s.end - 1) if r < 0.2 else s.end
        lab = "ISSUE" if 0.2 <= r < 0.25 and s.label != "ISSUE" else s.label
        attrs = s.attrs if lab == s.label else {}
        pspans.append(Span(s.id, s.start, end, lab, attrs=dict(attrs)))
    kept = {s.id: s.label for s in pspans}
    prels = [
        r for r in rels
        if kept.get(r.head) == gold_label(spans, r.head) and kept.get(r.tail) == "ACTOR"
    ]  # fmt: skip
    if rng.random() < 0.3:
        pspans.append(Span("x", 0, 3, "ISSUE"))
    return gold, Document(gold.id, text, spans=pspans, relations=prels)


def gold_label(spans: list[Span], span_id: str) -> str:
    return next(s.label for s in spans if s.id == span_id)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[bytes], list[bytes]]:
    rng = random.Random(5)
    pairs = [_pair(rng, d) for d in range(N_DOCS)]
    base = tmp_path_factory.mktemp("parallel")
    g, p = base / "gold.jsonl", base / "pred.jsonl"
    write_documents([a for a, _ in pairs], g)
    write_documents([b for _, b in pairs], p)
    return g, p, g.read_bytes().splitlines(), p.read_bytes().splitlines()


def _same(a: ScoreResult, b: ScoreResult) -> None:
    assert np.array_equal(a.counts.rows, b.counts.rows)
    assert a.counts.rows.dtype == b.counts.rows.dtype
    assert a.values == b.values  # exact floats, not approx
    assert a.intervals == b.intervals
    assert a.counts.doc_ids == b.counts.doc_ids
    assert np.array_equal(a.counts.confusion, b.counts.confusion)
    assert a.counts.browser == b.counts.browser
    da, db = a.to_dict(), b.to_dict()
    for d in (da, db):  # the prediction file's name may differ
        d["meta"] = {k: v for k, v in d["meta"].items() if k != "predictions"}
    assert da == db


def test_parallel_equals_serial_bit_for_bit(files: tuple[Path, Path, list, list]) -> None:
    g, p, _, _ = files
    serial = score(g, p, bootstrap=200, workers=1)
    assert serial.meta["documents"] == N_DOCS
    assert serial.values["spans.micro.strict.f1"] not in (None, 0.0, 1.0)  # a real mix
    assert len(serial.counts.browser) == 25
    for workers in (2, 3):
        _same(serial, score(g, p, bootstrap=200, workers=workers))


def test_parallel_path_really_used(files: tuple[Path, Path, list, list]) -> None:
    g, p, _, _ = files
    from backchannel.eval.scoring.metrics import Layout
    from backchannel.schema import load_schema

    schema = load_schema()
    fast = parallel.count_parallel(g, p, schema, Layout.from_schema(schema), keep=5, workers=2)
    assert fast is not None and fast.rows.shape[0] == N_DOCS
    assert len(fast.doc_ids) == N_DOCS == len(set(fast.doc_ids))


def test_labels_and_keep_do_not_depend_on_workers(files: tuple[Path, Path, list, list]) -> None:
    g, p, _, _ = files
    for kwargs in ({"labels": ["ACTOR", "VENUE"]}, {"keep": 0}, {"keep": 3}):
        _same(
            score(g, p, bootstrap=30, workers=1, **kwargs),
            score(g, p, bootstrap=30, workers=2, **kwargs),
        )


def test_compare_does_not_depend_on_workers(files: tuple[Path, Path, list, list]) -> None:
    g, p, _, _ = files
    a = compare(g, g, p, bootstrap=50, permutations=50, workers=1).to_dict()
    b = compare(g, g, p, bootstrap=50, permutations=50, workers=2).to_dict()
    assert a == b


def _errors(g: Path, p: Path) -> tuple[str, str]:
    out = []
    for workers in (1, 2):
        with pytest.raises(DocumentError) as info:
            score(g, p, bootstrap=0, workers=workers)
        out.append(str(info.value))
    return out[0], out[1]


def _write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _edit(line: bytes, **changes: object) -> bytes:
    rec = msgspec.json.decode(line)
    rec.update(changes)
    return msgspec.json.encode(rec)


def test_bad_span_in_a_late_batch_same_error(
    files: tuple[Path, Path, list, list], tmp_path: Path
) -> None:
    g, _, _, pl = files
    lines = list(pl)
    k = 2 * BATCH + 17  # in the third batch
    rec = msgspec.json.decode(lines[k])
    rec["spans"][0]["end"] = len(rec["text"]) + 5
    lines[k] = msgspec.json.encode(rec)
    serial, par = _errors(g, _write(tmp_path / "p.jsonl", lines))
    assert serial == par
    span = rec["spans"][0]["id"]
    assert f":{k + 1}: document doc02065, span {span}:" in par and "out of range" in par


def test_malformed_line_and_unknown_label_same_error(
    files: tuple[Path, Path, list, list], tmp_path: Path
) -> None:
    g, _, _gl, pl = files
    lines = list(pl)
    lines[BATCH + 3] = lines[BATCH + 3][:-20]  # cut short: not JSON
    serial, par = _errors(g, _write(tmp_path / "p.jsonl", lines))
    assert serial == par and f":{BATCH + 4}" in par
    lines = list(pl)
    rec = msgspec.json.decode(lines[5])
    rec["spans"][0]["label"] = "NOT_A_LABEL"
    lines[5] = msgspec.json.encode(rec)
    serial, par = _errors(g, _write(tmp_path / "p2.jsonl", lines))
    assert serial == par and "NOT_A_LABEL" in par


def test_missing_duplicate_and_text_mismatch_same_error(
    files: tuple[Path, Path, list, list], tmp_path: Path
) -> None:
    g, _p, gl, pl = files
    missing = _write(tmp_path / "missing.jsonl", pl[:1500] + pl[1501:])
    serial, par = _errors(g, missing)
    assert serial == par and "doc01500" in par
    dup_g = _write(tmp_path / "dup_g.jsonl", [*gl[:2000], gl[10], *gl[2001:]])
    dup_p = _write(tmp_path / "dup_p.jsonl", [*pl[:2000], pl[10], *pl[2001:]])
    serial, par = _errors(dup_g, dup_p)
    assert serial == par and "duplicate" in par and "doc00010" in par
    lines = list(pl)
    lines[1800] = _edit(lines[1800], text="something else")
    serial, par = _errors(g, _write(tmp_path / "text.jsonl", lines))
    assert serial == par and "text differs" in par


def test_other_order_and_blank_lines_fall_back_to_the_same_result(
    files: tuple[Path, Path, list, list], tmp_path: Path
) -> None:
    g, p, _, pl = files
    serial = score(g, p, bootstrap=100, workers=1)
    shuffled = list(pl)
    random.Random(1).shuffle(shuffled)
    _same(serial, score(g, _write(tmp_path / "shuffled.jsonl", shuffled), bootstrap=100, workers=2))
    blank = [*pl[:700], b"", b"   ", *pl[700:]]
    _same(serial, score(g, _write(tmp_path / "blank.jsonl", blank), bootstrap=100, workers=2))


def test_allow_missing_same_result(files: tuple[Path, Path, list, list], tmp_path: Path) -> None:
    g, _, _, pl = files
    p = _write(tmp_path / "p.jsonl", pl[:1200] + pl[1210:])
    a = score(g, p, bootstrap=100, workers=1, allow_missing=True)
    b = score(g, p, bootstrap=100, workers=2, allow_missing=True)
    assert a.meta["missing_predictions"] == b.meta["missing_predictions"] == 10
    _same(a, b)


def test_plan_small_inputs_stay_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    g = _write(tmp_path / "g.jsonl", [b"{}"] * 40)
    assert parallel.plan(None, g, g) == 1  # 40 documents: start-up would dominate
    assert parallel.plan(3, g, g) == 3  # asked for: taken as given
    assert parallel.plan(0, g, g) == 1
    monkeypatch.setattr(parallel, "MIN_BYTES", 10)
    monkeypatch.setattr(parallel, "available_cpus", lambda: 1)
    assert parallel.plan(None, g, g) == 1  # one core: serial whatever the size
    monkeypatch.setattr(parallel, "available_cpus", lambda: 8)
    assert parallel.plan(None, g, g) == parallel.MAX_WORKERS
    assert parallel.plan(None, g, tmp_path / "absent.jsonl") == 1  # serial names the problem


def test_chunks_pair_the_same_lines(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.jsonl", [b'{"id":"%d"}' % i for i in range(10)])
    b = _write(tmp_path / "b.jsonl", [b'{"id":"%d", "x": 1}' % i for i in range(10)])
    chunks = list(parallel._chunks(str(a), str(b), 4))
    assert [(c.index, c.line) for c in chunks] == [(0, 1), (4, 5), (8, 9)]
    assert chunks[-1].g1 == a.stat().st_size and chunks[-1].p1 == b.stat().st_size
    data = a.read_bytes()
    assert data[chunks[1].g0 : chunks[1].g1] == b'{"id":"4"}\n{"id":"5"}\n{"id":"6"}\n{"id":"7"}\n'
    c = _write(tmp_path / "c.jsonl", [b'{"id":"%d"}' % i for i in range(11)])
    with pytest.raises(parallel.NotLockstep):
        list(parallel._chunks(str(a), str(c), 4))
    d = _write(tmp_path / "d.jsonl", [b'{"id":"1"}', b"", b'{"id":"2"}'])
    with pytest.raises(parallel.NotLockstep):
        list(parallel._chunks(str(d), str(d), 4))


def test_cli_workers_same_report_and_same_error(
    files: tuple[Path, Path, list, list], tmp_path: Path
) -> None:
    g, p, _, pl = files
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"report{workers}.json"
        args = ["score", str(g), str(p), "--workers", workers, "--bootstrap", "50", "-o", str(out)]
        res = CliRunner().invoke(app, args)
        assert res.exit_code == 0, res.output
        outs.append(out.read_text(encoding="utf-8"))
    assert outs[0] == outs[1]
    lines = list(pl)
    lines[1500] = lines[1500].replace(b'"label":"ACTOR"', b'"label":"ACTR"', 1)
    bad = _write(tmp_path / "bad.jsonl", lines)
    messages = []
    for workers in ("1", "2"):
        out = tmp_path / f"bad{workers}.json"
        res = CliRunner().invoke(
            app, ["score", str(g), str(bad), "--workers", workers, "-o", str(out)]
        )
        assert res.exit_code != 0 and not out.exists()
        messages.append(res.output.strip())
    assert messages[0] == messages[1]
    assert messages[1].startswith("error: ") and ":1501:" in messages[1] and "ACTR" in messages[1]
    assert len(messages[1].splitlines()) == 1
