"""Fuzzing the readers: any input gives valid records or one clear error, never a traceback.

The contract for every reader: it yields records that are valid (and can be written back), or it
raises the reader's own :class:`BackchannelError` subclass whose message is one line naming the
file.  Anything else (KeyError, TypeError, UnicodeError, RecursionError...) is a bug.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import msgspec
import pytest
import yaml

from backchannel.documents import encode_document, iter_documents
from backchannel.errors import DocumentError, SchemaError
from backchannel.schema import default_schema_path, load_schema

from .fuzzing import mutations

FUZZ_COUNT = int(os.environ.get("BACKCHANNEL_FUZZ_COUNT", "10000"))


def _seed_documents() -> list[object]:
    from tests.conftest import sample_document

    doc = sample_document()
    base = msgspec.to_builtins(doc)
    with_text = dict(base)
    with_text["spans"] = [dict(s, text=doc.text[s["start"] : s["end"]]) for s in base["spans"]]
    stance = dict(base)
    stance["relations"] = [
        *base["relations"],
        {"head": "s1", "tail": "s4", "label": "STANCE", "attrs": {"polarity": "favor"}},
    ]
    return [base, with_text, stance, {"id": "x", "text": "a😀b\u0301\nc"}]


def test_document_reader_survives_fuzzing(schema) -> None:
    seeds = _seed_documents()
    outcomes = {"valid": 0, "error": 0}
    for i, data in enumerate(mutations(seeds, FUZZ_COUNT, seed=13)):
        stream = io.BytesIO(data + b"\n")
        try:
            docs = list(iter_documents(stream, "fuzz.jsonl", schema=schema, unique=True))
        except DocumentError as exc:
            message = str(exc)
            assert "\n" not in message, (i, message)
            assert message.startswith("fuzz.jsonl"), (i, message)
            assert len(message) < 400, (i, message)
            outcomes["error"] += 1
            continue
        except Exception as exc:  # pragma: no cover - the failure we are hunting
            pytest.fail(f"input {i} raised {type(exc).__name__}: {exc!r} on {data[:200]!r}")
        for doc in docs:
            encode_document(doc).decode("utf-8")
            doc.text.encode("utf-8")
            for span in doc.spans:
                assert 0 <= span.start < span.end <= len(doc.text)
        outcomes["valid"] += 1
    assert outcomes["valid"] > 0 and outcomes["error"] > 0, outcomes


def test_schema_reader_survives_fuzzing(tmp_path: Path) -> None:
    base = yaml.safe_load(default_schema_path().read_text(encoding="utf-8"))
    base["spans"]["ACTOR"]["attributes"]["country"]["values"] = ["GBR", "FRA", "UNK"]
    small = {"name": "s", "version": "1", "spans": {"A": {"attributes": {"k": {"values": ["x"]}}}}}
    count = max(FUZZ_COUNT // 10, 200)  # each input is a file load: fewer, but still many
    path = tmp_path / "schema.yaml"
    loaded = errors = 0
    dump = lambda o: yaml.safe_dump(o, allow_unicode=True)  # noqa: E731
    for i, data in enumerate(mutations([base, small], count, seed=7, dump=dump)):
        path.write_bytes(data)
        try:
            load_schema(path)
            loaded += 1
        except SchemaError as exc:
            assert "\n" not in str(exc) and str(path) in str(exc), (i, str(exc))
            errors += 1
        except Exception as exc:  # pragma: no cover
            pytest.fail(f"input {i} raised {type(exc).__name__}: {exc!r} on {data[:300]!r}")
    assert loaded > 0 and errors > 0


def test_json_dump_of_seeds_is_valid() -> None:
    for seed in _seed_documents():
        json.dumps(seed)
