"""The examples of the task pages run: docs/add-a-model.md and docs/add-a-schema.md.

Code is taken from the pages themselves (not copied into the test), so a page that drifts from
the code fails here.  docs/index.md must link every page in docs/, and every relative link in the
pages this folder owns must point at a file that exists.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from backchannel.documents import read_documents
from backchannel.schema import load_schema

from .test_readme import readme_commands, run_commands

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = ["index", "quickstart", "annotate", "publish", "add-a-model", "add-a-schema"]


def blocks(page: str, language: str) -> list[str]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.S | re.M)


def test_add_a_model_example_runs(tmp_path: Path) -> None:
    (code,) = blocks("add-a-model.md", "python")
    (tmp_path / "corpora").symlink_to(ROOT / "corpora")
    (tmp_path / "out").mkdir()
    (tmp_path / "example.py").write_text(code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "example.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "BACKCHANNEL_NO_PROGRESS": "1"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("VENUE F1 ")
    preds = list(read_documents(tmp_path / "out" / "capitals.jsonl", schema=load_schema()))
    assert len(preds) == 5 and all(d.annotator == "capitals" for d in preds)
    assert any(s.label == "VENUE" and s.reason for d in preds for s in d.spans)


def test_add_a_schema_example_runs(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    (schema_yaml,) = blocks("add-a-schema.md", "yaml")
    (document,) = blocks("add-a-schema.md", "json")
    (tmp_path / "trade.yaml").write_text(schema_yaml, encoding="utf-8")
    (tmp_path / "trade.jsonl").write_text(document, encoding="utf-8")
    schema = load_schema(tmp_path / "trade.yaml")
    (doc,) = read_documents(tmp_path / "trade.jsonl", schema=schema)
    assert [doc.text[s.start : s.end] for s in doc.spans] == [
        "The European Union",
        "Chile",
        "a free-trade agreement",
    ]
    text = (DOCS / "add-a-schema.md").read_text(encoding="utf-8")
    commands = readme_commands(text)
    assert len(commands) >= 5
    run_commands("docs/add-a-schema.md", commands, tmp_path, request)
    assert '<Label value="PARTY"' in (tmp_path / "trade-config.xml").read_text("utf-8")
    assert (tmp_path / "trade-dataset" / "README.md").is_file()


def test_index_links_every_page() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(([\w.-]+\.md)(?:#[\w-]*)?\)", index))
    pages = {p.name for p in DOCS.glob("*.md")} - {"index.md"}
    assert not pages - linked, f"docs/index.md does not link {sorted(pages - linked)}"


@pytest.mark.parametrize("page", PAGES)
def test_relative_links_resolve(page: str) -> None:
    text = (DOCS / f"{page}.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if re.match(r"^[a-z]+:", target):
            continue
        assert (DOCS / target).exists(), f"docs/{page}.md links {target}, which does not exist"
