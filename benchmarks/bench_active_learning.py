"""A simulated annotator: span F1 against documents annotated, random order against uncertainty.

    .venv/bin/python benchmarks/bench_active_learning.py [--quick] [--out DIR] [--plot FILE]

The bundled gold (42 articles) is shuffled once (``--split-seed``); ``--test`` articles are the
fixed test set, the rest is the unlabelled pool.  The simulated annotator labels the pool one
batch of ``--batch`` documents at a time (its label is the gold), and after each batch the
``spacy`` spancat model is retrained from scratch on everything labelled so far
(``--epochs``, otherwise the shipped training: ``backchannel train --model spacy``) and scored on
the test set with ``backchannel score``'s scorer (strict span F1, micro, 95% bootstrap interval
over test documents).  Two orders:

- **random**: the pool in a seeded random order;
- **uncertainty**: the same first batch as the random run of that seed (there is no model to
  ask yet), then at each step the current model predicts the rest of the pool and the batch
  with the highest ``U`` (mean span entropy, ``annotation/labelstudio/ranking.py``: the score
  ``studio rank`` and the ML backend serve) is labelled next.

Each order runs with every seed of ``--seeds``; the table gives, per number of documents
annotated, the mean F1 over seeds with the bootstrap interval of each run (the mean of the
runs' lower and upper bounds), and the spread over seeds.  ``--quick`` is a smoke test of a few
seconds: 4 pool documents, 2 test documents, batches of 2, one seed, one epoch.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_GOLD = ROOT / "corpora" / "diplomacy" / "gold.jsonl"
FIGURE = "spans.micro.strict.f1"


def write_jsonl(path: Path, docs: list[Any]) -> Path:
    import msgspec

    path.write_bytes(b"".join(msgspec.json.encode(d) + b"\n" for d in docs))
    return path


def bare(doc: Any) -> Any:
    """The unlabelled form of a gold document: what the model sees in the pool."""
    from backchannel.documents import Document

    return Document(id=doc.id, text=doc.text)


def train_and_score(
    labelled: list[Any], test: list[Any], pool: list[Any], tmp: Path, step: str, args: Any
) -> tuple[dict[str, Any], dict[str, float]]:
    """Train spacy on ``labelled``; F1 on ``test``; ``U`` of every document of ``pool``."""
    from backchannel.annotation.labelstudio.ranking import informativeness
    from backchannel.eval.models.registry import TrainOptions, load_model
    from backchannel.eval.predict import declared
    from backchannel.eval.scoring.scorer import score
    from backchannel.eval.train import train

    gold_path = write_jsonl(tmp / f"{step}-gold.jsonl", labelled)
    out_dir = tmp / f"{step}-model"
    opts = TrainOptions(epochs=args.epochs, seed=args.train_seed, progress=False)
    train("spacy", gold_path, out_dir, options=opts)
    model = load_model("spacy", out_dir)
    preds = list(declared(model, model.predict([bare(d) for d in test + pool])))
    test_preds, pool_preds = preds[: len(test)], preds[len(test) :]
    pred_path = write_jsonl(tmp / f"{step}-pred.jsonl", test_preds)
    res = score(tmp / "test.jsonl", pred_path, bootstrap=args.bootstrap, seed=13)
    low, high = res.interval(FIGURE)
    point = {"f1": res.value(FIGURE), "low": low, "high": high}
    return point, {p.id: informativeness(p) for p in pool_preds}


def run(
    order: str, seed: int, pool: list[Any], test: list[Any], tmp: Path, args: Any
) -> list[dict[str, Any]]:
    """One simulated annotator: the learning curve of ``order`` with ``seed``."""
    remaining = sorted(pool, key=lambda d: d.id)
    random.Random(seed).shuffle(remaining)
    labelled: list[Any] = []
    curve = []
    uncertainty: dict[str, float] = {}
    while remaining:
        if order == "uncertainty" and uncertainty:
            # most uncertain first; the random order breaks ties (e.g. two empty predictions)
            rank = {d.id: k for k, d in enumerate(remaining)}
            remaining.sort(key=lambda d: (-uncertainty[d.id], rank[d.id]))
        batch, remaining = remaining[: args.batch], remaining[args.batch :]
        labelled += batch
        started = time.perf_counter()
        step = f"{order}-s{seed}-n{len(labelled)}"
        point, uncertainty = train_and_score(labelled, test, remaining, tmp, step, args)
        point.update(order=order, seed=seed, documents=len(labelled))
        point["seconds"] = round(time.perf_counter() - started, 1)
        curve.append(point)
        f1 = "-" if point["f1"] is None else f"{point['f1']:.3f}"
        print(f"{step}: F1 {f1} ({point['seconds']} s)", file=sys.stderr, flush=True)
    return curve


def summarise(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per (order, documents): mean F1 over seeds, mean interval bounds, min and max."""
    groups: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for p in points:
        groups.setdefault((p["order"], p["documents"]), []).append(p)

    def mean(values: list[Any]) -> float | None:
        vals = [v for v in values if v is not None]
        return sum(vals) / len(vals) if vals else None

    rows = []
    for (order, n), ps in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        f1s = [p["f1"] or 0.0 for p in ps]
        rows.append(
            {
                "order": order,
                "documents": n,
                "runs": len(ps),
                "f1": mean(f1s),
                "low": mean([p["low"] for p in ps]),
                "high": mean([p["high"] for p in ps]),
                "min": min(f1s),
                "max": max(f1s),
            }
        )
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    """The learning curve as a Markdown table, one line per number of documents."""

    def fmt(x: float | None) -> str:
        return "-" if x is None else f"{x:.3f}"

    by_n: dict[int, dict[str, dict[str, Any]]] = {}
    for r in rows:
        by_n.setdefault(r["documents"], {})[r["order"]] = r
    lines = [
        "| Documents annotated | Random: F1 [95% CI] (min–max over seeds) "
        "| Uncertainty: F1 [95% CI] (min–max over seeds) |",
        "|---|---|---|",
    ]
    for n in sorted(by_n):
        cells = []
        for order in ("random", "uncertainty"):
            r = by_n[n].get(order)
            cells.append(
                "-"
                if r is None
                else f"{fmt(r['f1'])} [{fmt(r['low'])}, {fmt(r['high'])}] "
                f"({fmt(r['min'])}–{fmt(r['max'])})"
            )
        lines.append(f"| {n} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


def plot(rows: list[dict[str, Any]], path: Path, title: str) -> None:
    """The learning curves with their mean bootstrap intervals as bands."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=110)
    for order, colour in (("random", "tab:blue"), ("uncertainty", "tab:orange")):
        rs = [r for r in rows if r["order"] == order]
        xs = [r["documents"] for r in rs]
        ax.plot(xs, [r["f1"] for r in rs], marker="o", color=colour, label=order)
        ax.fill_between(
            xs,
            [r["low"] if r["low"] is not None else 0.0 for r in rs],
            [r["high"] if r["high"] is not None else 0.0 for r in rs],
            color=colour,
            alpha=0.15,
        )
    ax.set_xlabel("documents annotated")
    ax.set_ylabel("strict span F1 on the test set")
    ax.set_ylim(0, 1)
    ax.set_title(title, fontsize=9)
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--quick", action="store_true", help="a smoke test of a few seconds")
    parser.add_argument("--test", type=int, default=12, help="test articles (held out)")
    parser.add_argument("--pool", type=int, default=None, help="pool size (default: the rest)")
    parser.add_argument("--batch", type=int, default=3, help="documents per annotation batch")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--epochs", type=int, default=5, help="spaCy epochs per retraining")
    parser.add_argument("--train-seed", type=int, default=0)
    parser.add_argument("--split-seed", type=int, default=0)
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=None, help="write curve.json and table.md")
    parser.add_argument("--plot", type=Path, default=None, help="write the PNG plot here")
    args = parser.parse_args(argv)
    if args.quick:
        args.test, args.pool, args.batch, args.seeds = 2, 4, 2, args.seeds[:1]
        args.epochs, args.bootstrap = 1, 50
    if not args.gold.is_file():
        print(f"error: {args.gold}: no such gold file", file=sys.stderr)
        return 1
    from backchannel.documents import read_documents

    gold = sorted(read_documents(args.gold), key=lambda d: d.id)
    random.Random(args.split_seed).shuffle(gold)
    test, pool = gold[: args.test], gold[args.test :]
    if args.pool is not None:
        pool = pool[: args.pool]
    if args.batch < 2 or len(pool) < args.batch:
        print("error: need --batch >= 2 (spacy trains on 2 documents at least)", file=sys.stderr)
        return 1
    started = time.perf_counter()
    points: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="backchannel-al-") as tmpname:
        tmp = Path(tmpname)
        write_jsonl(tmp / "test.jsonl", test)
        for seed in args.seeds:
            for order in ("random", "uncertainty"):
                points += run(order, seed, pool, test, tmp, args)
    rows = summarise(points)
    md = table(rows)
    setup = (
        f"spacy spancat, {args.epochs} epochs per retraining; {len(test)} test and "
        f"{len(pool)} pool articles; batches of {args.batch}; seeds {args.seeds}"
    )
    print(md)
    print(f"\n{setup}; {time.perf_counter() - started:.0f} s in all", file=sys.stderr)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "curve.json").write_text(
            json.dumps({"setup": setup, "points": points, "rows": rows}, indent=1) + "\n",
            encoding="utf-8",
        )
        (args.out / "table.md").write_text(md + "\n", encoding="utf-8")
    if args.plot is not None:
        plot(rows, args.plot, setup)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
