"""The real-text corpus ``corpora/realnews/``: built like the bundled one, every record licensed."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from backchannel.documents import read_documents
from backchannel.errors import DocumentError
from corpora import build

GOLD = build.CORPUS_SPECS["realnews"].dir / "gold.jsonl"
LICENSES = {
    "LicenseRef-US-Gov-Public-Domain",
    "OGL-UK-3.0",
    "LicenseRef-Wikinews-Public-Domain",
    "CC-BY-4.0",
    "CC-BY-2.5",
}


@pytest.fixture(scope="module")
def realnews() -> build.BuildResult:
    return build.build_corpus(corpus="realnews")


def test_committed_outputs_equal_a_rebuild(realnews):
    check = build.check_outputs(realnews)
    assert check.ok, [f"{d.path}: {d.summary}" for d in check.diffs]
    assert set(realnews.outputs()) == {
        build.CORPUS_SPECS["realnews"].dir / "articles.jsonl",
        GOLD,
        build.README,
    }


def test_every_document_says_where_it_comes_from_and_under_which_licence():
    docs = list(read_documents(GOLD))
    for doc in docs:
        meta = doc.meta
        assert meta["license"] in LICENSES, meta["file"]
        assert meta["source"], meta["file"]
        assert re.fullmatch(r"https?://\S+", meta["url"]), meta["file"]
        assert re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", meta["published"]), meta["file"]
        assert meta.get("synthetic", False) is False
        assert "whitehouse.gov" not in meta["url"] + meta.get("notes", "")


def test_cc_by_records_carry_the_attribution_and_their_url():
    docs = [d for d in read_documents(GOLD) if d.meta["license"] == "CC-BY-2.5"]
    assert docs
    attribution = "From Wikinews (en.wikinews.org), licensed under CC BY 2.5"
    for doc in docs:
        notes = doc.meta["notes"]
        assert attribution in notes, doc.meta["file"]
        assert doc.meta["url"] in notes, doc.meta["file"]
        assert doc.meta["published"] >= "2005-09-25", doc.meta["file"]


def test_enough_documents_and_sources_for_cross_validation_by_source():
    docs = list(read_documents(GOLD))
    per_source = Counter(d.meta["source"] for d in docs)
    assert len(docs) >= 40
    assert len(per_source) >= 3
    assert max(per_source.values()) <= 0.6 * len(docs)


def test_every_document_has_people_and_contacts():
    # People may be named or only titled: 042 has presidents but no names ("Congo's president").
    for doc in read_documents(GOLD):
        kinds = Counter(
            s.attrs.get("actor_kind") if s.label == "ACTOR" else s.label for s in doc.spans
        )
        assert kinds["person"] + kinds["role"] >= 1, doc.meta["file"]
        assert kinds["CHANNEL"] >= 1, doc.meta["file"]
        assert doc.doc_labels["relevant"] == "yes"


def test_realnews_refuses_a_synthetic_record(tmp_path: Path):
    arts = tmp_path / "articles"
    arts.mkdir()
    (arts / "001-call.txt").write_text("Rubio calls Wang\n\nRubio called Wang.", encoding="utf-8")
    (arts / "001-call.yaml").write_text(
        'meta: {title: "Rubio calls Wang", source: "X", url: "https://example.org/a", '
        'published: "2025-01-01", license: OGL-UK-3.0, synthetic: true}\n'
        'doc_labels: {relevant: "yes"}\nspans: []\n',
        encoding="utf-8",
    )
    (tmp_path / "README.md").write_text(
        "<!-- realnews-stats:start -->\n<!-- realnews-stats:end -->\n", encoding="utf-8"
    )
    with pytest.raises(DocumentError, match="must be false"):
        build.build_corpus(arts, corpus="realnews", readme=tmp_path / "README.md", out_dir=tmp_path)


def test_cli_check_without_corpus_checks_both(capsys):
    assert build.main(["--check"]) == 0
    out = capsys.readouterr().out
    assert "ok: diplomacy:" in out and "ok: realnews: " in out
