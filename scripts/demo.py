"""``make demo``: the whole job end to end on the bundled corpus, offline, writing under out/demo/.

Every step is a real ``backchannel`` command run as a user would type it, so the demo doubles as
a check that the command line works on a fresh clone.  The flow:

    ingest -> rules pre-annotation -> Label Studio task file -> agreement on the three synthetic
    annotators -> adjudicated gold version -> annotator quality -> export (DatasetDict, parquet,
    DocBin, card, event table, graph) -> train spaCy and stance baselines on the train split ->
    predict on the test split -> score and compare -> out/demo/report.html, out/demo/report.md
    (spaCy) and out/demo/reports/{rules,spacy,stance}.{html,md}

The demo writes only into its own folder, ``out/demo/``, never elsewhere in ``out/``: that is
where README's walkthrough sends the user's own files (pulled annotations, gold versions that are
"never overwritten").  A re-run replaces ``out/demo/`` only if it carries the marker file the
demo wrote there; any other folder of that name is left alone, with a message.

It ends with a summary: what was written where, the headline figures with their intervals, and
the command to open the report.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "out" / "demo"
MARKER = ".backchannel-demo"  # written into OUT: proves a folder there is the demo's own
CORPUS = ROOT / "corpora" / "diplomacy"
EXE = [sys.executable, "-m", "backchannel"]
ENV = {**os.environ, "BACKCHANNEL_NO_PROGRESS": os.environ.get("BACKCHANNEL_NO_PROGRESS", "")}


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def run(*args: str | Path, stdout: Path | None = None) -> None:
    """Run one ``backchannel`` command, echoing it as a user would type it."""
    words = [rel(a) if isinstance(a, Path) else a for a in args]
    shown = " ".join(["backchannel", *words]) + (f" > {rel(stdout)}" if stdout else "")
    print(f"\n$ {shown}", flush=True)
    started = time.perf_counter()
    if stdout is not None:
        with stdout.open("w", encoding="utf-8") as fh:
            subprocess.run([*EXE, *words], check=True, stdout=fh, cwd=ROOT, env=ENV)
    else:
        subprocess.run([*EXE, *words], check=True, cwd=ROOT, env=ENV)
    print(f"  ({time.perf_counter() - started:.1f} s)", flush=True)


def figure(block: dict, key: str = "f1") -> str:
    """``0.712 [0.651, 0.770]`` from a report block holding a figure and its interval."""
    value = block.get(key)
    if value is None:
        return "undefined"
    low = block.get(f"{key}_ci_low", block.get("ci_low"))
    high = block.get(f"{key}_ci_high", block.get("ci_high"))
    if low is not None and high is not None:
        return f"{value:.3f} [{low:.3f}, {high:.3f}]"
    return f"{value:.3f}"


class NotTheDemosFolder(Exception):
    """The demo's folder exists but the demo did not make it: it is not the demo's to delete."""


def fresh_output(out: Path) -> None:
    """Empty ``out`` for a new run, deleting only a folder that an earlier demo run made.

    Nothing outside ``out`` is touched.  ``out`` itself is removed only when it carries
    :data:`MARKER`; a folder without it (the user's own, or anything else) makes the demo stop.
    """
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise NotTheDemosFolder(f"{out} exists and is not a folder")
    if out.exists():
        if not (out / MARKER).is_file():
            raise NotTheDemosFolder(
                f"{out} exists but was not made by `make demo` (no {MARKER} file in it)"
            )
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text(
        "Made by `make demo` (scripts/demo.py); the next run replaces this whole folder.\n",
        encoding="utf-8",
    )


def main() -> int:
    started = time.perf_counter()
    try:
        fresh_output(OUT)
    except NotTheDemosFolder as exc:
        print(f"error: {exc}; move it away or delete it, then run the demo again", file=sys.stderr)
        return 1
    (OUT / "predictions").mkdir(parents=True)
    models = OUT / "models"

    # 1. The schema drives everything: Label Studio config and annotator guide.
    run("schema", "config", stdout=OUT / "label_config.xml")
    run("schema", "guide", stdout=OUT / "guide.md")

    # 2. Articles in, normalised corpus out (the bundled articles are the team's own text).
    corpus = OUT / "corpus.jsonl"
    run("ingest", CORPUS / "articles.jsonl", "-o", corpus, "--require-license")

    # 3. Rules pre-annotation and the Label Studio import file.
    rules_all = OUT / "predictions" / "rules-corpus.jsonl"
    run("predict", "--model", "rules", corpus, "-o", rules_all)
    run("tasks", corpus, "--predictions", rules_all, "-o", OUT / "tasks.json")

    # 4. Agreement on three (synthetic) annotators, adjudication into a gold version.
    annotations = CORPUS / "annotations.jsonl"
    for fmt in ("json", "md", "html"):
        run("agree", annotations, "--format", fmt, "-o", OUT / f"agreement.{fmt}")
    run("adjudicate", annotations, "-o", OUT / "gold")
    run("adjudicate", annotations, "-o", OUT / "gold", "--min-votes", "3")
    run("gold", "list", "--dir", OUT / "gold")
    run("gold", "diff", "v0001", "v0002", "--dir", OUT / "gold", "-o", OUT / "gold-diff.md")
    run("gold", "quality", annotations, CORPUS / "gold.jsonl", "-o", OUT / "annotator_quality.md")

    # 5. Export the team's hand-made gold: DatasetDict, parquet, DocBin, card, events, graph.
    dataset = OUT / "dataset"
    run(
        "export",
        CORPUS / "gold.jsonl",
        "-o",
        dataset,
        "--splits",
        "70/10/20",
        "--agreement",
        OUT / "agreement.json",
    )
    run(
        "events",
        CORPUS / "gold.jsonl",
        "-o",
        OUT / "events.csv",
        "--graph",
        OUT / "graph.png",
        "--html",
        OUT / "graph.html",
        "--monthly",
        OUT / "pairs_monthly.csv",
    )
    run("publish", dataset, "--repo-id", "backchannel/diplomacy-demo")  # a dry run: sends nothing

    # 6. Baselines: train on the train split, predict the test split.
    train, test = dataset / "jsonl" / "train.jsonl", dataset / "jsonl" / "test.jsonl"
    run("train", "--model", "spacy", train, "-o", models / "spacy")
    run("train", "--model", "stance", train, "-o", models / "stance")
    preds = {}
    for name in ("rules", "spacy"):
        preds[name] = OUT / "predictions" / f"{name}.jsonl"
        extra = [] if name == "rules" else ["--model-dir", models / name]
        run("predict", "--model", name, test, "-o", preds[name], *extra)
    preds["stance"] = OUT / "predictions" / "stance.jsonl"
    run(
        "predict",
        "--model",
        "stance",
        test,
        "-o",
        preds["stance"],
        "--model-dir",
        models / "stance",
    )

    # 7. Score every baseline, compare the two span models, write the reports.
    reports = OUT / "reports"
    reports.mkdir(exist_ok=True)
    for name, path in preds.items():
        run("score", test, path, "--format", "json", "-o", OUT / f"score-{name}.json")
        for fmt in ("html", "md"):
            run("score", test, path, "--format", fmt, "-o", reports / f"{name}.{fmt}")
    for fmt in ("html", "md"):  # the headline report is the spaCy one: no need to score it again
        shutil.copyfile(reports / f"spacy.{fmt}", OUT / f"report.{fmt}")
    run("compare", test, preds["rules"], preds["spacy"], "-o", OUT / "compare.md")

    print("\n" + "=" * 78)
    print(
        f"backchannel demo finished in {time.perf_counter() - started:.0f} s. "
        f"Written under {rel(OUT)}/ (nothing else in out/ was touched):"
    )
    for path, what in [
        ("corpus.jsonl", "normalised corpus"),
        ("tasks.json", "Label Studio import file with rules pre-annotations"),
        ("label_config.xml, guide.md", "labeling config and annotator guide from the schema"),
        ("agreement.{json,md,html}", "inter-annotator agreement (synthetic annotators)"),
        ("gold/", "gold versions v0001 (2 votes) and v0002 (3 votes), manifests, review lists"),
        ("gold-diff.md", "what changed between the two gold versions"),
        ("dataset/", "DatasetDict, parquet, JSONL, spaCy DocBin, card, events, graph"),
        ("events.csv", "who-talks-to-whom: one row per pair of resolved actors"),
        ("events_unpaired.csv", "contacts with fewer than two resolved actors"),
        ("graph.png, graph.html", "graph of resolved actors (PNG; interactive, offline HTML)"),
        ("pairs_monthly.{csv,png}", "contacts per pair per month"),
        ("models/", "trained spaCy and stance baselines"),
        ("report.html, report.md", "spaCy baseline scored against the test split"),
        ("reports/", "every baseline's report: rules, spacy, stance (.html, .md)"),
        ("compare.md", "rules vs spaCy, paired significance"),
    ]:
        print(f"  {rel(OUT)}/{path:<28} {what}")
    agreement = json.loads((OUT / "agreement.json").read_text(encoding="utf-8"))
    print("\nHeadline figures (95% bootstrap intervals over documents):")
    rows: list[tuple[str, str]] = []
    overall = agreement.get("overall", {})
    for mode in ("strict", "overlap"):
        if mode in overall:
            rows.append(
                (f"agreement: span F1 ({mode}), synthetic annotators", figure(overall[mode]))
            )
    for name in ("rules", "spacy"):
        report = json.loads((OUT / f"score-{name}.json").read_text(encoding="utf-8"))
        spans = report["spans"]["micro"]
        for schema in ("strict", "partial"):
            rows.append((f"{name}: span F1 ({schema}), test split", figure(spans[schema])))
    stance = json.loads((OUT / "score-stance.json").read_text(encoding="utf-8"))["stance"]
    rows.append(("stance: STANCE with polarity F1, gold mentions", figure(stance["with_polarity"])))
    rows.append(("stance: polarity F_avg(favor, against)", figure(stance["polarity"], "f_avg")))
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    print(f"\nOpen the report: xdg-open {rel(OUT / 'report.html')}   (or any browser)")
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except subprocess.CalledProcessError as exc:
        print(f"\ndemo failed at: {' '.join(map(str, exc.cmd[3:]))}", file=sys.stderr)
        raise SystemExit(1) from None
