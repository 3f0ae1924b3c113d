"""Benchmark: agreement and adjudication on generated documents x 3 annotators.

Usage::

    .venv/bin/python benchmarks/bench_agreement.py [--quick] [--docs N] [--bootstrap N]

Generates N articles (default 5,000; ``--quick`` 500), each annotated by three simulated
annotators who drop, shift, relabel and invent spans and attributes at fixed rates, writes them
as an annotations JSONL, then times ``agreement`` (with its bootstrap) and ``adjudicate_file``
(writing a gold version) each in a fresh child process that reports its own peak RSS.  Finally it
times our Krippendorff's alpha against the ``krippendorff`` package on the same units (the
ACTOR.actor_kind units of the generated set, and a large synthetic units matrix).

Prints a Markdown table.  Timings depend on the machine and its load: compare ratios, not
seconds.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from backchannel.documents import Document, Relation, Span, write_documents

_SENTENCE = "the minister said on monday that talks would continue in the capital next week"
WORDS = _SENTENCE.split(" ")
KINDS = ["person", "role", "government", "state", "organisation", "group"]
CHANNELS = ["phone_call", "meeting", "talks", "visit", "letter", "summit"]
COUNTRIES = ["RUS", "UKR", "USA", "FRA", "DEU", "CHN", "GBR", "TUR"]
ROLES = ["initiator", "recipient", "participant"]


def _article(rng: random.Random, n: int) -> tuple[str, list[tuple[int, int, str, dict]]]:
    """A text of ~80 words with ~12 true spans placed on word boundaries."""
    words = [rng.choice(WORDS) for _ in range(80)]
    starts = []
    pos = 0
    for w in words:
        starts.append(pos)
        pos += len(w) + 1
    text = " ".join(words)
    spans = []
    for i in range(0, 78, 6):
        label = rng.choice(["ACTOR", "ACTOR", "CHANNEL", "VENUE", "ISSUE"])
        end_word = i + rng.randint(0, 2)
        start, end = starts[i], starts[end_word] + len(words[end_word])
        attrs: dict[str, str] = {}
        if label == "ACTOR":
            attrs = {"actor_kind": rng.choice(KINDS), "country": rng.choice(COUNTRIES)}
        elif label == "CHANNEL":
            attrs = {"channel_kind": rng.choice(CHANNELS), "modality": "actual"}
        spans.append((start, end, label, attrs))
    return text, spans


def _annotate(
    rng: random.Random, doc_id: str, who: str, text: str, truth: list[tuple[int, int, str, dict]]
) -> Document:
    spans: list[Span] = []
    for start, end, label, attrs in truth:
        r = rng.random()
        if r < 0.08:
            continue  # missed
        if r < 0.13:
            end = max(start + 1, end - 2)  # boundary slip
        attrs = dict(attrs)
        for key, values in (("actor_kind", KINDS), ("channel_kind", CHANNELS)):
            if key in attrs and rng.random() < 0.12:
                attrs[key] = rng.choice(values)
        spans.append(Span(id=f"s{len(spans)}", start=start, end=end, label=label, attrs=attrs))
    if rng.random() < 0.3:
        spans.append(Span(id=f"s{len(spans)}", start=0, end=3, label="ISSUE"))
    relations = []
    channels = [s for s in spans if s.label == "CHANNEL"]
    actors = [s for s in spans if s.label == "ACTOR"]
    for ch in channels:
        for act in actors[:2]:
            if rng.random() < 0.85:
                role = rng.choice(ROLES) if rng.random() < 0.2 else "participant"
                relations.append(
                    Relation(head=ch.id, tail=act.id, label="PARTICIPANT", attrs={"role": role})
                )
    if len(actors) >= 2 and rng.random() < 0.5:
        pol = "against" if rng.random() < 0.8 else "favor"
        relations.append(
            Relation(head=actors[0].id, tail=actors[1].id, label="STANCE", attrs={"polarity": pol})
        )
    relevant = "yes" if rng.random() < 0.9 else "no"
    return Document(
        id=doc_id,
        text=text,
        spans=spans,
        relations=relations,
        doc_labels={"relevant": relevant},
        annotator=who,
    )


def generate(path: Path, docs: int, seed: int = 0) -> None:
    rng = random.Random(seed)

    def gen():
        for i in range(docs):
            text, truth = _article(rng, i)
            for who in ("ann1", "ann2", "ann3"):
                yield _annotate(rng, f"doc{i:05d}", who, text, truth)

    write_documents(gen(), path)


# -- child side: one measured step ------------------------------------------------------------
def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def child(step: str, path: str, out: str, bootstrap: int) -> None:
    t0 = time.perf_counter()
    if step == "agree":
        from backchannel.annotation.agreement.agree import agreement

        rep = agreement(path, resamples=bootstrap, seed=0)
        extra = {"strict_f1": rep.overall.strict.f1, "disagreements": len(rep.disagreements)}
    else:
        from backchannel.annotation.gold.adjudicate import adjudicate_file

        res = adjudicate_file(path, out)
        extra = {"spans": res.counts["spans"], "review": res.counts["review_items"]}
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "peak_mb": _peak_mb(), **extra}))


def _measure(step: str, path: Path, out: Path, bootstrap: int) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", step, str(path), str(out), str(bootstrap)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


# -- alpha: ours vs the krippendorff package ----------------------------------------------------
def _best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def alpha_ratio(matrix: np.ndarray, repeat: int = 3) -> tuple[float, float, float, float]:
    """(ours seconds, package seconds, ours alpha, package alpha) on one raters x units matrix."""
    import krippendorff

    from backchannel.annotation.agreement.stats import krippendorff_alpha_nominal, value_counts

    data = np.where(matrix < 0, np.nan, matrix.astype(float))
    ours_s = _best_of(lambda: krippendorff_alpha_nominal(value_counts(matrix)), repeat)
    ref_s = _best_of(
        lambda: krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"), repeat
    )
    ours = krippendorff_alpha_nominal(value_counts(matrix))
    ref = float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    return ours_s, ref_s, float(ours or 0.0), ref


def actor_kind_units(path: Path) -> np.ndarray:
    """The ACTOR.actor_kind units of the generated set as a raters x units code matrix."""
    from backchannel.annotation.agreement.stats import encode_values
    from backchannel.annotation.annotation_set import load_annotation_set

    aset = load_annotation_set(path)
    names = aset.annotators
    rows: list[list[str | None]] = []
    for adoc in aset.multi(2):
        keys: dict = {}
        for a, view in adoc.views.items():
            for key, span in view.spans.items():
                if key[2] == "ACTOR":
                    keys.setdefault(key, {})[a] = span.attrs.get("actor_kind")
        for marks in keys.values():
            if len(marks) >= 2:
                rows.append([marks.get(a) for a in names])
    codes, _ = encode_values(*zip(*rows, strict=True))
    return np.vstack(codes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="500 documents, 200 resamples")
    parser.add_argument("--docs", type=int, default=None)
    parser.add_argument("--bootstrap", type=int, default=None)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        step, path, out, bootstrap = args.child
        child(step, path, out, int(bootstrap))
        return 0
    docs = args.docs or (500 if args.quick else 5000)
    bootstrap = args.bootstrap if args.bootstrap is not None else (200 if args.quick else 1000)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "annotations.jsonl"
        t0 = time.perf_counter()
        generate(path, docs)
        gen_s = time.perf_counter() - t0
        size_mb = path.stat().st_size / 1e6
        agree = _measure("agree", path, Path(tmp) / "gold", bootstrap)
        adj = _measure("adjudicate", path, Path(tmp) / "gold", bootstrap)
        units = actor_kind_units(path)
        big = np.random.default_rng(0).integers(-1, 6, size=(3, 200_000))
        a_small = alpha_ratio(units)
        a_big = alpha_ratio(big)

    print(f"{docs:,} documents x 3 annotators ({size_mb:.1f} MB JSONL, generated in {gen_s:.1f} s)")
    print()
    print("| step | time (s) | peak RSS (MB) | note |")
    print("|---|---|---|---|")
    print(
        f"| agree (bootstrap {bootstrap}) | {agree['seconds']:.2f} | {agree['peak_mb']:.0f} | "
        f"strict F1 {agree['strict_f1']:.3f}, {agree['disagreements']:,} disagreements |"
    )
    print(
        f"| adjudicate (write gold version) | {adj['seconds']:.2f} | {adj['peak_mb']:.0f} | "
        f"{adj['spans']:,} gold spans, {adj['review']:,} review items |"
    )
    print()
    print(
        "| Krippendorff's alpha (nominal) | units | ours (ms) | krippendorff pkg (ms) | "
        "speed-up | alpha difference |"
    )
    print("|---|---|---|---|---|---|")
    for name, (ours_s, ref_s, ours, ref), n in (
        ("ACTOR.actor_kind of this set", a_small, units.shape[1]),
        ("synthetic, 6 values, 3 raters", a_big, big.shape[1]),
    ):
        print(
            f"| {name} | {n:,} | {ours_s * 1e3:.2f} | {ref_s * 1e3:.2f} | "
            f"{ref_s / ours_s:.1f}x | {abs(ours - ref):.1e} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
