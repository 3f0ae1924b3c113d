"""Reading annotations one article at a time gives exactly what reading them all gives."""

from __future__ import annotations

import os
import random

import msgspec
import pytest

from backchannel.annotation.agreement.agree import compute_agreement
from backchannel.annotation.annotation_set import (
    AnnotationSet,
    AnnotationStream,
    load_annotation_set,
    open_annotations,
)
from backchannel.annotation.gold.adjudicate import adjudicate
from backchannel.documents import Document
from backchannel.errors import DocumentError


def _shuffled(kit, seed: int) -> list[Document]:
    docs = kit.annotations()
    random.Random(seed).shuffle(docs)
    return docs


def test_stream_yields_whole_articles(write, kit) -> None:
    path = write(kit.annotations())
    stream = AnnotationStream(path)
    assert stream.documents_read == 6
    assert stream.annotators == ["alice", "bob", "carol"]
    assert (stream.articles(1), stream.articles(2)) == (3, 2)
    assert [(d.id, d.annotators) for d in stream.iter_docs(2)] == [
        ("d1", ["alice", "bob", "carol"]),
        ("d2", ["alice", "bob"]),
    ]
    # iterating again reads the file again
    assert [d.id for d in stream.iter_docs(1)] == ["d1", "d2", "d3"]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_same_report_and_gold_in_any_file_order(write, kit, diplomacy, seed: int) -> None:
    grouped = load_annotation_set(write(kit.annotations()))
    shuffled = AnnotationStream(write(_shuffled(kit, seed)))
    a = compute_agreement(grouped, diplomacy, resamples=50, seed=1)
    b = compute_agreement(shuffled, diplomacy, resamples=50, seed=1)
    a.source = b.source = None
    # the disagreement list follows the file's order of articles; everything else is identical
    for report in (a, b):
        report.disagreements.sort(key=lambda d: msgspec.json.encode(d))
    assert msgspec.json.encode(a) == msgspec.json.encode(b)
    # adjudication keeps the file's first-seen order, streamed or not
    path = write(_shuffled(kit, seed))
    ga = adjudicate(load_annotation_set(path), diplomacy)
    gb = adjudicate(AnnotationStream(path), diplomacy)
    assert msgspec.json.encode(ga) == msgspec.json.encode(gb)


def test_stream_reports_grouping_errors_like_the_loader(write) -> None:
    path = write(
        [Document(id="x", text="Hi", annotator="a"), Document(id="x", text="Ho", annotator="b")]
    )
    with pytest.raises(DocumentError, match="different text") as exc:
        AnnotationStream(path)
    assert exc.value.doc_id == "x"


def test_stream_notices_a_changed_file(write, kit) -> None:
    path = write(kit.annotations())
    stream = AnnotationStream(path)
    with open(path, "ab") as fh:
        fh.write(b"\n")
    os.utime(path, ns=(1, 1))
    with pytest.raises(DocumentError, match="changed while it was being read"):
        list(stream.iter_docs())


def test_standard_input_is_read_into_memory(monkeypatch, write, kit) -> None:
    import io
    import sys
    import types

    data = write(kit.annotations()).read_bytes()
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(data)))
    source = open_annotations("-")
    assert isinstance(source, AnnotationSet)  # standard input cannot be read twice
    assert source.articles(2) == 2
