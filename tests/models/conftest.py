"""Fixtures for the baseline models: a tiny hand-written gold, checkable by eye.

Persons, outlets and events are invented.  Spans are located by surface string (never typed
offsets), exactly as the bundled corpus does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backchannel.documents import Document, Relation, Span, write_documents


def locate(text: str, surface: str, sid: str, label: str, nth: int = 0, **attrs: str) -> Span:
    """A span found by its ``nth`` occurrence in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Span(id=sid, start=start, end=start + len(surface), label=label, attrs=attrs)


def _doc(doc_id: str, text: str, spans: list[Span], relations: list[Relation]) -> Document:
    return Document(
        id=doc_id,
        text=text,
        spans=spans,
        relations=relations,
        doc_labels={"relevant": "yes"},
        annotator="gold",
    )


def tiny_gold() -> list[Document]:
    """Four short articles with actors, channels, a venue, issues and stances."""
    t1 = (
        "Foreign Secretary Miriam Osei spoke by phone with President Taras Bondar on Monday. "
        "Osei condemned the blockade. Bondar welcomed the ceasefire."
    )
    d1 = _doc(
        "g1",
        t1,
        [
            locate(t1, "Foreign Secretary Miriam Osei", "a1", "ACTOR", actor_kind="person"),
            locate(
                t1, "spoke by phone", "c1", "CHANNEL", channel_kind="phone_call", modality="actual"
            ),
            locate(t1, "President Taras Bondar", "a2", "ACTOR", actor_kind="person"),
            locate(t1, "Osei", "a3", "ACTOR", 1, actor_kind="person"),
            locate(t1, "the blockade", "i1", "ISSUE"),
            locate(t1, "Bondar", "a4", "ACTOR", 1, actor_kind="person"),
            locate(t1, "the ceasefire", "i2", "ISSUE"),
        ],
        [
            Relation(head="c1", tail="a1", label="PARTICIPANT", attrs={"role": "initiator"}),
            Relation(head="c1", tail="a2", label="PARTICIPANT", attrs={"role": "recipient"}),
            Relation(head="a3", tail="i1", label="STANCE", attrs={"polarity": "against"}),
            Relation(head="a4", tail="i2", label="STANCE", attrs={"polarity": "favor"}),
        ],
    )
    t2 = (
        "The Kremlin rejected the proposal. Washington and Tehran held indirect talks in Geneva "
        "through Oman. Tehran praised the mediation."
    )
    d2 = _doc(
        "g2",
        t2,
        [
            locate(
                t2,
                "The Kremlin",
                "a1",
                "ACTOR",
                actor_kind="government",
                country="RUS",
                metonymy="yes",
            ),
            locate(t2, "the proposal", "i1", "ISSUE"),
            locate(t2, "Washington", "a2", "ACTOR", actor_kind="government", country="USA"),
            locate(t2, "Tehran", "a3", "ACTOR", actor_kind="government", country="IRN"),
            locate(t2, "indirect talks", "c1", "CHANNEL", channel_kind="talks", modality="actual"),
            locate(t2, "Geneva", "v1", "VENUE"),
            locate(t2, "Oman", "a4", "ACTOR", actor_kind="state", country="OMN"),
            locate(t2, "Tehran", "a5", "ACTOR", 1, actor_kind="government", country="IRN"),
            locate(
                t2, "the mediation", "c2", "CHANNEL", channel_kind="mediation", modality="actual"
            ),
        ],
        [
            Relation(head="a1", tail="i1", label="STANCE", attrs={"polarity": "against"}),
            Relation(head="c1", tail="a2", label="PARTICIPANT", attrs={"role": "participant"}),
            Relation(head="c1", tail="a3", label="PARTICIPANT", attrs={"role": "participant"}),
            Relation(head="c1", tail="a4", label="PARTICIPANT", attrs={"role": "mediator"}),
            Relation(head="c1", tail="v1", label="HELD_AT"),
            Relation(head="c2", tail="a4", label="PARTICIPANT", attrs={"role": "mediator"}),
        ],
    )
    t3 = (
        "Prime Minister Ivo Dalca refused to meet the envoy. Dalca criticised the sanctions. "
        "Chancellor Ruth Weber backed the agreement."
    )
    d3 = _doc(
        "g3",
        t3,
        [
            locate(t3, "Prime Minister Ivo Dalca", "a1", "ACTOR", actor_kind="person"),
            locate(t3, "meet", "c1", "CHANNEL", channel_kind="meeting", modality="refused"),
            locate(t3, "the envoy", "a2", "ACTOR", actor_kind="role"),
            locate(t3, "Dalca", "a3", "ACTOR", 1, actor_kind="person"),
            locate(t3, "the sanctions", "i1", "ISSUE"),
            locate(t3, "Chancellor Ruth Weber", "a4", "ACTOR", actor_kind="person"),
            locate(t3, "the agreement", "i2", "ISSUE"),
        ],
        [
            Relation(head="c1", tail="a1", label="PARTICIPANT", attrs={"role": "participant"}),
            Relation(head="c1", tail="a2", label="PARTICIPANT", attrs={"role": "participant"}),
            Relation(head="a3", tail="i1", label="STANCE", attrs={"polarity": "against"}),
            Relation(head="a4", tail="i2", label="STANCE", attrs={"polarity": "favor"}),
        ],
    )
    t4 = (
        "President Lena Marsh did not call the Iranian foreign minister. Marsh opposed the deal, "
        "while Ambassador Karl Nyberg supported the truce."
    )
    d4 = _doc(
        "g4",
        t4,
        [
            locate(t4, "President Lena Marsh", "a1", "ACTOR", actor_kind="person"),
            locate(t4, "call", "c1", "CHANNEL", channel_kind="phone_call", modality="negated"),
            locate(
                t4, "the Iranian foreign minister", "a2", "ACTOR", actor_kind="role", country="IRN"
            ),
            locate(t4, "Marsh", "a3", "ACTOR", 1, actor_kind="person"),
            locate(t4, "the deal", "i1", "ISSUE"),
            locate(t4, "Ambassador Karl Nyberg", "a4", "ACTOR", actor_kind="person"),
            locate(t4, "the truce", "i2", "ISSUE"),
        ],
        [
            Relation(head="c1", tail="a1", label="PARTICIPANT", attrs={"role": "initiator"}),
            Relation(head="c1", tail="a2", label="PARTICIPANT", attrs={"role": "recipient"}),
            Relation(head="a3", tail="i1", label="STANCE", attrs={"polarity": "against"}),
            Relation(head="a4", tail="i2", label="STANCE", attrs={"polarity": "favor"}),
        ],
    )
    return [d1, d2, d3, d4]


@pytest.fixture
def gold_path(tmp_path: Path) -> Path:
    path = tmp_path / "gold.jsonl"
    write_documents(tiny_gold(), path)
    return path
