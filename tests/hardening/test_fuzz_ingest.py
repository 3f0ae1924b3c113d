"""Fuzzing ingest: text, HTML and JSONL articles give Documents or one clear error.

Ingest is where files from many hands enter: scraped HTML with lying charsets, text files in the
wrong encoding, JSONL from other teams.  Each input is one file read by the library path the
command uses (``iter_ingest``: expand, read, normalise, de-duplicate), and every Document that
comes out must encode and read back under the Document reader.  A few hundred inputs of each kind
go through ``backchannel ingest`` itself for the exit code, the one error line and the absence of
any output (or temporary) file.

HTML costs one trafilatura extraction per input (about 5 to 13 ms on the 2-core development
machines), yet it gets the full count like every other reader: 10,000 in ``make test`` (50 to
130 s), 200,000 in ``make fuzz``.
"""

from __future__ import annotations

import io
import os
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backchannel.annotation.ingest.corpus import IngestStats, iter_ingest
from backchannel.annotation.ingest.dedupe import DedupeIndex
from backchannel.cli.app import app
from backchannel.documents import encode_document, iter_documents, read_documents
from backchannel.errors import BackchannelError

from .contract import check_cli, check_error, unexpected
from .fuzzing import _mutate_bytes, mutations

FUZZ_COUNT = int(os.environ.get("BACKCHANNEL_FUZZ_COUNT", "10000"))
HTML_COUNT = FUZZ_COUNT  # every reader gets the full count, HTML too
CLI_COUNT = min(max(FUZZ_COUNT // 100, 100), 500)
SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None

HTML = b"""<!doctype html><html><head><meta charset="utf-8"><title>Grain talks</title>
<link rel="canonical" href="https://example.org/a"></head><body><nav>Home | World</nav>
<article><h1>Grain talks</h1>
<p>President Anna Reyes phoned the Kremlin on Monday about the grain deal, officials said.</p>
<p>The foreign minister met his counterpart in Geneva on Tuesday to discuss the ceasefire
&amp; the exchange of prisoners, according to a statement.</p></article>
<footer>Cookies</footer></body></html>"""

TEXT = (
    "President Anna Reyes phoned the Kremlin on Monday.\r\n\r\n\r\nCafe\u0301 talks 😀 went on.\n"
)

INSERTS = [
    b"<",
    b"</p>",
    b"<div>" * 300,
    b"&#xD800;",
    b"&#0;",
    b"\x00",
    b"<![CDATA[",
    b"<!--",
    b"<script>x",
    b"\xed\xa0\x80",
    b"\xe2\x80\xae",
    b"\r",
    "😀\u0301".encode(),
    b"\xef\xbb\xbf",
]
CHARSETS = [b"windows-1252", b"utf-16", b"bogus", b"latin1", b"utf-32", b"cp037", b"utf-7", b""]


def _damage(data: bytes, rng: random.Random, *, html: bool) -> bytes:
    for _ in range(rng.randrange(1, 4)):
        kind = rng.randrange(6)
        if kind == 0:
            data = _mutate_bytes(data, rng)
        elif kind == 1 and html:
            data = data.replace(b"utf-8", rng.choice(CHARSETS))
        elif kind == 2 or (kind == 1 and not html):
            i = rng.randrange(len(data) + 1)
            data = data[:i] + rng.choice(INSERTS) + data[i:]
        elif kind == 3 and data:
            data = data[: rng.randrange(len(data))]
        elif kind == 4:
            data = rng.randbytes(rng.randrange(200))
        else:
            data = data.replace(b" ", rng.choice([b"\t" * 40, b"\xc2\xa0", b"\n\n\n\n", b" "]))
    return data


def html_inputs(count: int, seed: int) -> Iterator[bytes]:
    rng = random.Random(seed)
    for _ in range(count):
        yield _damage(HTML, rng, html=True)


def text_inputs(count: int, seed: int) -> Iterator[bytes]:
    rng = random.Random(seed)
    base = TEXT.encode()
    for _ in range(count):
        yield _damage(base, rng, html=False) if rng.random() < 0.9 else b" \n\t"


def jsonl_inputs(count: int, seed: int) -> Iterator[bytes]:
    """Files of one to three records: duplicated ids, wrong types, extra fields, bad bytes."""
    seeds: list[object] = [
        {"text": "Paris called Rome on Monday.", "meta": {"title": "t", "license": "CC0"}},
        {"id": "a1", "text": "Cafe\u0301 diplomacy 😀", "url": "https://example.org/a"},
        {"text": "Rome answered.", "meta": {"url": "https://example.org/b", "normalised": ["nfc"]}},
    ]
    rng = random.Random(seed)
    records = mutations(seeds, count * 3, seed=seed)
    for _ in range(count):
        yield b"\n".join(next(records) for _ in range(rng.randrange(1, 4))) + b"\n"


READERS: dict[str, tuple[str, Callable[[int, int], Iterator[bytes]], int]] = {
    "txt": ("article.txt", text_inputs, FUZZ_COUNT),
    "html": ("article.html", html_inputs, HTML_COUNT),
    "jsonl": ("articles.jsonl", jsonl_inputs, FUZZ_COUNT),
}


@pytest.mark.parametrize("kind", list(READERS))
def test_ingest_reader_survives_fuzzing(kind: str, tmp_path: Path) -> None:
    name, inputs, count = READERS[kind]
    path = tmp_path / name
    where = str(path)
    outcomes = {"valid": 0, "error": 0}
    for i, data in enumerate(inputs(count, 31)):
        path.write_bytes(data)
        try:
            with DedupeIndex(0.8, directory=SCRATCH) as index:
                docs = list(iter_ingest([where], index, IngestStats()))
        except BackchannelError as exc:
            check_error(exc, where, i)
            outcomes["error"] += 1
            continue
        except Exception as exc:  # pragma: no cover - the failure we are hunting
            unexpected(i, exc, data)
        for doc in docs:
            line = encode_document(doc) + b"\n"
            (back,) = iter_documents(io.BytesIO(line), "back.jsonl", unique=True)
            assert back == doc, i
            assert doc.text and doc.text == doc.text.strip(), i
            assert "\r" not in doc.text, i
        outcomes["valid"] += 1
    assert outcomes["valid"] > 0 and outcomes["error"] > 0, outcomes


@pytest.mark.parametrize("kind", list(READERS))
def test_ingest_command_fuzz(kind: str, tmp_path: Path) -> None:
    """Through ``backchannel ingest``: exit code, one error line, no output, no temp file."""
    name, inputs, _ = READERS[kind]
    src, out = tmp_path / name, tmp_path / "out" / "corpus.jsonl"
    out.parent.mkdir()
    runner = CliRunner()
    ok = refused = 0
    for i, data in enumerate(inputs(CLI_COUNT, 32)):
        src.write_bytes(data)
        if out.exists():
            out.unlink()
        res = runner.invoke(app, ["ingest", str(src), "-o", str(out), "-q"])
        if check_cli(res, out, str(src), i, data):
            list(read_documents(out))
            ok += 1
        else:
            refused += 1
    assert ok > 0 and refused > 0, (ok, refused)
