"""Benchmark: rules ``predict`` and ``score`` over sharded corpora, serial vs a Dask cluster.

Usage::

    .venv/bin/python benchmarks/bench_cluster.py [--quick] [--docs N] [--shards K]
        [--predict-docs M] [--kinds predict,score,noop]

Generates N gold documents (default 200,000; ``--quick`` 4,000) and M articles (default N) by
replicating the bundled diplomacy articles and gold with distinct ids (cheap: bytes replaced,
nothing re-encoded), in K shards; the predictions that ``score`` reads are the rules model's
predictions of the bundled gold, replicated the same way.  Then times, each in a fresh child
process:

* ``predict --model rules`` serially in-process on the concatenated file, and over the shard
  folder on a LocalCluster of 1 and 2 worker processes (``-o FOLDER/``);
* ``score`` (counting only: ``--bootstrap 0``) serially on the concatenated files and over the
  shard folders on 1 and 2 workers;
* the scheduler's own cost per task: 2,000 no-op tasks through the same ``run_tasks``.

Reports documents per second, the ratio to the serial run, peak RSS of the main process and of
each worker, and the cluster start-up time.  Prints a Markdown table.  The machine of record
has 2 cores shared with other jobs: compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "corpora" / "diplomacy" / "articles.jsonl"
GOLD = ROOT / "corpora" / "diplomacy" / "gold.jsonl"


def _replicate(src: Path, folder: Path, n_docs: int, shards: int) -> None:
    """``n_docs`` copies of ``src``'s lines, ids suffixed ``-k``, in ``shards`` files."""
    lines = [line for line in src.read_bytes().splitlines() if line.strip()]
    ids = [json.loads(line)["id"] for line in lines]
    folder.mkdir(parents=True, exist_ok=True)
    per = -(-n_docs // shards)
    made = 0
    for s in range(shards):
        with open(folder / f"shard-{s:04d}.jsonl", "wb") as fh:
            buf = []
            for _ in range(min(per, n_docs - made)):
                k, i = divmod(made, len(lines))
                old = f'"id":"{ids[i]}"'.encode()
                buf.append(lines[i].replace(old, f'"id":"{ids[i]}-{k}"'.encode(), 1))
                made += 1
            fh.write(b"\n".join(buf) + b"\n")


def _concat(folder: Path, target: Path) -> None:
    with open(target, "wb") as out:
        for shard in sorted(folder.glob("*.jsonl")):
            with open(shard, "rb") as fh:
                shutil.copyfileobj(fh, out, 2**20)


# -- child side ----------------------------------------------------------------------------------
def _peak_mib() -> float:
    """This process's own peak RSS (VmHWM), in MiB.

    Not ``ru_maxrss``: on Linux that survives ``execve`` and so starts at the RSS of the parent
    that forked this process (the benchmark's own process, or the worker's nanny).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(job: dict) -> dict:
    from backchannel.cluster import open_client
    from backchannel.eval.predict import predict, predict_pieces
    from backchannel.eval.scoring.scorer import score

    out: dict = {}
    if job["workers"] == 0:
        started = time.perf_counter()
        if job["kind"] == "predict":
            predict("rules", job["input"], job["output"], progress=False)
        else:
            score(job["gold"], job["pred"], bootstrap=0, workers=1)
        out["seconds"] = time.perf_counter() - started
        out["worker_rss"] = []
    else:
        t0 = time.perf_counter()
        with open_client(f"local:{job['workers']}") as client:
            out["startup"] = time.perf_counter() - t0
            started = time.perf_counter()
            if job["kind"] == "predict":
                predict_pieces("rules", job["input"], job["output"], cluster=client,
                               progress=False)  # fmt: skip
            elif job["kind"] == "score":
                score(job["gold"], job["pred"], bootstrap=0, cluster=client)
            else:
                from backchannel.cluster import run_tasks

                run_tasks(client, _noop, list(range(job["tasks"])), description="noop",
                          progress=False)  # fmt: skip
            out["seconds"] = time.perf_counter() - started
            out["worker_rss"] = sorted(client.run(_peak_mib).values())
    out["main_rss"] = _peak_mib()
    return out


def _noop(x: int) -> int:
    return x


def _run(job: dict) -> dict:
    here = str(Path(__file__).parent)
    code = (
        f"import json, sys; sys.path.insert(0, {here!r}); import bench_cluster as b; "
        "print(json.dumps(b._child(json.loads(sys.argv[1]))))"
    )
    res = subprocess.run(
        [sys.executable, "-c", code, json.dumps(job)], capture_output=True, text=True, check=False
    )
    if res.returncode != 0:
        raise SystemExit(res.stderr)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="4,000 documents, 4 shards")
    ap.add_argument("--docs", type=int, default=None)
    ap.add_argument("--shards", type=int, default=None)
    ap.add_argument("--tasks", type=int, default=2000, help="no-op tasks for the overhead")
    ap.add_argument("--predict-docs", type=int, default=None,
                    help="documents for the predict runs (default: --docs)")  # fmt: skip
    ap.add_argument("--kinds", default="predict,score,noop", help="which runs, comma-separated")
    args = ap.parse_args()
    from backchannel.eval.predict import predict

    kinds = args.kinds.split(",")
    n = args.docs or (4000 if args.quick else 200_000)
    n_predict = args.predict_docs or n
    shards = args.shards or (4 if args.quick else 20)
    os.environ["BACKCHANNEL_NO_PROGRESS"] = "1"
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        base = Path(tmp)
        t0 = time.perf_counter()
        _replicate(ARTICLES, base / "articles", n_predict, shards)
        _replicate(GOLD, base / "gold", n, shards)
        _concat(base / "articles", base / "articles.jsonl")
        _concat(base / "gold", base / "gold.jsonl")
        gen = time.perf_counter() - t0
        # predictions for the score runs: rules run once on the bundled gold, replicated with
        # the same ids as the gold (the rules are deterministic: the same text gives the same
        # prediction), so score's input costs seconds, not a 200,000-document predict
        predict("rules", GOLD, base / "pred-one.jsonl", progress=False)
        _replicate(base / "pred-one.jsonl", base / "pred", n, shards)
        _concat(base / "pred", base / "pred.jsonl")
        size = sum(p.stat().st_size for p in (base / "articles").glob("*.jsonl")) / 2**20
        gsize = sum(p.stat().st_size for p in (base / "gold").glob("*.jsonl")) / 2**20
        print(f"{n:,} gold documents ({n_predict:,} articles) in {shards} shards; articles "
              f"{size:.0f} MiB, gold {gsize:.0f} MiB; generated in {gen:.1f} s\n",
              flush=True)  # fmt: skip
        print(
            "| run | workers | seconds | docs/s | vs serial | start-up s | main RSS MiB "
            "| worker RSS MiB |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for kind in [k for k in ("predict", "score") if k in kinds]:
            serial = None
            docs = n_predict if kind == "predict" else n
            for workers in (0, 1, 2):
                job = {"kind": kind, "workers": workers}
                if kind == "predict":
                    src = base / "articles.jsonl" if workers == 0 else base / "articles"
                    dst = base / f"out{workers}.jsonl" if workers == 0 else f"{base}/out{workers}/"
                    job.update(input=str(src), output=str(dst))
                else:
                    suffix = ".jsonl" if workers == 0 else ""
                    job.update(gold=str(base / f"gold{suffix}"), pred=str(base / f"pred{suffix}"))
                r = _run(job)
                serial = serial or r["seconds"]
                wrss = ", ".join(f"{x:.0f}" for x in r["worker_rss"]) or "-"
                start = f"{r['startup']:.1f}" if "startup" in r else "-"
                print(f"| {kind} {docs:,} | {workers or 'serial'} | {r['seconds']:.1f} | "
                      f"{docs / r['seconds']:,.0f} | {serial / r['seconds']:.2f} | {start} | "
                      f"{r['main_rss']:.0f} | {wrss} |", flush=True)  # fmt: skip
            if kind == "predict":
                a = (base / "out0.jsonl").read_bytes()
                b = b"".join(p.read_bytes() for p in sorted((base / "out2").glob("*.jsonl")))
                assert a == b, "cluster output differs from the serial run"
        for workers in (1, 2) if "noop" in kinds else ():
            r = _run({"kind": "noop", "workers": workers, "tasks": args.tasks})
            print(f"| no-op tasks | {workers} | {r['seconds']:.2f} | - | - | - | - | "
                  f"{1000 * r['seconds'] / args.tasks:.2f} ms/task |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
