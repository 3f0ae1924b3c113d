"""Honest figures for the baselines: k-fold cross-validation by article on the bundled gold.

Every article is predicted exactly once, by a model that never saw it in training (the rules
model trains on nothing, so its folds only matter for symmetry).  The predictions of all folds
are pooled and scored once with :func:`backchannel.eval.scoring.scorer.score`, whose bootstrap over
documents gives the 95% intervals.  Prints a Markdown table for the README.

    .venv/bin/python benchmarks/evaluate_models.py [--folds 5] [--epochs 12] [--quick]
        [--gold corpora/diplomacy/gold.jsonl] [--json out/model_scores.json]

Rows:
* ``rules``: no training.
* ``spacy``: spancat trained on the other folds, with its learned attribute and relation heads
  (docs/models.md); ``Attributes`` is the pooled attribute accuracy on strictly matched spans.
* ``stance (gold mentions)``: the stance classifier given the gold ACTOR/ISSUE spans: stance
  classification alone.  Its span columns are the gold's own spans, hence blank.
* ``stance (rules mentions)``: the same classifier on the rules model's spans: end to end.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from backchannel.atomic import atomic_write
from backchannel.documents import Document, read_documents, write_documents
from backchannel.eval.models.registry import TrainOptions
from backchannel.eval.predict import predict
from backchannel.eval.scoring.scorer import score
from backchannel.eval.train import train

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_GOLD = ROOT / "corpora" / "diplomacy" / "gold.jsonl"

COLUMNS = [
    ("Spans F1", "spans.micro.strict.f1", True),
    ("ACTOR", "spans.per_label.ACTOR.strict.f1", False),
    ("CHANNEL", "spans.per_label.CHANNEL.strict.f1", False),
    ("VENUE", "spans.per_label.VENUE.strict.f1", False),
    ("ISSUE", "spans.per_label.ISSUE.strict.f1", False),
    ("PARTICIPANT", "relations.per_label.PARTICIPANT.strict.f1", False),
    ("Relations F1", "relations.micro.strict.f1", True),
    ("Attributes", "attributes.micro.accuracy", True),
    ("Stance F1", "stance.with_polarity.f1", True),
    ("F_avg", "stance.polarity.f_avg", False),
]


def folds_by_article(docs: list[Document], k: int, seed: int) -> list[list[Document]]:
    """Split documents (articles) into ``k`` folds, seeded; never splits an article."""
    order = sorted(docs, key=lambda d: d.id)
    random.Random(seed).shuffle(order)
    return [order[i::k] for i in range(k)]


def _fmt(value: float | None, interval: tuple[float | None, float | None] | None) -> str:
    if value is None:
        return "–"
    text = f"{value:.3f}"
    if interval is not None and interval[0] is not None and interval[1] is not None:
        text += f" [{interval[0]:.2f}, {interval[1]:.2f}]"
    return text


def evaluate(gold: Path, folds: int, epochs: int, seed: int, bootstrap: int) -> dict:
    docs = list(read_documents(gold))
    if len(docs) < folds:
        raise SystemExit(f"{gold}: {len(docs)} documents, fewer than {folds} folds")
    parts = folds_by_article(docs, folds, seed)
    runs = ["rules", "spacy", "stance (gold mentions)", "stance (rules mentions)"]
    preds: dict[str, list[Path]] = {r: [] for r in runs}
    seconds: dict[str, float] = dict.fromkeys(runs, 0.0)
    with tempfile.TemporaryDirectory(prefix="backchannel-cv-") as tmpname:
        tmp = Path(tmpname)
        for i, test in enumerate(parts):
            train_docs = [d for j, p in enumerate(parts) if j != i for d in p]
            fold = tmp / f"fold{i}"
            fold.mkdir()
            write_documents(train_docs, fold / "train.jsonl")
            write_documents(test, fold / "test.jsonl")
            print(
                f"fold {i + 1}/{folds}: train {len(train_docs)}, test {len(test)}",
                file=sys.stderr,
                flush=True,
            )
            started = time.perf_counter()
            predict("rules", fold / "test.jsonl", fold / "rules.jsonl", progress=False)
            seconds["rules"] += time.perf_counter() - started
            preds["rules"].append(fold / "rules.jsonl")
            started = time.perf_counter()
            opts = TrainOptions(seed=seed, epochs=epochs, progress=False)
            train("spacy", fold / "train.jsonl", fold / "spacy", options=opts)
            predict(
                "spacy",
                fold / "test.jsonl",
                fold / "spacy.jsonl",
                model_dir=fold / "spacy",
                progress=False,
            )
            seconds["spacy"] += time.perf_counter() - started
            preds["spacy"].append(fold / "spacy.jsonl")
            started = time.perf_counter()
            train("stance", fold / "train.jsonl", fold / "stance", options=opts)
            predict(
                "stance",
                fold / "test.jsonl",
                fold / "stance_gold.jsonl",
                model_dir=fold / "stance",
                progress=False,
            )
            predict(
                "stance",
                fold / "rules.jsonl",
                fold / "stance_rules.jsonl",
                model_dir=fold / "stance",
                progress=False,
            )
            seconds["stance (gold mentions)"] += time.perf_counter() - started
            preds["stance (gold mentions)"].append(fold / "stance_gold.jsonl")
            preds["stance (rules mentions)"].append(fold / "stance_rules.jsonl")
        results = {}
        for run, files in preds.items():
            pooled = tmp / f"{run.replace(' ', '_')}.jsonl"
            write_documents((d for f in files for d in read_documents(f)), pooled)
            result = score(gold, pooled, bootstrap=bootstrap, seed=seed)
            row = {}
            for _, key, _ in COLUMNS:
                row[key] = result.value(key)
                row[key + ".ci"] = result.intervals.get(key)
            if run.startswith("stance"):
                # stance rows add only STANCE relations: other relation figures mean nothing
                for _, key, _ in COLUMNS[5:8]:
                    row[key] = None
            if run == "stance (gold mentions)":
                for _, key, _ in COLUMNS[:5]:
                    row[key] = None
            row["seconds"] = round(seconds[run], 1)
            results[run] = row
    return {
        "documents": len(docs),
        "folds": folds,
        "epochs": epochs,
        "seed": seed,
        "bootstrap": bootstrap,
        "results": results,
    }


def markdown(report: dict) -> str:
    head = ["Model", *(c[0] for c in COLUMNS)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for run, row in report["results"].items():
        cells = [run]
        for _, key, with_ci in COLUMNS:
            cells.append(_fmt(row[key], row.get(key + ".ci") if with_ci else None))
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        f"{report['folds']}-fold cross-validation by article on {report['documents']} gold "
        f"articles (seed {report['seed']}, spaCy {report['epochs']} epochs); strict matching; "
        f"95% bootstrap intervals over documents ({report['bootstrap']} resamples)."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="3 folds, 3 epochs, 200 resamples")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    if args.quick:
        args.folds, args.epochs, args.bootstrap = 3, 3, 200
    if not args.gold.is_file():
        print(f"error: {args.gold}: no such gold file", file=sys.stderr)
        return 1
    report = evaluate(args.gold, args.folds, args.epochs, args.seed, args.bootstrap)
    print(markdown(report))
    if args.json:
        with atomic_write(args.json) as fh:
            json.dump(report, fh, indent=2)
            fh.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
