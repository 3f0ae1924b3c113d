"""Pathological inputs the mutation fuzzer does not reach, through every JSON and YAML reader.

Deep nesting (the JSON decoders recurse: 200,000 open brackets once escaped every reader as
RecursionError), numbers beyond 64 bits or beyond a float, NaN and infinities, NUL bytes,
invalid UTF-8 and lone surrogates, a BOM in the middle, gigantic keys.  Each input goes through
the Document reader (which ``agree``, ``adjudicate``, ``export`` and ``push`` use), the scorer's
lean reader on both sides, the Label Studio export reader, ingest JSONL, the review list reader
and the schema loader; the contract is the same as for the fuzzers: valid records or one clear
error naming the file.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from backchannel.annotation.gold.review_list import read_review
from backchannel.annotation.ingest.corpus import IngestStats, iter_ingest
from backchannel.annotation.ingest.dedupe import DedupeIndex
from backchannel.annotation.labelstudio.pull import _decode_export, documents_from_export
from backchannel.documents import iter_documents, write_documents
from backchannel.errors import BackchannelError
from backchannel.eval.scoring.scorer import score
from backchannel.schema import load_schema
from tests.conftest import sample_document

from .contract import check_error, unexpected

DOC = b'{"id": "x", "text": "President Anna Reyes phoned.", '
DEPTH = 200_000


def nasty_inputs() -> list[bytes]:
    """Each a whole file: one JSON line (or YAML document) of one kind of pathology."""
    out = [
        b"[" * DEPTH,
        b"{" + b'"a":{' * DEPTH,
        DOC + b'"meta": {"a": ' + b"[" * DEPTH + b"]" * DEPTH + b"}}",
        DOC + b'"meta": ' + b'{"a":' * DEPTH + b"1" + b"}" * DEPTH + b"}",
        b'[{"data": {"text": "t"}, "annotations": ' + b"[" * DEPTH + b"]" * DEPTH + b"}]",
        b'{"text": "t", "meta": ' + b"[" * DEPTH + b"]" * DEPTH + b"}",
    ]
    for number in (b"9" * 40, b"-" + b"9" * 30, b"18446744073709551616", b"1e400", b"NaN"):
        out += [
            DOC + b'"spans": [{"id": "s", "start": ' + number + b', "end": 5, "label": "ACTOR"}]}',
            DOC + b'"meta": {"n": ' + number + b"}}",
            DOC + b'"annotation": {"lead_time": ' + number + b"}}",
        ]
    out += [
        DOC + b'"meta": {"k": "a\\u0000b"}}',
        DOC + b'"meta": {"k": "\\ud800"}}',
        DOC + b'"meta": {"' + b"k" * 100_000 + b'": 1}}',
        b'{"id": "x", "text": "caf\xc3"}',
        b'{"id": "x", "text": "\xed\xa0\x80"}',
        b'{"id": "x",\xef\xbb\xbf "text": "t"}',
        b"\x00" * 1000,
        b"",
        b"\n" * 10_000,
    ]
    return out


def _documents(path: Path) -> None:
    with path.open("rb") as fh:
        list(iter_documents(fh, str(path), schema=load_schema(), unique=True))


def _export(path: Path) -> None:
    tasks = _decode_export(path.read_bytes(), path)
    list(documents_from_export(tasks, schema=load_schema(), path=path))


def _ingest(path: Path) -> None:
    with DedupeIndex(0.8) as index:
        list(iter_ingest([str(path)], index, IngestStats()))


def _score_predictions(path: Path) -> None:
    gold = path.with_name("gold.jsonl")
    write_documents([sample_document()], gold)
    score(gold, path, schema=load_schema(), bootstrap=0, allow_missing=True)


def _score_gold(path: Path) -> None:
    preds = path.with_name("preds.jsonl")
    write_documents([sample_document()], preds)
    score(path, preds, schema=load_schema(), bootstrap=0, allow_missing=True)


def _review(path: Path) -> None:
    list(read_review(path))


def _schema(path: Path) -> None:
    load_schema(path)


READERS: dict[str, Callable[[Path], None]] = {
    "documents": _documents,
    "export": _export,
    "ingest": _ingest,
    "score-predictions": _score_predictions,
    "score-gold": _score_gold,
    "review": _review,
    "schema": _schema,
}


@pytest.mark.parametrize("reader", list(READERS))
def test_nasty_inputs_fuzz(reader: str, tmp_path: Path) -> None:
    path = tmp_path / "input.jsonl"
    for i, data in enumerate(nasty_inputs()):
        path.write_bytes(data + b"\n")
        try:
            READERS[reader](path)
        except BackchannelError as exc:
            check_error(exc, str(path), i)
        except Exception as exc:  # pragma: no cover - the failure we are hunting
            unexpected(i, exc, data)


def test_deep_yaml_schema_fuzz(tmp_path: Path) -> None:
    path = tmp_path / "schema.yaml"
    for i, data in enumerate(
        itertools.chain(
            [
                b"a: " + b"[" * 50_000,
                b"- " * 20_000 + b"x",
                b"&a [*a]",
                b"a: !!python/object:os.system x",
            ],
            [b"name: " + b"x" * 10**6],
        )
    ):
        path.write_bytes(data)
        try:
            load_schema(path)
        except BackchannelError as exc:
            check_error(exc, str(path), i)
        except Exception as exc:  # pragma: no cover
            unexpected(i, exc, data)
