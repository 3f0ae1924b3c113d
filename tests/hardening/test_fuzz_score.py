"""Fuzzing the scorer's own Document reader (the lean decoder of ``eval/scoring/joining.py``).

``score`` does not use the general Document reader: for speed it decodes with a lean decoder and
checks offsets and attributes in columns, falling back to the full reader for the message.  So it
is fuzzed on its own, with the Document seeds and mutations of ``test_fuzz_readers``: damaged
predictions against a good gold file, and a damaged gold file against good predictions.  An error
may name either file (a prediction whose text differs from the gold names both), but it is one
line and starts with one of them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backchannel.cli.app import app
from backchannel.documents import write_documents
from backchannel.errors import BackchannelError
from backchannel.eval.scoring.scorer import score
from tests.conftest import sample_document

from .contract import unexpected
from .fuzzing import mutations
from .test_fuzz_readers import _seed_documents

FUZZ_COUNT = int(os.environ.get("BACKCHANNEL_FUZZ_COUNT", "10000"))
COUNTS = {"predictions": FUZZ_COUNT, "gold": max(FUZZ_COUNT // 5, 500)}


@pytest.mark.parametrize("damaged", ["predictions", "gold"])
def test_score_readers_survive_fuzzing(damaged: str, schema, tmp_path: Path) -> None:
    gold, preds = tmp_path / "gold.jsonl", tmp_path / "preds.jsonl"
    good = gold if damaged == "predictions" else preds
    target = preds if damaged == "predictions" else gold
    write_documents([sample_document()], good)
    outcomes = {"scored": 0, "error": 0}
    for i, data in enumerate(mutations(_seed_documents(), COUNTS[damaged], seed=41)):
        target.write_bytes(data + b"\n")
        try:
            score(gold, preds, schema=schema, bootstrap=0, allow_missing=True)
        except BackchannelError as exc:
            message = str(exc)
            assert "\n" not in message and len(message) < 500, (i, message)
            assert message.startswith((str(gold), str(preds))), (i, message)
            outcomes["error"] += 1
            continue
        except Exception as exc:  # pragma: no cover - the failure we are hunting
            unexpected(i, exc, data)
        outcomes["scored"] += 1
    assert outcomes["scored"] > 0 and outcomes["error"] > 0, outcomes


def test_score_command_fuzz_huge_offsets(tmp_path: Path) -> None:
    """The inputs that once escaped as OverflowError, through the command: one line, exit 1."""
    gold, preds, out = tmp_path / "gold.jsonl", tmp_path / "preds.jsonl", tmp_path / "r.json"
    write_documents([sample_document()], gold)
    base = preds.parent / "base.jsonl"
    write_documents([sample_document()], base)
    line = base.read_text(encoding="utf-8")
    for value in ("9223372036854775808", "-1180591620717411303424", "18446744073709551616"):
        preds.write_text(re.sub(r'"start": ?21', f'"start": {value}', line), encoding="utf-8")
        res = CliRunner().invoke(app, ["score", str(gold), str(preds), "-o", str(out)])
        assert res.exit_code == 1, res.output
        (message,) = res.output.strip().splitlines()
        assert message.startswith(f"error: {preds}:1: document doc-1"), message
        assert not out.exists()
