"""Benchmark ``backchannel export``: documents per second and peak memory, small vs large corpus.

Usage::

    .venv/bin/python benchmarks/bench_export.py           # 5,000 and 50,000 documents
    .venv/bin/python benchmarks/bench_export.py --quick   # 2,500 and 5,000 documents

For each size it generates a gold file of synthetic Documents (seeded: about 600 characters,
9 spans, 7 relations each, 1 in 20 a near-duplicate of an earlier one), then exports it in a
fresh child process and reads that process's peak RSS (``ru_maxrss``), so the figures are not
polluted by the generator or by earlier runs.  Three runs per size:

* ``backchannel`` (everything: parquet, save_to_disk, JSONL, DocBin, events, card);
* ``backchannel --no-spacy --no-events`` (the Hugging Face part only);
* the reference: the usual in-memory route, ``Dataset.from_list(rows)`` per split +
  ``DatasetDict.save_to_disk`` + ``to_parquet``, on the same rows (same features, same splits).

Memory must not grow with corpus size: peak RSS of the full export at the large size must stay
within 1.25x of the small size (the script exits 1 otherwise).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ACTORS = [
    ("President Anna Reyes", "person", "PHL"),
    ("the Kremlin", "government", "RUS"),
    ("Foreign Secretary Miriam Osei", "person", "GBR"),
    ("Beijing", "government", "CHN"),
    ("Qatar", "state", "QAT"),
    ("the White House", "government", "USA"),
    ("Chancellor Ingrid Vogel", "person", "DEU"),
    ("Ankara", "government", "TUR"),
    ("NATO", "organisation", "IGO"),
    ("Prime Minister Kenji Sato", "person", "JPN"),
    ("Tehran", "government", "IRN"),
    ("the Elysee", "government", "FRA"),
]
CHANNELS = [
    ("phoned", "phone_call"),
    ("met", "meeting"),
    ("held talks with", "talks"),
    ("wrote to", "letter"),
    ("visited", "visit"),
    ("held a video call with", "video_call"),
]
MODALITIES = ["actual"] * 6 + ["planned", "requested", "refused", "negated"]
VENUES = ["Riyadh", "Geneva", "Oslo", "Doha", "Vienna"]
ISSUES = ["the grain deal", "a ceasefire", "sanctions relief", "the gas pipeline"]
FILLER = (
    "Officials described the exchange as frank. Markets were calm as the news broke, and "
    "analysts said little would change before the spring. "
)


class _Article:
    """Text and spans built together, so offsets are computed, never typed."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.spans: list = []
        self.pos = 0

    def add(self, text: str, label: str | None = None, sid: str = "", **attrs: str) -> None:
        from backchannel.documents import Span

        if label is not None:
            end = self.pos + len(text)
            self.spans.append(Span(id=sid, start=self.pos, end=end, label=label, attrs=attrs))
        self.parts.append(text)
        self.pos += len(text)


def generate(path: Path, n: int, seed: int = 7) -> None:
    """Write ``n`` synthetic gold Documents to ``path`` as JSONL, one at a time."""
    from backchannel.documents import Document, Relation, encode_document

    rng = random.Random(seed)
    with path.open("wb") as fh:
        for i in range(n):
            art = _Article()
            relations: list[Relation] = []
            for k in range(3):
                (a, akind, acountry), (b, bkind, bcountry) = rng.sample(ACTORS, 2)
                verb, kind = rng.choice(CHANNELS)
                modality = rng.choice(MODALITIES)
                art.add(a, "ACTOR", f"a{k}", actor_kind=akind, country=acountry)
                art.add(" ")
                art.add(verb, "CHANNEL", f"c{k}", channel_kind=kind, modality=modality)
                art.add(" ")
                art.add(b, "ACTOR", f"b{k}", actor_kind=bkind, country=bcountry)
                for tail, role in ((f"a{k}", "initiator"), (f"b{k}", "recipient")):
                    relations.append(
                        Relation(head=f"c{k}", tail=tail, label="PARTICIPANT", attrs={"role": role})
                    )
                if k == 0:
                    art.add(" in ")
                    art.add(rng.choice(VENUES), "VENUE", "v0")
                    relations.append(Relation(head="c0", tail="v0", label="HELD_AT"))
                if k == 1:
                    art.add(" about ")
                    art.add(rng.choice(ISSUES), "ISSUE", "i1")
                    relations.append(Relation(head="c1", tail="i1", label="ABOUT"))
                art.add(f" on day {i % 365}. ")
                art.add(FILLER)
            meta = {"title": f"Article {i}", "license": "CC-BY-4.0", "synthetic": True}
            if i and i % 20 == 0:
                meta["near_duplicate_of"] = f"bench-{i - 1:07d}"
            doc = Document(
                id=f"bench-{i:07d}",
                text="".join(art.parts).strip(),
                meta=meta,
                spans=art.spans,
                relations=relations,
                doc_labels={"relevant": "yes"},
                annotator="gold",
            )
            fh.write(encode_document(doc) + b"\n")


_CHILD_OURS = """
import json, resource, sys, time
from backchannel.annotation.export.dataset import export_dataset
gold, out, full = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
t = time.perf_counter()
r = export_dataset(gold, out, docbin=full, events=full)
print(json.dumps({"seconds": time.perf_counter() - t, "docs": r.documents,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

_CHILD_REFERENCE = """
import json, resource, sys, time
import datasets
from backchannel.documents import read_documents
from backchannel.annotation.export.features import RowCodec
from backchannel.schema import load_schema
from backchannel.annotation.export.splits import assign_splits, parse_splits
datasets.utils.disable_progress_bars()
gold, out = sys.argv[1], sys.argv[2]
t = time.perf_counter()
schema = load_schema()
codec = RowCodec(schema)
docs = list(read_documents(gold, schema=schema))
plan = assign_splits([(d.id, d.meta.get("near_duplicate_of")) for d in docs],
                     parse_splits("80/10/10"), 13)
rows = {}
for d in docs:
    rows.setdefault(plan.assignment[d.id], []).append(codec.to_row(d))
features = codec.features()
dd = datasets.DatasetDict({k: datasets.Dataset.from_list(v, features=features)
                           for k, v in rows.items()})
dd.save_to_disk(out)
for k, ds in dd.items():
    ds.to_parquet(f"{out}/{k}.parquet")
print(json.dumps({"seconds": time.perf_counter() - t, "docs": len(docs),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_child(code: str, *args: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT
    )
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,500 and 5,000 documents")
    args = parser.parse_args()
    sizes = [2500, 5000] if args.quick else [5000, 50000]
    results: dict[int, dict[str, dict]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        base = Path(tmp)
        for n in sizes:
            gold = base / f"gold-{n}.jsonl"
            t = time.perf_counter()
            generate(gold, n)
            print(f"generated {n} documents in {time.perf_counter() - t:.1f} s", file=sys.stderr)
            results[n] = {
                "backchannel export": run_child(_CHILD_OURS, str(gold), str(base / f"o{n}"), "1"),
                "backchannel export --no-spacy --no-events": run_child(
                    _CHILD_OURS, str(gold), str(base / f"h{n}"), "0"
                ),
                "reference: Dataset.from_list + save_to_disk + to_parquet": run_child(
                    _CHILD_REFERENCE, str(gold), str(base / f"r{n}")
                ),
            }
            print(f"measured {n}", file=sys.stderr)
    ref_name = "reference: Dataset.from_list + save_to_disk + to_parquet"
    print("| documents | run | docs/s | peak RSS (MB) | docs/s vs reference | RSS vs reference |")
    print("|---:|---|---:|---:|---:|---:|")
    for n, runs in results.items():
        ref = runs[ref_name]
        for name, r in runs.items():
            rate = r["docs"] / r["seconds"]
            ref_rate = ref["docs"] / ref["seconds"]
            print(
                f"| {n:,} | {name} | {rate:,.0f} | {r['rss_mb']:,.0f} | "
                f"{rate / ref_rate:.2f}x | {r['rss_mb'] / ref['rss_mb']:.2f}x |"
            )
    small, large = sizes
    growth = {
        name: results[large][name]["rss_mb"] / results[small][name]["rss_mb"]
        for name in results[small]
    }
    print()
    print(f"| run | peak RSS at {large:,} / at {small:,} |")
    print("|---|---:|")
    for name, g in growth.items():
        print(f"| {name} | {g:.2f}x |")
    print()
    print(
        "Machine caveat: 2 shared CPU cores, other jobs running; timings are indicative only. "
        "Peak RSS is the child process's ru_maxrss."
    )
    ok = growth["backchannel export"] <= 1.25
    print(f"\nmemory flat (full export, large/small <= 1.25x): {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
