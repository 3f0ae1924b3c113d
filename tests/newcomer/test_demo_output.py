"""``make demo`` never deletes or changes a file it did not create (issue 15).

README's walkthrough sends the user's own files to ``out/`` (pulled annotations, gold versions
that are "never overwritten"); the demo once emptied all of ``out/``.  It now writes only into
``out/demo/`` and replaces that folder only when its marker file proves the demo made it.  The
cleaning step is tested directly (the whole demo takes minutes; ``make demo`` runs it for real).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("backchannel_demo", ROOT / "scripts" / "demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_demo_writes_into_its_own_folder(demo: ModuleType) -> None:
    assert demo.OUT == ROOT / "out" / "demo"


def test_user_files_in_out_survive_a_demo_run(demo: ModuleType, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "gold").mkdir(parents=True)
    mine = {
        out / "annotations.jsonl": '{"id": "a"}\n',
        out / "gold" / "v0001.jsonl": '{"id": "g"}\n',
    }
    for path, text in mine.items():
        path.write_text(text, encoding="utf-8")
    demo.fresh_output(out / "demo")  # a first run
    (out / "demo" / "report.html").write_text("<p>old</p>", encoding="utf-8")
    demo.fresh_output(out / "demo")  # a re-run replaces only the demo's own folder
    for path, text in mine.items():
        assert path.read_text(encoding="utf-8") == text
    assert sorted(p.name for p in (out / "demo").iterdir()) == [demo.MARKER]


def test_a_folder_the_demo_did_not_make_is_refused(demo: ModuleType, tmp_path: Path) -> None:
    theirs = tmp_path / "out" / "demo"
    theirs.mkdir(parents=True)
    (theirs / "notes.md").write_text("my notes\n", encoding="utf-8")
    with pytest.raises(demo.NotTheDemosFolder, match="not made by `make demo`"):
        demo.fresh_output(theirs)
    assert (theirs / "notes.md").read_text(encoding="utf-8") == "my notes\n"


def test_a_file_in_the_demos_place_is_refused(demo: ModuleType, tmp_path: Path) -> None:
    theirs = tmp_path / "demo"
    theirs.write_text("a file\n", encoding="utf-8")
    with pytest.raises(demo.NotTheDemosFolder, match="not a folder"):
        demo.fresh_output(theirs)
    assert theirs.read_text(encoding="utf-8") == "a file\n"
