"""Shared fixtures: small, hand-checkable Documents and a CLI runner.

Area-specific fixtures (the Label Studio server, trained models) live in the conftest.py of
their own test folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from backchannel.annotation.documents import Document, Relation, Span
from backchannel.annotation.schema import Schema, load_schema

TEXT = "President Anna Reyes phoned the Kremlin on Monday about the grain deal."


def span_of(text: str, surface: str, sid: str, label: str, nth: int = 0, **attrs: str) -> Span:
    """A span located by its surface string, never by typed offsets."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Span(id=sid, start=start, end=start + len(surface), label=label, attrs=attrs)


def sample_document() -> Document:
    s1 = span_of(TEXT, "President Anna Reyes", "s1", "ACTOR", actor_kind="person", country="PHL")
    s2 = span_of(TEXT, "phoned", "s2", "CHANNEL", channel_kind="phone_call", modality="actual")
    s3 = span_of(TEXT, "the Kremlin", "s3", "ACTOR", actor_kind="government", metonymy="yes")
    s4 = span_of(TEXT, "the grain deal", "s4", "ISSUE")
    return Document(
        id="doc-1",
        text=TEXT,
        meta={"title": "A call", "license": "CC-BY-4.0"},
        spans=[s1, s2, s3, s4],
        relations=[
            Relation(head="s2", tail="s1", label="PARTICIPANT", attrs={"role": "initiator"}),
            Relation(head="s2", tail="s3", label="PARTICIPANT", attrs={"role": "recipient"}),
            Relation(head="s2", tail="s4", label="ABOUT"),
        ],
        doc_labels={"relevant": "yes"},
    )


@pytest.fixture
def doc() -> Document:
    return sample_document()


@pytest.fixture(scope="session")
def schema() -> Schema:
    return load_schema()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]
