"""The bundled corpus itself: complete, valid, reproducible, and covering the hard cases.

These tests read the committed files in ``corpora/diplomacy/`` and rebuild them from the
sources, so they fail when someone edits an article without running ``corpora/build.py``.
"""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from collections import Counter

import pytest

from backchannel.documents import read_documents
from backchannel.normalise import document_id, normalise_text
from corpora import build
from corpora.noise import DEFAULT_PROFILES, NOISE_KINDS

GOLD = build.CORPUS_DIR / "gold.jsonl"
ARTICLES = build.CORPUS_DIR / "articles.jsonl"
ANNOTATIONS = build.CORPUS_DIR / "annotations.jsonl"


@pytest.fixture(scope="module")
def gold(schema):
    return list(read_documents(GOLD, schema=schema, unique=True))


@pytest.fixture(scope="module")
def annotations(schema):
    return list(read_documents(ANNOTATIONS, schema=schema, unique=True))


def test_gold_validates_and_has_every_required_attribute(gold, schema):
    assert gold
    for doc in gold:
        assert schema.missing_required(doc) == [], doc.meta["file"]
        assert doc.annotator == "gold" and doc.schema_version == schema.version


def test_every_span_text_equals_its_offsets(gold, annotations):
    for doc in [*gold, *annotations]:
        for span in doc.spans:
            assert span.text == doc.text[span.start : span.end], (doc.meta["file"], span.id)


def test_at_least_forty_articles():
    """Both halves of the corpus (001-021 and 022-042) must be in."""
    assert len(list(read_documents(GOLD))) >= 40


def test_articles_are_150_to_600_words(gold):
    for doc in gold:
        words = len(doc.text.split())
        assert 150 <= words <= 600, (doc.meta["file"], words)


def test_meta_says_synthetic_licence_and_authors(gold):
    for doc in gold:
        assert doc.meta["synthetic"] is True, doc.meta["file"]
        assert doc.meta["license"] == "CC-BY-4.0"
        assert doc.meta["authored_by"]
        assert doc.meta["title"] == doc.text.split("\n", 1)[0]


def test_committed_outputs_equal_a_rebuild(corpus):
    check = build.check_outputs(corpus)
    assert check.ok, [f"{d.path.name}: {d.summary}" for d in check.diffs]


def test_check_command_exits_0_on_the_committed_corpus():
    proc = subprocess.run(
        [sys.executable, str(build.CORPORA / "build.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok: ")


def test_raw_articles_normalise_to_the_gold(gold):
    raw = list(read_documents(ARTICLES, unique=True))
    assert [d.id for d in raw] == [d.id for d in gold]
    for r, g in zip(raw, gold, strict=True):
        text, _ = normalise_text(r.text)
        assert text == g.text
        assert document_id(text) == g.id


def test_one_source_is_crlf_and_no_gold_text_has_a_carriage_return(gold):
    crlf = [p.name for p in build.ARTICLES_DIR.glob("*.txt") if b"\r\n" in p.read_bytes()]
    assert crlf == ["019-nordic-ministers-meet-oslo.txt"]
    assert all("\r" not in doc.text for doc in gold)
    raw = {d.id: d for d in read_documents(ARTICLES)}
    assert sum("\r\n" in d.text for d in raw.values()) == 1


def test_one_source_has_combining_marks_and_the_gold_is_nfc(gold):
    decomposed = [
        p.name
        for p in build.ARTICLES_DIR.glob("*.txt")
        if any(unicodedata.combining(c) for c in p.read_text(encoding="utf-8"))
    ]
    assert "018-vietnam-serbia-ministers-meet.txt" in decomposed
    assert all(unicodedata.is_normalized("NFC", doc.text) for doc in gold)
    vietnam = next(
        d for d in gold if d.meta["file"].endswith("018-vietnam-serbia-ministers-meet.txt")
    )
    assert "nfc" in vietnam.meta["normalised"]
    assert any(s.text == "Драган Миловановић" for s in vietnam.spans)


def test_emoji_and_curly_quotes_are_in_the_corpus(gold):
    texts = "".join(doc.text for doc in gold)
    assert "🇱🇹" in texts and "“" in texts and "’" in texts


def test_three_annotators_on_at_least_twenty_articles(gold, annotations):
    per_doc = Counter(doc.id for doc in annotations)
    assert sum(1 for n in per_doc.values() if n == 3) >= 20
    names = {doc.annotator for doc in annotations}
    assert names == {p.name for p in DEFAULT_PROFILES}
    gold_ids = {doc.id for doc in gold}
    assert set(per_doc) <= gold_ids
    skipped = {
        name: gold_ids - {d.id for d in annotations if d.annotator == name} for name in names
    }
    assert sorted(len(s) for s in skipped.values()) == [0, 0, 1]  # one annotator skipped one


def test_annotators_disagree_in_every_documented_way(corpus):
    for profile in DEFAULT_PROFILES:
        assert profile.name in corpus.stats.noise
    seen = Counter()
    for counter in corpus.stats.noise.values():
        seen.update(counter)
    missing = [kind for kind in NOISE_KINDS if seen[kind] == 0]
    assert missing == []
    careful, _, sloppy = (corpus.stats.noise[p.name] for p in DEFAULT_PROFILES)
    assert sum(careful.values()) < sum(sloppy.values())


def test_readme_table_is_generated_and_current(corpus):
    readme = build.README.read_text(encoding="utf-8")
    assert build.STATS_START in readme and build.STATS_END in readme
    assert readme == corpus.readme
    assert f"**{corpus.stats.documents}** documents" in readme


def test_ingest_of_the_raw_articles_reproduces_the_gold_texts_and_ids(gold, tmp_path, runner):
    """articles.jsonl is what `backchannel ingest` consumes: CRLF and NFD must come out as gold."""
    from backchannel.cli.app import app

    out = tmp_path / "corpus.jsonl"
    result = runner.invoke(app, ["ingest", str(ARTICLES), "-o", str(out)])
    assert result.exit_code == 0, result.output
    ingested = {d.id: d.text for d in read_documents(out)}
    assert ingested == {d.id: d.text for d in gold}
