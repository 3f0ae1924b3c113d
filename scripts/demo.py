"""``make demo``: the whole job end to end on the bundled corpus, offline, writing under out/.

Every step is a real ``backchannel`` command run as a user would run it, so the demo doubles as
a check that the command line works on a fresh clone.  Steps whose capability has not landed yet
are skipped with a note rather than faked.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "out"
CORPUS = ROOT / "corpora" / "diplomacy"
EXE = [sys.executable, "-m", "backchannel"]


def run(*args: str, stdout: Path | None = None) -> None:
    shown = " ".join(["backchannel", *args]) + (f" > {stdout.relative_to(ROOT)}" if stdout else "")
    print(f"$ {shown}", flush=True)
    started = time.perf_counter()
    if stdout is not None:
        with stdout.open("w", encoding="utf-8") as fh:
            subprocess.run([*EXE, *args], check=True, stdout=fh, cwd=ROOT)
    else:
        subprocess.run([*EXE, *args], check=True, cwd=ROOT)
    print(f"  ({time.perf_counter() - started:.1f} s)", flush=True)


def main() -> int:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir()
    written: list[str] = []
    run("schema", "config", stdout=OUT / "label_config.xml")
    run("schema", "guide", stdout=OUT / "guide.md")
    written += ["out/label_config.xml", "out/guide.md"]
    gold = CORPUS / "gold.jsonl"
    if gold.exists():
        run("schema", "validate", str(gold), "--complete")
    print("\nWritten:")
    for path in written:
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
