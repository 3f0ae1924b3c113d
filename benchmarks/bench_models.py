"""Prediction throughput of every baseline, in documents of 500 words per second on one core.

    .venv/bin/python benchmarks/bench_models.py [--quick] [--gold corpora/diplomacy/gold.jsonl]

Documents are 500-word windows cut from the bundled gold texts (real article prose, not
repeated sentences).  Each model is loaded first (load time reported apart), warmed up on a few
documents, then timed over the whole set; CPU time of this process is the one-core figure, wall
time is shown beside it because the machine is shared.  The trained models (``spacy``,
``stance``) are trained here on the gold first, with a small budget: their accuracy does not
matter for speed.  Peak RSS of each model is measured in a child process.

The issue's floor: the ``rules`` model must handle at least 200 such documents per second on
one core.  The reference for comparison is a bare spaCy blank English tokenizer + sentencizer
over the same documents: the ratio shows what the rules cost on top of tokenisation.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_GOLD = ROOT / "corpora" / "diplomacy" / "gold.jsonl"
FLOOR = 200.0


def make_docs(gold: Path, n: int, words: int = 500) -> list:
    from backchannel.documents import Document, read_documents

    texts = [d.text for d in read_documents(gold)]
    pool = " ".join(texts).split(" ")
    if len(pool) <= words:
        pool = pool * (words // max(len(pool), 1) + 2)
    step = max(1, (len(pool) - words) // max(n, 1))
    docs = []
    for k in range(n):
        off = (k * step + k * 7) % (len(pool) - words)
        docs.append(Document(id=f"b{k}", text=" ".join(pool[off : off + words])))
    return docs


def _child(model: str, model_dir: str | None, gold: str, n: int) -> dict:
    """Runs in a child process: load, warm up, time; prints one JSON line."""
    import resource

    docs = make_docs(Path(gold), n)
    started = time.perf_counter()
    if model == "tokenizer":
        import spacy

        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")

        def run(batch: list) -> None:
            for _ in nlp.pipe((d.text for d in batch), batch_size=64):
                pass
    else:
        from backchannel.eval.models.registry import load_model

        m = load_model(model, model_dir)

        def run(batch: list) -> None:
            for _ in m.predict(batch):
                pass

    load = time.perf_counter() - started
    run(docs[:10])
    wall0, cpu0 = time.perf_counter(), time.process_time()
    run(docs)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "model": model,
        "docs": len(docs),
        "load_s": load,
        "wall_s": wall,
        "cpu_s": cpu,
        "rss_mb": rss,
    }


def measure(model: str, model_dir: Path | None, gold: Path, n: int) -> dict:
    env = dict(
        os.environ,
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        BACKCHANNEL_NO_PROGRESS="1",
    )
    args = (str(Path(__file__).parent), model, str(model_dir) if model_dir else None, str(gold), n)
    code = (
        f"import json, sys; sys.path.insert(0, {args[0]!r}); import bench_models as b; "
        f"print(json.dumps(b._child({args[1]!r}, {args[2]!r}, {args[3]!r}, {args[4]})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--quick", action="store_true", help="fewer documents, 2 spaCy epochs")
    parser.add_argument("-n", type=int, default=None, help="documents to time")
    args = parser.parse_args(argv)
    if not args.gold.is_file():
        print(f"error: {args.gold}: no such gold file", file=sys.stderr)
        return 1
    n = args.n or (200 if args.quick else 1000)
    from backchannel.eval.models.registry import TrainOptions
    from backchannel.eval.train import train

    rows = []
    with tempfile.TemporaryDirectory(prefix="backchannel-bench-") as tmpname:
        tmp = Path(tmpname)
        opts = TrainOptions(epochs=2 if args.quick else 5, progress=False)
        train("spacy", args.gold, tmp / "spacy", options=opts)
        train("stance", args.gold, tmp / "stance", options=opts)
        plan = [
            ("tokenizer", None),
            ("rules", None),
            ("spacy", tmp / "spacy"),
            ("stance", tmp / "stance"),
        ]
        for model, model_dir in plan:
            rows.append(measure(model, model_dir, args.gold, n if model != "spacy" else n // 4))
    base = rows[0]["docs"] / rows[0]["cpu_s"]
    print(
        "| Model | docs/s (1 core, CPU time) | docs/s (wall) | vs tokenizer | load s | "
        "peak RSS MB |"
    )
    print("|---|---|---|---|---|---|")
    for r in rows:
        cpu_rate = r["docs"] / r["cpu_s"]
        wall_rate = r["docs"] / r["wall_s"]
        name = (
            "spaCy tokenizer + sentencizer (reference)"
            if r["model"] == "tokenizer"
            else (r["model"])
        )
        print(
            f"| {name} | {cpu_rate:,.0f} | {wall_rate:,.0f} | {cpu_rate / base:.2f}x | "
            f"{r['load_s']:.2f} | {r['rss_mb']:.0f} |"
        )
    rules = next(r for r in rows if r["model"] == "rules")
    rate = rules["docs"] / rules["cpu_s"]
    verdict = "meets" if rate >= FLOOR else "MISSES"
    print(
        f"\nDocuments of 500 words, {rows[1]['docs']} per model ({rows[2]['docs']} for spacy); "
        f"the rules model {verdict} the floor of {FLOOR:.0f} docs/s on one core ({rate:,.0f}). "
        "Shared 2-core machine: timings are noisy."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
