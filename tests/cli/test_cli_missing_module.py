"""A library missing at run time is one ``error:`` line naming what to install, not a traceback.

Each case runs the real CLI in a fresh interpreter in which one import is made to fail the way
a broken install fails: ``sys.modules[name] = None`` makes Python raise the same
``ModuleNotFoundError`` an absent package raises.  Blocking ``lxml_html_clean`` reproduces the
README-install failure of issue 15 exactly: lxml then raises its own ``ImportError`` ("now a
separate project") from inside trafilatura's import chain.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PAGE = (
    "<html><head><title>Talks</title></head><body><article><h1>Talks</h1>"
    "<p>The minister phoned her counterpart on Monday to discuss the border crossing.</p>"
    "<p>Both sides said the call was constructive and agreed to meet again next week.</p>"
    "</article></body></html>"
)

RUN_WITHOUT = """
import sys
for name in sys.argv[1].split(","):
    sys.modules[name] = None  # import of NAME now fails as if it were not installed
from backchannel.cli.app import main
main(sys.argv[2:])
"""


def _ingest_without(blocked: str, tmp_path: Path) -> subprocess.CompletedProcess:
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    out = tmp_path / "corpus.jsonl"
    args = [sys.executable, "-c", RUN_WITHOUT, blocked, "ingest", str(page), "-o", str(out)]
    return subprocess.run(args, capture_output=True, text=True, timeout=120, cwd=tmp_path)


@pytest.mark.parametrize(
    ("blocked", "names"),
    [
        ("lxml_html_clean", "lxml_html_clean"),  # what the README's install line left out
        ("trafilatura", "pip install trafilatura"),
    ],
)
def test_missing_module_is_one_error_line(blocked: str, names: str, tmp_path: Path) -> None:
    result = _ingest_without(blocked, tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert names in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "corpus.jsonl").exists()


def test_the_same_page_ingests_when_nothing_is_blocked(tmp_path: Path) -> None:
    result = _ingest_without("no_such_module_blocked_here", tmp_path)
    assert result.returncode == 0, result.stderr
    assert '"title":"Talks"' in (tmp_path / "corpus.jsonl").read_text(encoding="utf-8")
