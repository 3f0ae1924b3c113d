"""Honest figures on real text: the issue-17 floors on ``corpora/realnews``, by source.

    .venv/bin/python benchmarks/evaluate_realnews.py [--epochs 8] [--no-spacy] [--bootstrap 1000]
        [--json out/realnews_scores.json]

How tuning and testing were kept apart (five rounds; each held-out set scored once, then
given to development, except the last):

1. The rules were developed looking only at the U.S. Department of State and Department of
   Defense releases; gov.uk, Wikinews and Treasury were then scored once.
2. gov.uk's errors were then looked at and the rules fixed; Wikinews and Treasury (articles
   027-030, 035-036) were scored once more.  Two floors were unmet there.
3. Round 3: all of articles 001-040 (five sources) became the development set and their errors
   were read.  Meanwhile two engineers who never saw the rules' code or output added articles
   041-048 (Wikinews, 2004 and 2019-2020) and 053-064 (Australian Prime Minister, USTR,
   Department of Commerce, Department of Energy: four sources new to the corpus) and made
   their gold blind.  The error-analysis scripts skipped them and the rules were frozen
   before they were scored, once: person recall 0.911, person precision 0.735, ACTOR F1
   0.735, CHANNEL F1 0.807 (docs/models.md has the table).  Three floors unmet.
4. Round 4: articles 041-064 then joined the development set (their errors were read and the
   rules fixed), and two more engineers, again blind to the rules, made the gold of articles
   065-088 (Wikinews 2019-2020; Homeland Security, Agriculture, New Zealand Government).
   Scored once: person recall 0.986, person precision 0.858, ACTOR F1 0.734, CHANNEL F1
   0.722.  The two person floors met; ACTOR and CHANNEL F1 not.
5. Round 5: articles 065-088 joined the development set the same way, and articles 089-092
   (Wikinews 2007-2010) and 101-112 (seven US federal sources new to the corpus) were made
   blind.  Scored once: person recall 0.821, person precision 0.836, ACTOR F1 0.717,
   CHANNEL F1 0.791.  No floor met.  Their errors have not been read: they stay the blind set
   (:data:`~backchannel.eval.scoring.floors.FIRST_HELD_OUT`) for whoever improves the rules
   next.

The floors test (``tests/models/test_realnews_floors.py``) checks the current held-out set.
Rows:

* ``rules``: no training; on the development set, on the held-out set and on each of its two
  halves (Wikinews, government sources new to the corpus).
* ``capitalised tokens``: a trivial baseline, every run of capitalised words not starting a
  sentence is a person ACTOR; it shows what capitalisation alone buys.
* ``spacy (leave one source out)``: for each source, spancat trained on the bundled corpus plus
  every other real-news source, tested on the held-out source; the predictions of all runs are
  pooled and scored once, on all articles and on the held-out set.
* ``rules, bundled corpus``: the rules on ``corpora/diplomacy`` (the team-written corpus), for
  comparison.

A second table gives, for the pooled leave-one-source-out ``spacy`` predictions (and the rules
on all sources beside them), what the span table leaves out: attribute accuracy on strictly
matched spans and relation F1 (strict and boundaries), from the full scorer
(:func:`backchannel.eval.scoring.scorer.score`), each with its bootstrap interval.

Every figure comes from :func:`backchannel.eval.scoring.floors.floor_figures` (overlap one-to-one
matching, the scorer's ``type`` schema per label; person figures on the person ACTORs alone)
with 95% percentile-bootstrap intervals over documents.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from backchannel.atomic import atomic_write
from backchannel.documents import Document, Span, read_documents, write_documents
from backchannel.eval.models.registry import TrainOptions, load_model
from backchannel.eval.predict import predict
from backchannel.eval.scoring.floors import FIRST_HELD_OUT, FLOORS, floor_figures, is_held_out
from backchannel.eval.train import train

ROOT = Path(__file__).resolve().parents[1]
REALNEWS = ROOT / "corpora" / "realnews" / "gold.jsonl"
BUNDLED = ROOT / "corpora" / "diplomacy" / "gold.jsonl"

COLUMNS = [
    ("person R", "person.recall"),
    ("person P", "person.precision"),
    ("ACTOR F1", "ACTOR.f1"),
    ("CHANNEL F1", "CHANNEL.f1"),
    ("ACTOR F1 (partial)", "ACTOR.f1.partial"),
]

# (column, scorer figure): what the learned heads of the spacy model are judged by
HEAD_COLUMNS = [
    ("attribute accuracy", "attributes.micro.accuracy"),
    ("relations F1 (strict)", "relations.micro.strict.f1"),
    ("relations F1 (boundaries)", "relations.micro.boundaries.f1"),
    ("PARTICIPANT F1", "relations.per_label.PARTICIPANT.strict.f1"),
    ("STANCE F1", "relations.per_label.STANCE.strict.f1"),
]


def bare(docs: list[Document]) -> list[Document]:
    """The documents without annotation: what a model is given."""
    return [Document(id=d.id, text=d.text, meta=d.meta) for d in docs]


def capitalised_baseline(docs: list[Document]) -> list[Document]:
    """Every run of capitalised words that does not start a sentence, as a person ACTOR."""
    import spacy

    from backchannel.eval.models.rules.context import sentence_starts

    nlp = spacy.blank("en")
    out = []
    for d in docs:
        toks = list(nlp(d.text))
        starts = set(sentence_starts([t.text for t in toks]))
        spans: list[Span] = []
        i = 0
        while i < len(toks):
            t = toks[i].text
            if t[:1].isupper() and any(c.islower() for c in t) and i not in starts:
                j = i
                while j < len(toks) and toks[j].text[:1].isupper():
                    j += 1
                spans.append(
                    Span(
                        id=f"t{len(spans) + 1}",
                        start=toks[i].idx,
                        end=toks[j - 1].idx + len(toks[j - 1].text),
                        label="ACTOR",
                        attrs={"actor_kind": "person"},
                    )
                )
                i = j
            else:
                i += 1
        out.append(Document(id=d.id, text=d.text, meta=d.meta, spans=spans))
    return out


def _row(gold: Path, pred: Path, bootstrap: int, seed: int) -> dict:
    """The floor figures (``COLUMNS``) and the heads' figures (``HEAD_COLUMNS``) of one run."""
    extra = [key for _, key in HEAD_COLUMNS]
    figs = floor_figures(gold, pred, bootstrap=bootstrap, seed=seed, extra=extra)
    return {key: figs[key] for _, key in [*COLUMNS, *HEAD_COLUMNS]}


def evaluate(epochs: int, bootstrap: int, seed: int, spacy_runs: bool) -> dict:
    """Every row of the table, as ``{row: {figure: (value, low, high)}}`` plus run notes."""
    real = list(read_documents(REALNEWS))
    rows: dict[str, dict] = {}
    head_rows: dict[str, dict] = {}
    notes: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="backchannel-realnews-") as tmpname:
        tmp = Path(tmpname)
        rules = load_model("rules")
        dev = [d for d in real if not is_held_out(d)]
        held = [d for d in real if is_held_out(d)]
        groups = (
            (f"rules, development set (articles before {FIRST_HELD_OUT:03d})", dev),
            (f"rules, held out (articles {FIRST_HELD_OUT:03d} on)", held),
            (
                "rules, held out: Wikinews",
                [d for d in held if d.meta.get("source") == "Wikinews"],
            ),
            (
                "rules, held out: government sources new to the corpus",
                [d for d in held if d.meta.get("source") != "Wikinews"],
            ),
        )
        predicted = {p.id: p for p in rules.predict(bare(real))}  # once, then sliced
        for name, gold in groups:
            gpath, ppath = tmp / f"{len(rows)}.gold.jsonl", tmp / f"{len(rows)}.rules.jsonl"
            write_documents(gold, gpath)
            write_documents([predicted[d.id] for d in gold], ppath)
            rows[f"{name} ({len(gold)} docs)"] = _row(gpath, ppath, bootstrap, seed)
            if gold is held:
                head_rows[f"{name} ({len(gold)} docs)"] = rows[f"{name} ({len(gold)} docs)"]
        gpath, cpath = tmp / "held.gold.jsonl", tmp / "caps.jsonl"
        write_documents(held, gpath)
        write_documents(capitalised_baseline(held), cpath)
        rows["capitalised tokens, held out"] = _row(gpath, cpath, bootstrap, seed)
        bpath = tmp / "bundled.rules.jsonl"
        write_documents(rules.predict(bare(list(read_documents(BUNDLED)))), bpath)
        rows["rules, bundled corpus (42 docs)"] = _row(BUNDLED, bpath, bootstrap, seed)
        if spacy_runs:
            bundled = list(read_documents(BUNDLED))
            pooled: list[Path] = []
            started = time.perf_counter()
            for source in sorted({d.meta["source"] for d in real}):
                test = [d for d in real if d.meta["source"] == source]
                train_docs = bundled + [d for d in real if d.meta["source"] != source]
                fold = tmp / f"loso-{len(pooled)}"
                fold.mkdir()
                write_documents(train_docs, fold / "train.jsonl")
                write_documents(test, fold / "test.jsonl")
                print(f"spacy: held out {source} ({len(test)} docs)", file=sys.stderr, flush=True)
                opts = TrainOptions(seed=seed, epochs=epochs, progress=False)
                train("spacy", fold / "train.jsonl", fold / "model", options=opts)
                predict(
                    "spacy",
                    fold / "test.jsonl",
                    fold / "pred.jsonl",
                    model_dir=fold / "model",
                    progress=False,
                )
                pooled.append(fold / "pred.jsonl")
            ppath = tmp / "spacy.jsonl"
            preds = [d for f in pooled for d in read_documents(f)]
            write_documents(preds, ppath)
            n_sources = len({d.meta["source"] for d in real})
            held_ids = {d.id for d in held}
            hpath = tmp / "spacy.held.jsonl"
            write_documents([d for d in preds if d.id in held_ids], hpath)
            for name, g, p in (
                (
                    f"spacy, leave one of {n_sources} sources out ({len(real)} docs)",
                    REALNEWS,
                    ppath,
                ),
                ("spacy, leave one source out, held out", gpath, hpath),
            ):
                rows[name] = head_rows[name] = _row(g, p, bootstrap, seed)
            notes["spacy_seconds"] = f"{time.perf_counter() - started:.0f}"
    return {
        "bootstrap": bootstrap,
        "seed": seed,
        "epochs": epochs,
        "dev_sources": sorted({d.meta["source"] for d in dev}),
        "held_out_sources": sorted({d.meta["source"] for d in held}),
        "floors": FLOORS,
        "rows": rows,
        "head_rows": head_rows,
        "notes": notes,
    }


def _fmt(cell: tuple[float | None, float | None, float | None]) -> str:
    value, low, high = cell
    if value is None:
        return "–"
    text = f"{value:.3f}"
    if low is not None and high is not None:
        text += f" [{low:.2f}, {high:.2f}]"
    return text


def markdown(report: dict) -> str:
    """The table for README and docs/models.md."""
    head = ["Model, documents", *(c[0] for c in COLUMNS)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    floors = report["floors"]
    lines.append(
        "| floor (issue 17) | "
        + " | ".join(f">= {floors[k]:.2f}" if k in floors else "" for _, k in COLUMNS)
        + " |"
    )
    for name, row in report["rows"].items():
        lines.append("| " + " | ".join([name, *(_fmt(row[k]) for _, k in COLUMNS)]) + " |")
    lines.append("")
    lines.append(
        "Overlap one-to-one matching (the scorer's `type` schema per label; person figures on "
        "person ACTORs alone; the last column gives partial matches half credit); 95% "
        f"bootstrap intervals over documents ({report['bootstrap']} resamples, seed "
        f"{report['seed']}). Development set: articles before {FIRST_HELD_OUT:03d} "
        f"({', '.join(report['dev_sources'])}); held out (gold made blind): articles "
        f"{FIRST_HELD_OUT:03d} on ({', '.join(report['held_out_sources'])}); spaCy "
        f"{report['epochs']} epochs."
    )
    if report.get("head_rows"):
        head = ["Model, documents", *(c[0] for c in HEAD_COLUMNS)]
        lines += ["", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for name, row in report["head_rows"].items():
            cells = [name, *(_fmt(row[k]) for _, k in HEAD_COLUMNS)]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
        lines.append(
            "Attribute accuracy on strictly matched spans (defaults applied on both sides), "
            "relation F1 with strict and boundary matching of the arguments; same intervals."
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--no-spacy", action="store_true", help="skip the trained baseline")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    report = evaluate(args.epochs, args.bootstrap, args.seed, not args.no_spacy)
    print(markdown(report))
    if args.json:
        with atomic_write(args.json) as fh:
            json.dump(report, fh, indent=2)
            fh.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
