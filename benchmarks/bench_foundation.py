"""Foundation benchmarks: Document JSONL read+validate vs json.loads, and ingest at scale.

    .venv/bin/python benchmarks/bench_foundation.py [--quick]

(a) Reading and validating Documents (``read_documents(path, schema=load_schema())``: decode into
    typed structs, check offsets, span texts, relation ends, labels and attribute values) against
    a bare ``json.loads`` loop over the same lines, which checks nothing.  Floor: ours is no slower
    than 1.5x json.loads.
(b) ``backchannel ingest`` on generated JSONL articles (~3 KB each, 1% exact and 1% near
    duplicates), each size in a fresh child process whose peak RSS comes from ``os.wait4``.
    Floor: peak RSS at the large size is within 1.25x of the small one (memory does not grow with
    the corpus).  Also HTML pages through trafilatura, for scale.

Full run: 10k and 100k articles (2 to 4 minutes and about 1.5 GB of temporary disk);
``--quick``: 1k and 10k.  Prints a Markdown table; exits 1 if a floor is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from backchannel.documents import (
    Document,
    Relation,
    Span,
    read_documents,
    write_documents,
)
from backchannel.schema import load_schema

READ_FLOOR = 1.5
RSS_FLOOR = 1.25
_SYLLABLES = ["ka", "lo", "mi", "ra", "te", "su", "no", "vi", "de", "pa", "zo", "ri", "ba", "ul"]


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4))))
    return sorted(words)


def article_text(rng: random.Random, vocab: list[str], chars: int = 3000) -> str:
    paragraphs, size = [], 0
    while size < chars:
        sentences = []
        for _ in range(rng.randint(2, 5)):
            words = rng.choices(vocab, k=rng.randint(8, 24))
            sentences.append(" ".join(words).capitalize() + ".")
        para = " ".join(sentences)
        paragraphs.append(para)
        size += len(para) + 2
    return "\n\n".join(paragraphs)


def make_documents(n: int, seed: int = 0) -> Iterator[Document]:
    """Valid Documents: ~3 KB of text, 20 spans (with attributes), 10 relations each."""
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    for i in range(n):
        text = article_text(rng, vocab)
        words = [(m_start, m_start + len(w)) for m_start, w in _word_offsets(text)]
        picks = sorted(rng.sample(range(len(words)), 20))
        spans: list[Span] = []
        for j, w in enumerate(picks):
            start, end = words[w]
            if j % 4 == 0:
                label, attrs = "CHANNEL", {"channel_kind": "phone_call", "modality": "actual"}
            elif j % 4 == 3:
                label, attrs = "ISSUE", {}
            else:
                label, attrs = "ACTOR", {"actor_kind": "person", "country": "FRA"}
            spans.append(Span(id=f"s{j}", start=start, end=end, label=label, attrs=attrs,
                              text=text[start:end]))  # fmt: skip
        relations: list[Relation] = []
        for j in range(0, 20, 4):
            channel = spans[j].id
            relations.append(Relation(head=channel, tail=spans[j + 1].id, label="PARTICIPANT",
                                      attrs={"role": "initiator"}))  # fmt: skip
            relations.append(Relation(head=channel, tail=spans[j + 2].id, label="PARTICIPANT",
                                      attrs={"role": "recipient"}))  # fmt: skip
        yield Document(
            id=f"doc-{i:06d}",
            text=text,
            meta={"title": f"Article {i}", "license": "CC0-1.0"},
            spans=spans,
            relations=relations,
            doc_labels={"relevant": "yes"},
        )


def _word_offsets(text: str) -> Iterator[tuple[int, str]]:
    pos = 0
    for word in text.split(" "):
        yield pos, word.strip(".\n")
        pos += len(word) + 1


def best_of(runs: int, fns: dict[str, Callable[[], None]]) -> dict[str, float]:
    """Best CPU time of each function over ``runs`` rounds, interleaved.

    CPU time (``time.process_time``) and interleaving keep the ratio honest on a shared machine,
    where another process can slow one contender's wall time but not the other's.
    """
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(runs):
        for name, fn in fns.items():
            started = time.process_time()
            fn()
            best[name] = min(best[name], time.process_time() - started)
    return best


def bench_read(n: int, tmp: Path) -> list[dict]:
    path = tmp / "documents.jsonl"
    write_documents(make_documents(n), path)
    size_mb = path.stat().st_size / 1e6
    schema = load_schema()

    def plain() -> None:
        with open(path, "rb") as fh:
            for line in fh:
                json.loads(line)

    def ours() -> None:
        for _ in read_documents(path, schema=schema):
            pass

    def ours_no_schema() -> None:
        for _ in read_documents(path):
            pass

    times = best_of(
        5,
        {
            "json.loads loop (reference)": plain,
            "read_documents(schema=...)": ours,
            "read_documents() (offsets only)": ours_no_schema,
        },
    )
    base = times["json.loads loop (reference)"]
    return [
        {"what": what, "seconds": sec, "n": n, "mb": size_mb, "ratio": sec / base}
        for what, sec in times.items()
    ]


def make_articles(path: Path, n: int, seed: int = 1) -> float:
    """JSONL articles with 1% exact duplicates and 1% near duplicates; returns size in MB."""
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    recent: list[str] = []
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            roll = rng.random()
            if recent and roll < 0.01:
                text = rng.choice(recent)
            elif recent and roll < 0.02:
                words = rng.choice(recent).split(" ")
                words[rng.randrange(len(words))] = "changed"
                text = " ".join(words)
            else:
                text = article_text(rng, vocab).replace("\n\n", "\r\n\r\n")
            recent = [*recent, text][-50:]
            record = {"text": text, "meta": {"title": f"Article {i}"}, "url": f"https://x.org/{i}"}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path.stat().st_size / 1e6


def make_pages(folder: Path, n: int, seed: int = 2) -> float:
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(n):
        body = "".join(f"<p>{p}</p>\n" for p in article_text(rng, vocab).split("\n\n"))
        page = (
            f"<html><head><title>Article {i}</title>"
            f'<link rel="canonical" href="https://x.org/{i}"></head><body>'
            '<nav><a href="/">Home</a> <a href="/world">World</a></nav>'
            f"<article><h1>Article {i}</h1>\n{body}</article>"
            "<footer>Copyright. All rights reserved.</footer></body></html>"
        )
        path = folder / f"{i:06d}.html"
        path.write_text(page, encoding="utf-8")
        total += len(page.encode("utf-8"))
    return total / 1e6


def run_ingest(source: Path, out: Path) -> tuple[float, float, float, str]:
    """Wall and CPU seconds, peak RSS (MB) and the summary line of one ``backchannel ingest``.

    CPU time (user + system, from ``os.wait4``) is reported too because on a shared machine it
    is far more stable than wall time.
    """
    env = {**os.environ, "BACKCHANNEL_NO_PROGRESS": "1"}
    cmd = [sys.executable, "-m", "backchannel", "ingest", str(source), "-o", str(out), "-q"]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"ingest failed: {err}")
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss / 1024, err.strip()


def bench_ingest(sizes: list[int], html: int, tmp: Path) -> list[dict]:
    rows = []
    for n in sizes:
        src = tmp / f"articles-{n}.jsonl"
        mb = make_articles(src, n)
        out = tmp / f"corpus-{n}.jsonl"
        seconds, cpu, rss, summary = run_ingest(src, out)
        rows.append({"what": f"ingest {n:,} JSONL articles", "n": n, "mb": mb,
                     "seconds": seconds, "cpu": cpu, "rss": rss, "summary": summary})  # fmt: skip
        src.unlink()
        out.unlink()
    folder = tmp / "pages"
    mb = make_pages(folder, html)
    seconds, cpu, rss, summary = run_ingest(folder, tmp / "pages.jsonl")
    rows.append({"what": f"ingest {html:,} HTML pages", "n": html, "mb": mb, "seconds": seconds,
                 "cpu": cpu, "rss": rss, "summary": summary})  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for development")
    args = parser.parse_args(argv)
    read_n = 2_000 if args.quick else 10_000
    sizes = [1_000, 10_000] if args.quick else [10_000, 100_000]
    html = 100 if args.quick else 1_000
    failed = []
    with tempfile.TemporaryDirectory(prefix="bench-foundation-") as tmp:
        read_rows = bench_read(read_n, Path(tmp))
        print(f"### Document JSONL read + validate ({read_n:,} documents, ~3 KB text, "
              "20 spans, 10 relations)\n")  # fmt: skip
        print("| reader | CPU s (best of 5) | docs/s | MB/s | ratio to json.loads |")
        print("|---|---:|---:|---:|---:|")
        for r in read_rows:
            print(f"| {r['what']} | {r['seconds']:.3f} | {r['n'] / r['seconds']:,.0f} | "
                  f"{r['mb'] / r['seconds']:,.1f} | {r['ratio']:.2f}x |")  # fmt: skip
        ratio = read_rows[1]["ratio"]
        verdict = "ok" if ratio <= READ_FLOOR else "MISSED"
        print(
            f"\nfloor: read_documents(schema) <= {READ_FLOOR}x json.loads: {ratio:.2f}x {verdict}"
        )
        if ratio > READ_FLOOR:
            failed.append("read")

        ingest_rows = bench_ingest(sizes, html, Path(tmp))
        print("\n### ingest (fresh child process each; time includes interpreter start-up)\n")
        print("| run | input MB | wall s | CPU s | docs/s (wall) | docs per CPU s | MB/s (wall) "
              "| peak RSS MB |")  # fmt: skip
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for r in ingest_rows:
            print(f"| {r['what']} | {r['mb']:,.1f} | {r['seconds']:.1f} | {r['cpu']:.1f} | "
                  f"{r['n'] / r['seconds']:,.0f} | {r['n'] / r['cpu']:,.0f} | "
                  f"{r['mb'] / r['seconds']:,.1f} | {r['rss']:.0f} |")  # fmt: skip
        for r in ingest_rows:
            print(f"\n{r['what']}: `{r['summary']}`", end="")
        growth = ingest_rows[1]["rss"] / ingest_rows[0]["rss"]
        verdict = "ok" if growth <= RSS_FLOOR else "MISSED"
        print(f"\n\nfloor: peak RSS at {sizes[1]:,} <= {RSS_FLOOR}x peak RSS at {sizes[0]:,}: "
              f"{growth:.2f}x {verdict}")  # fmt: skip
        if growth > RSS_FLOOR:
            failed.append("rss")
    print("\n(2 shared CPU cores; timings are indicative, ratios are what the floors check.)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
