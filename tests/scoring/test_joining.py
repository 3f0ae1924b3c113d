"""The scorer's reader: lean records checked while decoding, and the block-wise lockstep path."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from scoring_helpers import TEXT, doc, write_pair

from backchannel.documents import Document, Span, write_documents
from backchannel.errors import DocumentError
from backchannel.eval.scoring.joining import LeanDecoder, NotLockstep, lockstep
from backchannel.eval.scoring.scorer import score
from backchannel.schema import load_schema


def _line(d: Document) -> bytes:
    return msgspec.json.encode(d)


def test_lean_records_carry_their_label_in_their_type() -> None:
    lean = LeanDecoder(load_schema())
    d = doc("d1", [(0, 5, "ACTOR"), (10, 15, "ISSUE")])
    d.spans[0].attrs = {"actor_kind": "person"}
    rec = lean.decode(_line(d))
    assert [lean.label_of[type(s.attrs)] for s in rec.spans] == [
        ("span", "ACTOR"),
        ("span", "ISSUE"),
    ]
    assert rec.spans[0].attrs.actor_kind == "person"


@pytest.mark.parametrize(
    ("span", "problem"),
    [
        ({"id": "x", "start": 0, "end": 5, "label": "PERSON"}, "Invalid value 'PERSON'"),
        ({"id": "x", "start": 0, "end": 5, "label": "ACTOR", "attrs": {"actor_kind": "cat"}},
         "Invalid enum value 'cat'"),
        ({"id": "x", "start": 0, "end": 5}, "missing required field `label`"),
    ],
)  # fmt: skip
def test_lean_decoder_refuses_what_the_schema_refuses(span: dict, problem: str) -> None:
    lean = LeanDecoder(load_schema())
    line = msgspec.json.encode({"id": "d1", "text": TEXT, "spans": [span]})
    with pytest.raises(msgspec.ValidationError, match=problem):
        lean.decode(line)


def test_a_schema_of_one_label_still_requires_the_label() -> None:
    """A tagged union of one member would accept a span without ``label``: it has two."""
    full = load_schema()
    one = msgspec.structs.replace(full, spans={"ACTOR": full.spans["ACTOR"]}, relations={})
    lean = LeanDecoder(one)
    ok = {"id": "d1", "text": TEXT, "spans": [{"id": "x", "start": 0, "end": 5, "label": "ACTOR"}]}
    assert len(lean.decode(msgspec.json.encode(ok)).spans) == 1
    ok["spans"][0].pop("label")
    with pytest.raises(msgspec.ValidationError, match="label"):
        lean.decode(msgspec.json.encode(ok))


def test_lockstep_yields_blocks_of_the_same_documents(tmp_path: Path) -> None:
    docs = [doc(f"d{i}", [(0, 5, "ACTOR")]) for i in range(5)]
    g, p = write_pair(tmp_path, docs, docs)
    lean = LeanDecoder(load_schema())
    blocks = list(lockstep(g, p, lean, 2))
    assert [len(gb.docs) for gb, _ in blocks] == [2, 2, 1]
    assert [w[1:] for gb, _ in blocks for w in gb.where][:2] == [
        (1, 0),
        (2, len(_line(docs[0])) + 1),
    ]
    assert [d.id for _, pb in blocks for d in pb.docs] == [f"d{i}" for i in range(5)]


@pytest.mark.parametrize("case", ["order", "missing", "extra", "text", "blank", "duplicate"])
def test_lockstep_gives_way_to_join(tmp_path: Path, case: str) -> None:
    docs = [doc(f"d{i}", [(0, 5, "ACTOR")]) for i in range(4)]
    golds, preds = list(docs), list(docs)
    if case == "order":
        preds = preds[::-1]
    elif case == "missing":
        preds = preds[:-1]
    elif case == "extra":
        preds = [*preds, doc("d9", [])]
    elif case == "text":
        preds[2] = doc("d2", [(0, 5, "ACTOR")], text=TEXT.upper())
    elif case == "duplicate":
        golds[3] = golds[0]
    g, p = write_pair(tmp_path, golds, preds)
    if case == "blank":
        p.write_bytes(b"\n" + p.read_bytes())
    with pytest.raises(NotLockstep):
        list(lockstep(g, p, LeanDecoder(load_schema()), 2))


def test_blank_lines_on_one_side_score_as_without_them(tmp_path: Path) -> None:
    docs = [doc(f"d{i}", [(0, 5, "ACTOR"), (10, 12, "ISSUE")]) for i in range(3)]
    g, p = write_pair(tmp_path, docs, docs)
    plain = score(g, p, bootstrap=0).values
    p.write_bytes(b"\n  \n" + p.read_bytes().replace(b"\n", b"\n\n"))
    assert score(g, p, bootstrap=0).values == plain


def test_the_first_invalid_document_of_a_batch_is_named(tmp_path: Path) -> None:
    """Vectorised checks find some bad document; the message names the first in the file."""
    good = [doc(f"d{i}", [(0, 5, "ACTOR")]) for i in range(6)]
    preds = list(good)
    preds[4] = Document(id="d4", text=TEXT, spans=[Span("x", 90, 120, "ACTOR")])  # offsets
    preds[2] = Document(id="d2", text=TEXT, spans=[Span("x", 0, 5, "ACTOR", text="nope")])
    g, p = write_pair(tmp_path, good, preds)
    with pytest.raises(DocumentError) as err:
        score(g, p, bootstrap=0)
    assert err.value.one_line().startswith(f"{p}:3: document d2, span x: span text 'nope'")
    write_documents(good, p)
    assert score(g, p, bootstrap=0).value("spans.micro.strict.f1") == 1.0


def test_an_empty_span_text_is_refused_with_the_validation_message(tmp_path: Path) -> None:
    """The decoder refuses ``"text": ""`` (so counting can test texts by truth value)."""
    gold = [doc("d1", [(0, 5, "ACTOR")])]
    pred = [Document(id="d1", text=TEXT, spans=[Span("x", 0, 5, "ACTOR", text="")])]
    g, p = write_pair(tmp_path, gold, pred)
    with pytest.raises(DocumentError, match=r":1: document d1, span x: span text '' does not"):
        score(g, p, bootstrap=0)
