"""Ingest: formats, normalisation, stable ids, determinism, de-duplication."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from backchannel.annotation.ingest.corpus import Duplicate, ingest
from backchannel.normalise import document_id


def test_txt_is_normalised_once_and_says_what_was_done(files, tmp_path: Path) -> None:
    # NFD "é" (e + combining acute), CRLF line ends, a BOM, trailing spaces, an emoji.
    raw = "\ufeffCafe\u0301 talks \U0001f91d\r\nin Vienna  \r\n\r\n\r\n\r\nended.\r\n"
    src = files.write("a.txt", raw.encode("utf-8"))
    result = ingest([src], tmp_path / "corpus.jsonl")
    [doc] = files.read("corpus.jsonl")
    assert doc.text == "Café talks \U0001f91d\nin Vienna\n\nended."
    assert unicodedata.is_normalized("NFC", doc.text)
    assert doc.meta == {"file": src.as_posix(), "normalised": ["nfc", "newlines", "whitespace"]}
    assert doc.id == document_id(doc.text)
    assert (result.read, result.documents, result.files) == (1, 1, 1)


def test_clean_text_records_no_steps(files, tmp_path: Path) -> None:
    files.write("a.txt", "Already clean.")
    ingest([tmp_path / "a.txt"], tmp_path / "corpus.jsonl")
    [doc] = files.read("corpus.jsonl")
    assert doc.meta["normalised"] == []


def test_html_main_text_and_metadata(files, tmp_path: Path, article_html: str) -> None:
    src = files.write("page.html", article_html)
    ingest([src], tmp_path / "corpus.jsonl")
    [doc] = files.read("corpus.jsonl")
    assert "President Anna Reyes phoned the Kremlin on Monday" in doc.text
    assert "Turkey has offered to mediate" in doc.text
    for boilerplate in ("Sign in", "cookies", "Copyright", "Privacy policy", "Sport"):
        assert boilerplate not in doc.text
    meta = doc.meta
    assert meta["title"] == "Leaders talk by phone"
    assert meta["author"] == "Jane Doe"
    assert meta["published"] == "2025-03-05"
    assert meta["url"] == "https://example.org/world/leaders-talk"
    assert meta["source"] == "Daily Planet"
    assert meta["extractor"].startswith("trafilatura ")
    # The canonical URL salts the id.
    assert doc.id == document_id(doc.text, "https://example.org/world/leaders-talk")
    assert doc.id != document_id(doc.text)


def test_jsonl_keeps_meta_id_and_url(files, tmp_path: Path) -> None:
    src = files.jsonl(
        "in.jsonl",
        {"text": "First article.", "meta": {"title": "One", "license": "CC0-1.0"}},
        {"id": "mine-2", "text": "Second article.", "url": "https://example.org/2"},
        {"text": "Third article.", "meta": {"url": "https://example.org/3"}},
    )
    ingest([src], tmp_path / "corpus.jsonl")
    one, two, three = files.read("corpus.jsonl")
    assert one.id == document_id("First article.")
    assert one.meta == {
        "title": "One",
        "license": "CC0-1.0",
        "file": src.as_posix(),
        "normalised": [],
    }
    assert two.id == "mine-2"
    assert two.meta["url"] == "https://example.org/2"
    assert three.id == document_id("Third article.", "https://example.org/3")


def test_jsonl_blank_lines_and_bom(files, tmp_path: Path) -> None:
    src = files.write("in.jsonl", b'\xef\xbb\xbf{"text": "a"}\n\n   \n{"text": "b"}\n')
    result = ingest([src], tmp_path / "corpus.jsonl")
    assert [d.text for d in files.read("corpus.jsonl")] == ["a", "b"]
    assert result.read == 2


def test_folders_recursive_sorted_hidden_and_other_types_skipped(files, tmp_path: Path) -> None:
    files.write("arts/b/2.txt", "b2")
    files.write("arts/b/1.txt", "b1")
    files.write("arts/a.txt", "a")
    files.write("arts/Z.txt", "Z")  # code-point order: "Z" < "a" < "b"
    files.write("arts/notes.pdf", "not an article")
    files.write("arts/.hidden.txt", "hidden")
    files.write("arts/.git/x.txt", "hidden folder")
    result = ingest([tmp_path / "arts"], tmp_path / "corpus.jsonl")
    assert [d.text for d in files.read("corpus.jsonl")] == ["Z", "a", "b1", "b2"]
    assert (result.files, result.skipped_files) == (4, 1)


def test_glob_sources(files, tmp_path: Path) -> None:
    files.write("arts/x/1.txt", "one")
    files.write("arts/y/2.txt", "two")
    files.write("arts/y/3.html.bak", "skip")
    ingest([str(tmp_path / "arts" / "**" / "*.txt")], tmp_path / "corpus.jsonl")
    assert [d.text for d in files.read("corpus.jsonl")] == ["one", "two"]


def test_output_inside_a_source_folder_is_not_read_back(files, tmp_path: Path) -> None:
    files.write("arts/a.txt", "a")
    out = tmp_path / "arts" / "corpus.jsonl"
    ingest([tmp_path / "arts"], out)
    first = out.read_bytes()
    result = ingest([tmp_path / "arts"], out)
    assert out.read_bytes() == first
    assert result.exact_duplicates == 0


def test_reingest_gives_identical_ids_and_bytes(files, tmp_path: Path, article_html: str) -> None:
    files.write("arts/a.txt", "Alpha\r\n")
    files.write("arts/page.html", article_html)
    files.jsonl("arts/more.jsonl", {"text": "Gamma \u0041\u030a"}, {"text": "Alpha"})
    ingest([tmp_path / "arts"], tmp_path / "one.jsonl", license="CC-BY-4.0")
    ingest([tmp_path / "arts"], tmp_path / "two.jsonl", license="CC-BY-4.0")
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()
    # Ingesting ingest's own output changes nothing at all.
    ingest([tmp_path / "one.jsonl"], tmp_path / "three.jsonl")
    assert (tmp_path / "three.jsonl").read_bytes() == (tmp_path / "one.jsonl").read_bytes()


def test_exact_duplicates_dropped_and_reported(files, tmp_path: Path) -> None:
    files.write("a.txt", "Same story.\n")
    files.write("b.txt", "Same story.")  # differs only before normalisation
    files.jsonl("c.jsonl", {"text": "Other."}, {"text": "Same story.", "url": "https://x.org"})
    result = ingest([tmp_path], tmp_path / "out" / "corpus.jsonl")
    docs = files.read("out/corpus.jsonl")
    assert [d.text for d in docs] == ["Same story.", "Other."]
    kept = docs[0].id
    assert result.exact_duplicates == 2
    assert result.duplicates == (
        Duplicate("exact", f"{tmp_path}/b.txt", kept, kept, 1.0),
        Duplicate(
            "exact", f"{tmp_path}/c.jsonl:2", document_id("Same story.", "https://x.org"), kept, 1.0
        ),
    )
    assert "2 exact duplicates dropped" in result.summary()


def test_near_duplicates_flagged_never_dropped(
    files, tmp_path: Path, base_text: str, near_text: str
) -> None:
    files.jsonl("in.jsonl", {"text": base_text}, {"text": "Unrelated."}, {"text": near_text})
    result = ingest([tmp_path / "in.jsonl"], tmp_path / "corpus.jsonl")
    base, other, near = files.read("corpus.jsonl")
    assert near.meta["near_duplicate_of"] == base.id
    assert 0.8 <= near.meta["near_duplicate_similarity"] < 1.0
    assert "near_duplicate_of" not in base.meta
    assert "near_duplicate_of" not in other.meta
    assert (result.documents, result.near_duplicates, result.exact_duplicates) == (3, 1, 0)
    [dup] = result.duplicates
    assert (dup.kind, dup.id, dup.of) == ("near", near.id, base.id)
    assert result.summary() == (
        f"ingested 3 documents from 1 file (0 exact duplicates dropped, "
        f"1 near-duplicate flagged) -> {tmp_path / 'corpus.jsonl'}"
    )


def test_near_duplicate_threshold_is_respected(
    files, tmp_path: Path, base_text: str, near_text: str
) -> None:
    files.jsonl("in.jsonl", {"text": base_text}, {"text": near_text})
    result = ingest([tmp_path / "in.jsonl"], tmp_path / "corpus.jsonl", near_dup_threshold=0.95)
    assert result.near_duplicates == 0
    assert all("near_duplicate_of" not in d.meta for d in files.read("corpus.jsonl"))


def test_stale_near_duplicate_flags_are_recomputed(files, tmp_path: Path) -> None:
    files.jsonl(
        "in.jsonl",
        {
            "text": "On its own.",
            "meta": {"near_duplicate_of": "gone", "near_duplicate_similarity": 1},
        },
    )
    ingest([tmp_path / "in.jsonl"], tmp_path / "corpus.jsonl")
    [doc] = files.read("corpus.jsonl")
    assert "near_duplicate_of" not in doc.meta
    assert "near_duplicate_similarity" not in doc.meta


def test_license_default_and_requirement(files, tmp_path: Path) -> None:
    files.jsonl(
        "in.jsonl",
        {"text": "Has its own.", "meta": {"license": "CC0-1.0"}},
        {"text": "Has none."},
    )
    ingest([tmp_path / "in.jsonl"], tmp_path / "c.jsonl", license="CC-BY-4.0", require_license=True)
    own, given = files.read("c.jsonl")
    assert own.meta["license"] == "CC0-1.0"
    assert given.meta["license"] == "CC-BY-4.0"


def test_stdin_source(files, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    fake = io.TextIOWrapper(io.BytesIO(b'{"text": "from stdin"}\n'), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", fake)
    ingest(["-"], tmp_path / "corpus.jsonl")
    [doc] = files.read("corpus.jsonl")
    assert doc.text == "from stdin"
    assert "file" not in doc.meta


def test_no_index_files_left_behind(files, tmp_path: Path, base_text: str) -> None:
    files.jsonl("in.jsonl", {"text": base_text})
    ingest([tmp_path / "in.jsonl"], tmp_path / "corpus.jsonl")
    assert files.leftovers() == []


def test_html_in_a_declared_legacy_encoding(files, tmp_path: Path, article_html: str) -> None:
    page = article_html.replace('<meta charset="utf-8">', '<meta charset="windows-1252">')
    page = page.replace("Anna Reyes", "Anna Peña").replace(
        "her office said", "her office’s note said"
    )
    src = files.write("legacy.html", page.encode("cp1252"))
    ingest([src], tmp_path / "corpus.jsonl")
    [doc] = files.read("corpus.jsonl")
    assert "President Anna Peña phoned the Kremlin" in doc.text
    assert "her office’s note said" in doc.text
    assert doc.meta["encoding"] == "cp1252"


def test_articles_stream_out_before_later_sources_are_read(files, tmp_path: Path) -> None:
    from backchannel.annotation.ingest.corpus import IngestStats, iter_ingest
    from backchannel.annotation.ingest.dedupe import DedupeIndex
    from backchannel.errors import IngestError

    src = files.write("in.jsonl", '{"text": "first"}\n{"text": \n')
    with DedupeIndex(0.8) as index:
        stats = IngestStats()
        docs = iter_ingest([src], index, stats)
        assert next(docs).text == "first"  # yielded before the bad line 2 is read
        assert stats.read == 1
        with pytest.raises(IngestError) as err:
            next(docs)
    assert (err.value.path, err.value.line) == (str(src), 2)
