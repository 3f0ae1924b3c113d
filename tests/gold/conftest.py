"""Hand-written multi-annotator fixtures for agreement, adjudication and gold versions.

Three annotators (alice, bob, carol) on two articles, plus an article only alice did.  The
expected figures in the tests are worked out by hand from the tables in the docstrings below.

Article d1, "President Anna Reyes phoned the Kremlin on Monday about the grain deal.":

    span                        alice              bob               carol
    "President Anna Reyes"      ACTOR person PHL   -                 ACTOR role PHL
    "Anna Reyes"                -                  ACTOR person PHL  -
    "phoned"                    CHANNEL call/act.  CHANNEL call/act. CHANNEL call/planned
    "the Kremlin"               ACTOR government   ACTOR government  -
    "Kremlin"                   -                  -                 ACTOR government
    "the grain deal"            ISSUE              ISSUE             -
    PARTICIPANT phoned->Reyes   initiator (PAR)    -                 initiator (PAR)
    PARTICIPANT phoned->Kremlin recipient          recipient         -
    ABOUT phoned->grain deal    yes                yes               -
    relevant                    yes                yes               no

Article d2, "Moscow and Kyiv held talks in Istanbul.": alice and bob only, the same four spans
(Moscow state RUS, Kyiv state UKR / bob: government UKR, talks, Istanbul VENUE), STANCE
Moscow->Kyiv against (alice) / neutral (bob), relevant yes.

Article d3: alice only (ignored by agreement: one annotator).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from backchannel.documents import Document, Relation, Span, write_documents
from backchannel.schema import load_schema

T1 = "President Anna Reyes phoned the Kremlin on Monday about the grain deal."
T2 = "Moscow and Kyiv held talks in Istanbul."
T3 = "Rome hosted a summit."


def sp(text: str, surface: str, sid: str, label: str, **attrs: str) -> Span:
    """A span located by its surface string (first occurrence), never by typed offsets."""
    start = text.index(surface)
    return Span(id=sid, start=start, end=start + len(surface), label=label, attrs=attrs)


def rel(head: str, tail: str, label: str, **attrs: str) -> Relation:
    return Relation(head=head, tail=tail, label=label, attrs=attrs)


def annotations() -> list[Document]:
    """The fixture described in the module docstring, as Documents."""
    alice1 = Document(
        id="d1",
        text=T1,
        annotator="alice",
        spans=[
            sp(T1, "President Anna Reyes", "a1", "ACTOR", actor_kind="person", country="PHL"),
            sp(T1, "phoned", "a2", "CHANNEL", channel_kind="phone_call", modality="actual"),
            sp(T1, "the Kremlin", "a3", "ACTOR", actor_kind="government"),
            sp(T1, "the grain deal", "a4", "ISSUE"),
        ],
        relations=[
            rel("a2", "a1", "PARTICIPANT", role="initiator"),
            rel("a2", "a3", "PARTICIPANT", role="recipient"),
            rel("a2", "a4", "ABOUT"),
        ],
        doc_labels={"relevant": "yes"},
    )
    bob1 = Document(
        id="d1",
        text=T1,
        annotator="bob",
        spans=[
            sp(T1, "Anna Reyes", "b1", "ACTOR", actor_kind="person", country="PHL"),
            sp(T1, "phoned", "b2", "CHANNEL", channel_kind="phone_call", modality="actual"),
            sp(T1, "the Kremlin", "b3", "ACTOR", actor_kind="government"),
            sp(T1, "the grain deal", "b4", "ISSUE"),
        ],
        relations=[
            rel("b2", "b3", "PARTICIPANT", role="recipient"),
            rel("b2", "b4", "ABOUT"),
        ],
        doc_labels={"relevant": "yes"},
    )
    carol1 = Document(
        id="d1",
        text=T1,
        annotator="carol",
        spans=[
            sp(T1, "President Anna Reyes", "c1", "ACTOR", actor_kind="role", country="PHL"),
            sp(T1, "phoned", "c2", "CHANNEL", channel_kind="phone_call", modality="planned"),
            sp(T1, "Kremlin", "c3", "ACTOR", actor_kind="government"),
        ],
        relations=[rel("c2", "c1", "PARTICIPANT", role="initiator")],
        doc_labels={"relevant": "no"},
    )

    def d2(who: str, kyiv_kind: str, polarity: str) -> Document:
        return Document(
            id="d2",
            text=T2,
            annotator=who,
            spans=[
                sp(T2, "Moscow", "m", "ACTOR", actor_kind="state", country="RUS"),
                sp(T2, "Kyiv", "k", "ACTOR", actor_kind=kyiv_kind, country="UKR"),
                sp(T2, "talks", "t", "CHANNEL", channel_kind="talks", modality="actual"),
                sp(T2, "Istanbul", "i", "VENUE"),
            ],
            relations=[rel("m", "k", "STANCE", polarity=polarity)],
            doc_labels={"relevant": "yes"},
        )

    alice3 = Document(
        id="d3",
        text=T3,
        annotator="alice",
        spans=[sp(T3, "summit", "s", "CHANNEL", channel_kind="summit", modality="actual")],
        doc_labels={"relevant": "yes"},
    )
    return [
        alice1,
        bob1,
        carol1,
        d2("alice", "state", "against"),
        d2("bob", "government", "neutral"),
        alice3,
    ]


@pytest.fixture
def annotations_path(tmp_path: Path) -> Path:
    path = tmp_path / "annotations.jsonl"
    write_documents(annotations(), path)
    return path


@pytest.fixture(scope="session")
def diplomacy():
    return load_schema()


@pytest.fixture(scope="session")
def kit() -> SimpleNamespace:
    """The builders and texts above, for tests that assemble their own variants."""
    return SimpleNamespace(sp=sp, rel=rel, T1=T1, T2=T2, T3=T3, annotations=annotations)


@pytest.fixture
def write(tmp_path: Path):
    """Write Documents to a fresh JSONL under tmp_path and return its path."""
    counter = iter(range(1000))

    def _write(docs: list[Document], name: str | None = None) -> Path:
        path = tmp_path / (name or f"docs{next(counter)}.jsonl")
        write_documents(docs, path)
        return path

    return _write
