"""Document JSONL: exact round trips, lazy reading, one-line errors, atomic writes."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.documents import (
    Document,
    Relation,
    Span,
    decode_document,
    encode_document,
    read_documents,
    validate_document,
    write_documents,
)
from backchannel.errors import DocumentError

# Text with emoji, combining marks, CR/LF and control characters (NUL excluded).
texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=200,
)


@st.composite
def documents(draw: st.DrawFn) -> Document:
    text = draw(st.one_of(texts, st.sampled_from(["a😀b\u0301c\r\nd", "x\u0308y\nz 🇺🇦 end"])))
    n = draw(st.integers(0, 5))
    spans = []
    for i in range(n):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        spans.append(Span(id=f"s{i}", start=start, end=end, label="ACTOR", text=text[start:end]))
    rels = []
    if len(spans) >= 2:
        rels.append(Relation(head="s0", tail="s1", label="STANCE", attrs={"polarity": "favor"}))
    return Document(
        id=draw(st.text(min_size=1, max_size=20)), text=text, spans=spans, relations=rels
    )


@given(documents())
@settings(max_examples=300)
def test_jsonl_round_trip_is_exact(doc: Document) -> None:
    line = encode_document(doc)
    back = decode_document(line)
    assert back == doc
    assert encode_document(back) == line
    for span in back.spans:
        assert back.text[span.start : span.end] == span.text


@given(st.lists(documents(), max_size=5))
@settings(max_examples=50, deadline=None)
def test_file_round_trip_is_exact(
    tmp_path_factory: pytest.TempPathFactory, docs: list[Document]
) -> None:
    path = tmp_path_factory.mktemp("rt") / "docs.jsonl"
    assert write_documents(docs, path) == len(docs)
    assert list(read_documents(path)) == docs


def test_reader_is_lazy(tmp_path: Path, doc: Document) -> None:
    path = tmp_path / "docs.jsonl"
    write_documents([doc], path)
    with path.open("ab") as fh:
        fh.write(b"{not json\n")
    stream = read_documents(path)
    assert next(stream) == doc  # the bad second line is not read yet
    with pytest.raises(DocumentError, match=r"docs\.jsonl:2: not valid JSON"):
        next(stream)


def test_blank_lines_and_bom_are_tolerated(tmp_path: Path, doc: Document) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_bytes(
        b"\xef\xbb\xbf" + encode_document(doc) + b"\n\n  \n" + encode_document(doc) + b"\n"
    )
    assert list(read_documents(path)) == [doc, doc]


def test_error_names_physical_line_document_and_span(tmp_path: Path, doc: Document) -> None:
    bad = doc.spans[0]
    bad.text = "President Anna Reyez"
    path = tmp_path / "docs.jsonl"
    path.write_bytes(b"\n" + encode_document(doc) + b"\n")
    with pytest.raises(DocumentError) as info:
        list(read_documents(path))
    err = info.value
    assert (err.line, err.doc_id, err.span_id) == (2, "doc-1", "s1")
    assert str(err) == (
        f"{path}:2: document doc-1, span s1: span text 'President Anna Reyez' does not match "
        "text[0:20] 'President Anna Reyes'"
    )


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (-1, 3, "offsets [-1, 3) out of range for text of length 71"),
        (5, 500, "offsets [5, 500) out of range for text of length 71"),
        (9, 4, "offsets [9, 4) out of range for text of length 71"),
        (4, 4, "empty span [4, 4)"),
    ],
)
def test_bad_offsets_are_rejected(doc: Document, start: int, end: int, message: str) -> None:
    doc.spans[0].start, doc.spans[0].end = start, end
    with pytest.raises(DocumentError, match=message.replace("[", r"\[").replace(")", r"\)")):
        validate_document(doc)


def test_relation_to_missing_span_is_rejected(doc: Document) -> None:
    doc.relations[0].tail = "s99"
    with pytest.raises(DocumentError, match="PARTICIPANT tail points at missing span id 's99'"):
        validate_document(doc)


def test_unknown_label_and_value_are_rejected(doc: Document, schema) -> None:
    validate_document(doc, schema)
    doc.spans[1].attrs["modality"] = "perhaps"
    with pytest.raises(DocumentError, match=r"unknown value 'perhaps' for CHANNEL\.modality"):
        validate_document(doc, schema)
    doc.spans[1].attrs["modality"] = "actual"
    doc.spans[0].label = "PERSON"
    with pytest.raises(DocumentError, match="unknown span label 'PERSON'"):
        validate_document(doc, schema)


def test_relation_argument_labels_follow_schema(doc: Document, schema) -> None:
    doc.relations[2] = Relation(head="s1", tail="s4", label="ABOUT")
    with pytest.raises(DocumentError, match="ABOUT head must be CHANNEL, span 's1' is ACTOR"):
        validate_document(doc, schema)


def test_duplicate_ids_refused_when_unique(tmp_path: Path, doc: Document) -> None:
    path = tmp_path / "docs.jsonl"
    write_documents([doc, doc], path)
    assert len(list(read_documents(path))) == 2
    with pytest.raises(
        DocumentError, match=r"docs\.jsonl:2: document doc-1: duplicate document id"
    ):
        list(read_documents(path, unique=True))


def test_long_values_are_truncated_in_messages(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text('{"id": "x", "text": "' + "y" * 5000 + '"\n', encoding="utf-8")
    with pytest.raises(DocumentError) as info:
        list(read_documents(path))
    assert len(str(info.value)) < 200


def test_failed_write_leaves_no_partial_file(tmp_path: Path, doc: Document) -> None:
    path = tmp_path / "out.jsonl"

    def docs():
        yield doc
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_documents(docs(), path)
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_previous_content(tmp_path: Path, doc: Document) -> None:
    path = tmp_path / "out.jsonl"
    write_documents([doc], path)
    before = path.read_bytes()

    def docs():
        yield doc
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_documents(docs(), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_stdin_and_stdout(monkeypatch: pytest.MonkeyPatch, doc: Document) -> None:
    line = encode_document(doc) + b"\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(line)))
    assert list(read_documents("-")) == [doc]
    out = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(out))
    write_documents([doc], "-")
    sys.stdout.flush()
    assert out.getvalue() == line


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match=r"nope\.jsonl: no such file"):
        list(read_documents(tmp_path / "nope.jsonl"))


def test_atomic_outputs_get_normal_permissions(tmp_path: Path, doc: Document) -> None:
    import os
    import stat

    from backchannel.atomic import atomic_directory

    mask = os.umask(0o022)
    try:
        write_documents([doc], tmp_path / "a.jsonl")
        with atomic_directory(tmp_path / "folder") as folder:
            (folder / "x").write_text("x")
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "a.jsonl").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "folder").stat().st_mode) == 0o755
