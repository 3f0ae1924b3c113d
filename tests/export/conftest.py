"""Small hand-written gold Documents for the export tests, checkable by eye.

Offsets are never typed: every span is located by its surface string (``at``).  The set covers
what the exporter must handle: a plain call (the shared sample), nested and overlapping spans,
stance, a near-duplicate pair, a negated contact, a multi-party summit, line breaks, emoji, and
text that must be escaped in Markdown.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backchannel.annotation.documents import Document, Relation, Span, write_documents

CALL = "President Anna Reyes phoned the Kremlin on Monday about the grain deal."


def at(text: str, surface: str, sid: str, label: str, nth: int = 0, **attrs: str) -> Span:
    """A span located by its surface string, never by typed offsets."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Span(id=sid, start=start, end=start + len(surface), label=label, attrs=attrs)


def call_doc(doc_id: str = "doc-1", meta: dict | None = None) -> Document:
    t = CALL
    return Document(
        id=doc_id,
        text=t,
        meta=meta or {"title": "A call", "license": "CC-BY-4.0", "synthetic": True},
        spans=[
            at(t, "President Anna Reyes", "s1", "ACTOR", actor_kind="person", country="PHL"),
            at(t, "phoned", "s2", "CHANNEL", channel_kind="phone_call", modality="actual"),
            at(t, "the Kremlin", "s3", "ACTOR", actor_kind="government", metonymy="yes"),
            at(t, "the grain deal", "s4", "ISSUE"),
        ],
        relations=[
            Relation(head="s2", tail="s1", label="PARTICIPANT", attrs={"role": "initiator"}),
            Relation(head="s2", tail="s3", label="PARTICIPANT", attrs={"role": "recipient"}),
            Relation(head="s2", tail="s4", label="ABOUT"),
        ],
        doc_labels={"relevant": "yes", "framing": "cooperative"},
        annotator="gold",
    )


def nested_doc() -> Document:
    # "Russia's Security Council secretary" holds a nested "Russia"; a summit of three parties;
    # a stance; a line break and an emoji before the offsets that matter.
    t = (
        "🇫🇷 Leaders met at a summit in Paris.\n\nRussia's Security Council secretary, France "
        "and Qatar attended the summit. France criticised Russia."
    )
    return Document(
        id="doc-2",
        text=t,
        meta={"title": "Summit | <b>Paris</b>", "license": "CC-BY-4.0", "synthetic": True},
        spans=[
            at(
                t,
                "summit",
                "c1",
                "CHANNEL",
                channel_kind="summit",
                modality="actual",
                visibility="public",
            ),
            at(t, "Paris", "v1", "VENUE"),
            at(
                t,
                "Russia's Security Council secretary",
                "a1",
                "ACTOR",
                actor_kind="role",
                country="RUS",
                sector="GOV",
            ),
            at(t, "Russia", "a2", "ACTOR", actor_kind="state", country="RUS"),
            at(t, "France", "a3", "ACTOR", actor_kind="state", country="FRA"),
            at(t, "Qatar", "a4", "ACTOR", actor_kind="state", country="QAT"),
            at(t, "France", "a5", "ACTOR", nth=1, actor_kind="state", country="FRA"),
            at(t, "Russia", "a6", "ACTOR", nth=1, actor_kind="state", country="RUS"),
            # overlapping (not nested) span: "Council secretary, France" crosses two actors
            at(t, "Council secretary, France", "i1", "ISSUE"),
        ],
        relations=[
            Relation(head="c1", tail="a1", label="PARTICIPANT", attrs={"role": "participant"}),
            Relation(head="c1", tail="a3", label="PARTICIPANT", attrs={"role": "participant"}),
            Relation(head="c1", tail="a4", label="PARTICIPANT", attrs={"role": "host"}),
            Relation(head="c1", tail="v1", label="HELD_AT"),
            Relation(
                head="a5",
                tail="a6",
                label="STANCE",
                id="r-stance",
                attrs={"polarity": "against", "expressed": "reported"},
            ),
        ],
        doc_labels={"relevant": "yes"},
        annotator="gold",
    )


def negated_doc() -> Document:
    t = "Washington did not speak to Tehran, but officials requested talks in Oman."
    return Document(
        id="doc-3",
        text=t,
        meta={"license": "CC-BY-4.0", "synthetic": True, "authored_by": "team"},
        spans=[
            at(
                t,
                "Washington",
                "a1",
                "ACTOR",
                actor_kind="government",
                country="USA",
                metonymy="yes",
            ),
            at(t, "speak", "c1", "CHANNEL", channel_kind="phone_call", modality="negated"),
            at(t, "Tehran", "a2", "ACTOR", actor_kind="government", country="IRN", metonymy="yes"),
            at(t, "officials", "a3", "ACTOR", actor_kind="group", country="USA", anonymous="yes"),
            at(t, "talks", "c2", "CHANNEL", channel_kind="talks", modality="requested"),
            at(t, "Oman", "v1", "VENUE"),
        ],
        relations=[
            Relation(head="c1", tail="a1", label="PARTICIPANT", attrs={"role": "initiator"}),
            Relation(head="c1", tail="a2", label="PARTICIPANT", attrs={"role": "recipient"}),
            Relation(head="c2", tail="a3", label="PARTICIPANT", attrs={"role": "initiator"}),
            Relation(head="c2", tail="v1", label="HELD_AT"),
        ],
        doc_labels={"relevant": "yes", "framing": "mixed"},
        annotator="gold",
    )


def gold_documents(n_extra: int = 7) -> list[Document]:
    """The three documents above, a near-duplicate of the first, and ``n_extra`` calls."""
    docs = [call_doc(), nested_doc(), negated_doc()]
    docs.append(
        call_doc(
            "doc-1-dup",
            meta={"license": "CC-BY-4.0", "synthetic": True, "near_duplicate_of": "doc-1"},
        )
    )
    docs += [call_doc(f"doc-x{i}") for i in range(n_extra)]
    return docs


@pytest.fixture
def gold_docs() -> list[Document]:
    return gold_documents()


@pytest.fixture
def gold_file(tmp_path: Path, gold_docs: list[Document]) -> Path:
    path = tmp_path / "gold.jsonl"
    write_documents(gold_docs, path)
    return path
