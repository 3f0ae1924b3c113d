"""Label Studio round trip at scale: batched push vs one request per task, snapshot pull vs paging.

    .venv/bin/python benchmarks/bench_studio.py [--quick] [--tasks N] [--naive-sample N]

Starts its own local Label Studio (same code as ``backchannel studio up``) in a throwaway data
directory, then measures on the same machine:

- **push**: ``backchannel.annotation.labelstudio.push.push`` of N documents, each with one
  prediction (pre-annotation), into an empty project, against a naive loop that sends one import
  request per task (with its prediction).  The naive loop is timed on a sample
  (``--naive-sample``, 300 by default) and its rate extrapolated: at ~30 ms per request the full
  10,000 would take minutes and tell nothing more.
- **pull**: ``pull`` (one export snapshot, converted to Documents and written as JSONL) of N
  annotated tasks, against paging through the tasks API (``tasks.list(fields="all")``, 100 per
  page) and converting the same annotations.

The annotated project is built by importing tasks with their annotations inline (fast), so the
benchmark measures reading, not the setup.  Floors (exit status 1 when missed): push at least
20x the naive loop, snapshot pull at least 2x paging.  Timings are from a shared 2-core machine:
compare ratios, not absolute figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

from backchannel.annotation.labelstudio import convert, regions
from backchannel.annotation.labelstudio.api import Studio
from backchannel.annotation.labelstudio.connection import Connection
from backchannel.annotation.labelstudio.credentials import seed_credentials
from backchannel.annotation.labelstudio.probe import free_port
from backchannel.annotation.labelstudio.pull import pull
from backchannel.annotation.labelstudio.push import push
from backchannel.annotation.labelstudio.server import start_server, stop_server
from backchannel.documents import Document, Relation, Span
from backchannel.schema import load_schema

PUSH_FLOOR = 20.0
PULL_FLOOR = 2.0
BENCH_CREDS = (
    "admin@backchannel.test",
    "backchannel-test-password",
    "0123456789abcdef" * 2 + "01234567",
)


def make_docs(n: int) -> list[Document]:
    """Small realistic articles: an emoji, a line break, four spans, two relations."""
    docs = []
    for i in range(n):
        text = (
            f"Report {i} 🌍: President Anna Reyes phoned the Kremlin on Monday.\n"
            f"Talks about the grain deal continued in Geneva, officials said ({i})."
        )

        def at(word: str, sid: str, label: str, text: str = text, **attrs: str) -> Span:
            s = text.index(word)
            return Span(id=sid, start=s, end=s + len(word), label=label, attrs=attrs)

        spans = [
            at("President Anna Reyes", "s1", "ACTOR", actor_kind="person"),
            at("phoned", "s2", "CHANNEL", channel_kind="phone_call", modality="actual"),
            at("the Kremlin", "s3", "ACTOR", actor_kind="government"),
            at("Geneva", "s4", "VENUE"),
        ]
        rels = [
            Relation(head="s2", tail="s1", label="PARTICIPANT", attrs={"role": "initiator"}),
            Relation(head="s2", tail="s3", label="PARTICIPANT", attrs={"role": "recipient"}),
        ]
        docs.append(
            Document(
                id=f"bench-{i:06d}",
                text=text,
                spans=spans,
                relations=rels,
                doc_labels={"relevant": "yes"},
            )
        )
    return docs


def bench_push(studio: Studio, docs: list[Document], sample: int) -> tuple[float, float]:
    schema = load_schema()
    preds = {d.id: [d] for d in docs}
    t0 = time.perf_counter()
    res = push(
        studio,
        f"push-{uuid.uuid4().hex[:6]}",
        docs,
        schema,
        predictions=preds,
        model_version="bench",
    )
    batched = time.perf_counter() - t0
    assert res.created == len(docs) and res.predictions_created == len(docs), res

    pid, _ = studio.ensure_project(f"naive-{uuid.uuid4().hex[:6]}", schema)
    sample_docs = docs[:sample]
    t0 = time.perf_counter()
    for d in sample_docs:  # one request per task, prediction inline
        studio.import_tasks(pid, [convert.document_to_task(d, [d], "bench")])
    naive = time.perf_counter() - t0
    return len(docs) / batched, len(sample_docs) / naive


def build_annotated(studio: Studio, docs: list[Document]) -> tuple[str, int]:
    schema = load_schema()
    title = f"pull-{uuid.uuid4().hex[:6]}"
    pid, _ = studio.ensure_project(title, schema)
    for start in range(0, len(docs), 1000):
        batch = []
        for d in docs[start : start + 1000]:
            task = convert.document_to_task(d)
            task["annotations"] = [
                {"result": regions.document_to_result(d), "ground_truth": False, "lead_time": 3.0}
            ]
            batch.append(task)
        studio.import_tasks(pid, batch)
    return title, pid


def bench_pull(studio: Studio, title: str, pid: int, n: int, workdir: Path) -> tuple[float, float]:
    schema = load_schema()
    t0 = time.perf_counter()
    res = pull(studio, title, workdir / "pulled.jsonl", schema)
    snap = time.perf_counter() - t0
    assert res.documents == n, res

    users = studio.users()
    t0 = time.perf_counter()
    count = 0
    for task in studio.sdk.tasks.list(project=pid, fields="all", page_size=100):
        raw = task.dict() if hasattr(task, "dict") else dict(task)
        raw = {"id": task.id, "data": task.data, "annotations": raw.get("annotations") or []}
        count += len(convert.task_documents(raw, users=users, schema=schema).documents)
    paging = time.perf_counter() - t0
    assert count == n, count
    return n / snap, n / paging


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1,000 tasks, naive sample of 100")
    ap.add_argument("--tasks", type=int, default=None)
    ap.add_argument("--naive-sample", type=int, default=None)
    args = ap.parse_args()
    n = args.tasks or (1000 if args.quick else 10_000)
    sample = args.naive_sample or (100 if args.quick else 300)

    workdir = Path(tempfile.mkdtemp(prefix="bench-studio-"))
    data_dir = workdir / "ls"
    seed_credentials(data_dir, *BENCH_CREDS)
    print(f"starting Label Studio in {data_dir} …", file=sys.stderr)
    info = start_server(
        port=free_port(), data_dir=data_dir, say=lambda m: print(m, file=sys.stderr)
    )
    try:
        studio = Studio(Connection(info.url, info.token()))
        docs = make_docs(n)
        print(f"push: {n} tasks with predictions …", file=sys.stderr)
        push_rate, naive_rate = bench_push(studio, docs, sample)
        print(f"building {n} annotated tasks …", file=sys.stderr)
        title, pid = build_annotated(studio, docs)
        print("pull: snapshot vs paging …", file=sys.stderr)
        snap_rate, page_rate = bench_pull(studio, title, pid, n, workdir)
    finally:
        stop_server(info.data_dir)
        shutil.rmtree(workdir, ignore_errors=True)

    push_ratio, pull_ratio = push_rate / naive_rate, snap_rate / page_rate
    print(
        f"\nLabel Studio 1.23.2, {n} tasks; {platform.machine()}, {os.cpu_count()} CPUs (shared)\n"
    )
    rows = [
        (
            f"push {n} with predictions",
            "batched import (ours, 500 per request)",
            push_rate,
            f"{push_ratio:.1f}x",
            f"{PUSH_FLOOR:.0f}x",
        ),
        (
            "",
            f"naive: one import request per task (sample of {sample}, extrapolated)",
            naive_rate,
            "1.0x",
            "",
        ),
        (
            f"pull {n} annotated",
            "export snapshot + convert + write (ours)",
            snap_rate,
            f"{pull_ratio:.1f}x",
            f"{PULL_FLOOR:.0f}x",
        ),
        ("", "paging the tasks API (fields=all, 100 per page) + convert", page_rate, "1.0x", ""),
    ]
    print("| operation | method | tasks/s | ratio | floor |")
    print("|---|---|---:|---:|---:|")
    for op, method, rate, ratio, floor in rows:
        print(f"| {op} | {method} | {rate:,.0f} | {ratio} | {floor} |")
    ok = push_ratio >= PUSH_FLOOR and pull_ratio >= PULL_FLOOR
    verdict = "met" if ok else "MISSED"
    print(
        f"\nfloors {verdict}: push {push_ratio:.1f}x >= {PUSH_FLOOR:.0f}x, "
        f"pull {pull_ratio:.1f}x >= {PULL_FLOOR:.0f}x"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
