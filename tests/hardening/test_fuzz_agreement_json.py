"""Fuzzing the agreement JSON that ``export --agreement`` reads for the dataset card.

The file is usually written by ``backchannel agree``, but it is a path the user gives, so it may
be anything: the reader must give card rows (or none) or one clear error, never a traceback.
Volume goes through the card's own entry points (``load_agreement``, ``agreement_rows``,
``synthetic_annotators``); a few inputs that once escaped as RecursionError, OverflowError and
OSError go through ``backchannel export`` itself.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Any

import msgspec
from typer.testing import CliRunner

from backchannel.annotation.export.card_agreement import (
    agreement_rows,
    load_agreement,
    synthetic_annotators,
)
from backchannel.cli.app import app
from backchannel.documents import write_documents
from backchannel.errors import BackchannelError
from tests.conftest import sample_document

from .contract import check_cli, check_error, unexpected
from .fuzzing import mutations

FUZZ_COUNT = int(os.environ.get("BACKCHANNEL_FUZZ_COUNT", "10000"))

NASTY = [
    b"[" * 100_000,
    b'{"overall": ' * 50_000 + b"1" + b"}" * 50_000,
    b'{"overall": {"f1": ' + b"9" * 400 + b"}}",
    b'{"overall": {"f1": 0.5, "n": ' + b"9" * 400 + b"}}",
    b'{"overall": {"f1": 1e400, "ci_low": -1e400, "ci_high": NaN}}',
    b'{"source": "' + b"x" * 5000 + b'"}',
    b'{"source": "a/' + b"y" * 300 + b'/b.jsonl"}',
    b'{"source": "bad\\u0000name"}',
    b"\xff\xfe{}",
]


def _seed() -> dict[str, Any]:
    """The export tests' hand-written agreement JSON (the shape ``agree --format json`` has)."""
    path = Path(__file__).resolve().parents[1] / "export" / "conftest.py"
    spec = importlib.util.spec_from_file_location("export_conftest_for_fuzz", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.AGREEMENT


def test_agreement_json_reader_survives_fuzzing(tmp_path: Path) -> None:
    path = tmp_path / "agreement.json"
    seed = _seed()
    inputs = [*NASTY, *mutations([seed, seed["overall"]], FUZZ_COUNT, seed=51)]
    outcomes = {"read": 0, "error": 0}
    for i, data in enumerate(inputs):
        path.write_bytes(data)
        try:
            loaded = load_agreement(path)
            rows = agreement_rows(loaded)
            synthetic_annotators(loaded, path)
        except BackchannelError as exc:
            check_error(exc, str(path), i)
            outcomes["error"] += 1
            continue
        except Exception as exc:  # pragma: no cover - the failure we are hunting
            unexpected(i, exc, data)
        for row in rows:  # what the card prints is finite and serialisable
            msgspec.json.encode(row)
        outcomes["read"] += 1
    assert outcomes["read"] > 0 and outcomes["error"] > 0, outcomes


def test_export_command_with_hostile_agreement_json_fuzz(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    write_documents(
        [msgspec.structs.replace(sample_document(), id=f"d{i}") for i in range(5)], gold
    )
    agreement = tmp_path / "agreement.json"
    runner = CliRunner()
    ok = 0
    for i, data in enumerate([*NASTY, json.dumps(_seed()).encode()]):
        agreement.write_bytes(data)
        out = tmp_path / f"ds{i}"
        args = ["export", str(gold), "-o", str(out), "--agreement", str(agreement)]
        res = runner.invoke(app, [*args, "--no-spacy", "--no-events"])
        if check_cli(res, out, str(agreement), i, data):
            assert (out / "README.md").is_file()
            ok += 1
    assert ok >= 1
