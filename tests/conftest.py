"""Shared fixtures: small, hand-checkable Documents and a CLI runner.

The real Label Studio server is here too, at the root, so that every folder that needs one
(tests/labelstudio, tests/gold) shares ONE server per test session.  It is started by the same
code as ``backchannel studio up`` on a free port with a throwaway data directory; fixed test
credentials let the cached ``label-studio init`` template be reused, so a warm start takes a few
seconds. When the server or browser cannot start, the tests that need them fail, with the
reason. Other area-specific fixtures live in the conftest.py of their own folder."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from backchannel.annotation.labelstudio.api import Studio
from backchannel.annotation.labelstudio.connection import Connection
from backchannel.annotation.labelstudio.credentials import seed_credentials
from backchannel.annotation.labelstudio.probe import free_port
from backchannel.annotation.labelstudio.server import ServerInfo, start_server, stop_server
from backchannel.documents import Document, Relation, Span
from backchannel.errors import StudioServerError
from backchannel.schema import Schema, load_schema

TEST_USER = "admin@backchannel.test"
TEST_PASSWORD = "backchannel-test-password"
TEST_TOKEN = "0123456789abcdef0123456789abcdef01234567"

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


#: Fixtures that hold a live server or browser for the whole session.
LIVE_FIXTURES = {"studio_server", "connection", "studio", "browser"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under ``pytest -n N --dist loadgroup``, every test of a live server or browser runs in
    one worker, so the session starts one Label Studio and one Chromium, not one per worker."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        live = LIVE_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        if live or item.get_closest_marker("studio") or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("live"))


def missing(reason: str) -> None:
    """A missing server or browser fails the test, locally as in CI: never a silent pass.

    `make test` promises the real Label Studio and browser tests, so their absence is a setup
    problem to fix (`.ci/run` shows how), not a reason to skip.
    """
    pytest.fail(f"{reason} (install what is missing: see .ci/run)")


@pytest.fixture(scope="session")
def studio_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerInfo]:
    data_dir = tmp_path_factory.mktemp("label-studio")
    seed_credentials(data_dir, TEST_USER, TEST_PASSWORD, TEST_TOKEN)
    try:
        info = start_server(port=free_port(), data_dir=data_dir, say=print)
    except StudioServerError as exc:
        missing(f"Label Studio could not start: {exc}")
        raise
    yield info
    stop_server(info.data_dir)


@pytest.fixture(scope="session")
def connection(studio_server: ServerInfo) -> Connection:
    return Connection(studio_server.url, studio_server.token())


@pytest.fixture(scope="session")
def studio(connection: Connection) -> Studio:
    return Studio(connection)


@pytest.fixture
def project_title() -> str:
    """A fresh project per test, so tests never see each other's tasks."""
    return f"test-{uuid.uuid4().hex[:10]}"


# Debian's chromium as the probe ran it: without the background-networking flags it keeps
# trying to reach Google's hosts, which this machine's closed network refuses.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session (Playwright driving Debian's package)."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        missing("chromium is not installed (apt-get install chromium; .ci/run does it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright (Python) is not installed")
        raise
    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_FLAGS
        )
        yield instance
        instance.close()
