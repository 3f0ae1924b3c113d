"""Fixtures for the llm model: one scripted OpenAI-compatible server per test session."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from openai_server import ScriptedOpenAI


@pytest.fixture(scope="session")
def _server() -> Iterator[ScriptedOpenAI]:
    server = ScriptedOpenAI().start()
    yield server
    server.stop()


@pytest.fixture
def openai_server(_server: ScriptedOpenAI) -> Iterator[ScriptedOpenAI]:
    """The scripted server, with an empty script for this test."""
    _server.reset()
    yield _server
    _server.reset()
