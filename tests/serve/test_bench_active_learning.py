"""The simulated-annotator benchmark's --quick path runs end to end (a smoke test).

It trains the real spacy model four times on two documents (about 25 s on the shared machine),
scores with the real scorer and draws the real plot; the figures themselves are in
docs/serve.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quick_run_writes_both_curves_a_table_and_a_plot(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_active_learning.py"),
            "--quick",
            "--out",
            str(tmp_path),
            "--plot",
            str(tmp_path / "curve.png"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    curve = json.loads((tmp_path / "curve.json").read_text(encoding="utf-8"))
    # 4 pool documents in batches of 2: 2 and 4 annotated, for each order
    assert sorted((p["order"], p["documents"]) for p in curve["points"]) == [
        ("random", 2), ("random", 4), ("uncertainty", 2), ("uncertainty", 4),
    ]  # fmt: skip
    for p in curve["points"]:
        assert 0.0 <= p["f1"] <= 1.0 and p["low"] <= p["f1"] <= p["high"]
    table = (tmp_path / "table.md").read_text(encoding="utf-8")
    assert table.splitlines()[0].startswith("| Documents annotated | Random")
    assert [line.split("|")[1].strip() for line in table.splitlines()[2:]] == ["2", "4"]
    assert (tmp_path / "curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
