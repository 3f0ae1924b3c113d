"""Agreement on who talks to whom: resolved contact pairs, whichever mentions were linked.

By hand: article A, "Prime Minister Alan Hartley phoned Taras Koval. Hartley met Claire
Mercier."  Alice links the call to "Prime Minister Alan Hartley" and Koval, the meeting to
"Hartley" and Mercier.  Bob links the call to "Hartley" (the second mention: the same person)
and Koval, and leaves the meeting without participants.  Actor pairs: Alice {H-K, H-M}, Bob
{H-K}: F1 = 2 * 1 / (2 + 1) = 2/3.  Strict relations agree on the Koval link of the call
only (1 of Alice's 4 and Bob's 2): F1 = 2 * 1 / 6 = 1/3; resolution forgives the mention choice.
"""

from __future__ import annotations

import pytest

from backchannel.annotation.agreement.agree import compute_agreement
from backchannel.annotation.agreement.report import to_markdown
from backchannel.annotation.annotation_set import group_documents
from backchannel.documents import Document, Relation, Span
from backchannel.schema import load_schema

TEXT = "Prime Minister Alan Hartley phoned Taras Koval. Hartley met Claire Mercier."


def span(surface: str, sid: str, label: str, nth: int = 0, **attrs: str) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(surface, start + 1)
    return Span(id=sid, start=start, end=start + len(surface), label=label, attrs=attrs)


def version(annotator: str, links: list[tuple[str, str]]) -> Document:
    spans = [
        span("Prime Minister Alan Hartley", "h1", "ACTOR", actor_kind="person", country="GBR"),
        span("phoned", "c1", "CHANNEL", channel_kind="phone_call", modality="actual"),
        span("Taras Koval", "k", "ACTOR", actor_kind="person", country="UKR"),
        span("Hartley", "h2", "ACTOR", nth=1, actor_kind="person", country="GBR"),
        span("met", "c2", "CHANNEL", channel_kind="meeting", modality="actual"),
        span("Claire Mercier", "m", "ACTOR", actor_kind="person", country="FRA"),
    ]
    rels = [
        Relation(head=c, tail=a, label="PARTICIPANT", attrs={"role": "participant"})
        for c, a in links
    ]
    return Document(id="A", text=TEXT, spans=spans, relations=rels, annotator=annotator)


def test_contact_pair_agreement_by_hand() -> None:
    alice = version("alice", [("c1", "h1"), ("c1", "k"), ("c2", "h2"), ("c2", "m")])
    bob = version("bob", [("c1", "h2"), ("c1", "k")])
    report = compute_agreement(group_documents([alice, bob]), load_schema(), resamples=0)
    assert report.contacts is not None
    assert report.contacts.actor_pairs.f1 == pytest.approx(2 / 3)
    assert report.contacts.country_pairs.f1 == pytest.approx(2 / 3)
    assert report.relations.strict.f1 == pytest.approx(1 / 3)
    assert "| contacts: actor pairs | 0.667 |" in to_markdown(report)
